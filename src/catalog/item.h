// The service item document: every standard element of a catalog item (domain.md,
// "Catalog"), as a JSON object with a fixed shape.
//
// Items travel and are stored as normalized JSON documents: NormalizeItem checks a
// document against the shape below and fills defaults, so that two equal items are
// byte-identical and an export/import round trip loses nothing.
//
//   code, name, name_en, aliases[], type, nature, served[], department_code,
//   themes[], level, service_forms[], jurisdiction[] (region codes),
//   legal_basis[{title, article, url}], conditions[], conditions_en[],
//   situations[{code, question, question_en, options[{code, label, label_en, item_code}]}],
//   materials[{name, name_en, required, copies, form, blank_form_url, sample_url,
//              license_type, data_resource, data_fields[], data_subject_field, note, note_en,
//              when[{situation, options[]}]}],
//   steps[{name, name_en, description, description_en}], statutory_days, promised_days,
//   fees[{name, name_en, amount, basis}],
//   halls[{name, name_en, address, address_en, hours, hours_en}],
//   consult_phone, complaint_phone, online_depth (1-4), visits (0-2),
//   appointment, delivery, cross_region, process, form_schema, guide, guide_en
//
// The *_en members are the English residents read in the portal's English mode, each
// optional ("" or absent: the portal shows the Chinese). They may be longer than their
// Chinese siblings (English runs longer): names 300 characters (steps 200), notes 1000,
// descriptions and conditions 2000, addresses 500, hours 300. conditions_en is
// parallel to conditions: at most as many entries, "" for one not translated.
// form_schema may carry English labels as annotations: "x-title-en" and
// "x-description-en" beside title and description, and "x-enum-en" beside enum (one
// label per value; the values stay as stored and validated). A string property may carry
// "x-prefill": person.name, person.resident_id, person.phone, enterprise.name or
// enterprise.credit_code: the portal fills it in from the applicant's account or the
// enterprise applying (GET /api/v1/me/prefill); the applicant may still change it. Or
// data.<resource>.<field>: from a data resource of the exchange a material of the item
// names as data_resource, fetched with the person's consent (POST /api/v1/me/prefill/data).
// A material's data_resource (with the data_fields fetched, written only when set) lets
// data about the applicant stand for it, with their consent (cases/data_uses.cc); with
// data_subject_field (a form property holding a resident ID number) the data is about that
// other party of the application (a marriage registration's partner), fetched only once
// they consent in their own account.
//
// Situations (情形引导): questions whose answers decide which materials apply. A material
// applies when, for each entry of its `when`, the answer to that situation is one of the
// entry's options (an empty `when`: always). An option with an item_code says that with
// this answer another item is the right one: the portal leads there and an application
// giving that answer is refused. An application answers every question of its item; a
// bundle ("one thing") asks its own questions the same way, which decide its items.
#ifndef OW_CATALOG_ITEM_H_
#define OW_CATALOG_ITEM_H_

#include <boost/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace ow::catalog {

inline constexpr std::string_view kItemTypes[] = {"administrative_licensing",
                                                  "administrative_payment",
                                                  "administrative_confirmation",
                                                  "administrative_award",
                                                  "administrative_adjudication",
                                                  "other_administrative_power",
                                                  "public_service"};
inline constexpr std::string_view kNatures[] = {"administrative_power", "public_service"};
inline constexpr std::string_view kServed[] = {"natural_person", "legal_person"};
inline constexpr std::string_view kLevels[] = {"national", "province", "city",
                                               "county",   "township", "village"};
inline constexpr std::string_view kServiceForms[] = {"online", "counter", "mail", "self_service"};
inline constexpr std::string_view kMaterialForms[] = {"paper", "electronic", "both"};
inline constexpr std::string_view kCrossRegion[] = {"none", "city", "province", "national"};

// 0 for "national" .. 5 for "village"; -1 if unknown.
int LevelRank(std::string_view level);
bool ValidItemCode(std::string_view code);

// Checks that `schema` is a JSON Schema in the subset form data are validated against
// (form_validate.h): an item's form_schema, a licence type's fields. Errors are added
// to `v` under `path`.
void CheckSchema(const boost::json::value& schema, const std::string& path, Validator& v);

// Checks `doc` against the item shape; returns the normalized document (every
// member present, defaults filled, members in a fixed order). Field errors name
// slash paths ("materials/2/copies"). Unknown members are errors.
Result<boost::json::object> NormalizeItem(const boost::json::value& doc);

// The smallest valid normalized document (every member present with its default).
// Used to learn the members' order and types (CSV columns) and to check element
// shapes with the item's own rules.
boost::json::object MinimalItem();

// One change between two documents: RFC 6902-style path and both values
// (a missing side is null with op "add" or "remove").
struct DiffEntry {
  std::string op;  // "add", "remove", "replace"
  std::string path;
  boost::json::value from;
  boost::json::value to;
};
std::vector<DiffEntry> Diff(const boost::json::value& a, const boost::json::value& b);

// Situations (see the top of this file). NormalizeSituations reads an array of
// questions (at most 10, each with 2 to 10 options, codes unique) at `path`;
// NormalizeWhen reads a `when` array naming those questions and their options. Errors
// go to `v`; a null `in` is an empty array.
boost::json::array NormalizeSituations(const boost::json::value* in, const std::string& path,
                                       Validator& v);
boost::json::array NormalizeWhen(const boost::json::value* in, const std::string& path,
                                 const boost::json::array& situations, Validator& v);
// Whether a `when` holds for answers {situation code: option code}.
bool Applies(const boost::json::value& when, const boost::json::object& answers);
// Checks answers against the questions (a document's "situations", absent: none): each
// question answered with one of its options, no unknown question, no answer that leads
// to another item. Errors go to `v` under path/<code>. Returns the answers as kept with a
// case: [{code, question, question_en, option, label, label_en}] in question order.
boost::json::array CheckAnswers(const boost::json::value* situations,
                                const boost::json::object& answers, const std::string& path,
                                Validator& v);
// {code: option} of answers kept by CheckAnswers.
boost::json::object AnswersOf(const boost::json::array& kept);

// Search terms of a document with integer weights (see search.h).
struct WeightedTerm {
  std::string term;
  int64_t weight;
};
std::vector<WeightedTerm> IndexTerms(const boost::json::object& item);

}  // namespace ow::catalog

#endif  // OW_CATALOG_ITEM_H_
