// The FAQ: answered consultations that the department's staff publish (with the question
// and answer edited for everyone), found by the catalog's search terms (Chinese single
// characters and pairs, Latin words), so a two-character Chinese query is one lookup.
#include <set>

#include "catalog/search_terms.h"
#include "tickets/service.h"
#include "tickets/service_internal.h"
#include "tickets/store.h"

namespace ow::tickets {

namespace {

// Each term once (the index's key is the term and the entry).
std::vector<std::string> Terms(const Faq& f) {
  std::set<std::string> terms;
  for (auto& t : catalog::TextTerms(f.question + "\n" + f.answer)) terms.insert(std::move(t));
  return {terms.begin(), terms.end()};
}

authz::Target FaqTarget(const Faq& f) {
  authz::Target t;
  t.department_code = f.department_code;
  t.region_code = f.region_code;
  return t;
}

}  // namespace

Result<Faq> Service::PublishFaq(const Principal& who, const FaqInput& in) {
  Validator v;
  if (in.ticket_number.empty()) v.Add("ticket_number", "is required: an answered consultation");
  if (in.question.size() > 4000) v.Add("question", "at most 4000 bytes");
  if (in.answer.size() > 8000) v.Add("answer", "at most 8000 bytes");
  OW_RETURN_IF_ERROR(v.Finish());
  Faq f;
  OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(auto t, store::Load(c, in.ticket_number));
    if (!t || !internal::MayRead(who, *t)) return NotFound("no ticket " + in.ticket_number);
    OW_RETURN_IF_ERROR(authz::Decide(who, authz::Action::kManageFaq, internal::TargetOf(*t)));
    Validator tv;
    if (t->kind != kConsult)
      tv.Add("ticket_number", "is not a consultation");
    else if (t->status == kOpen)
      tv.Add("ticket_number", "has not been answered yet");
    OW_RETURN_IF_ERROR(tv.Finish());
    f.question = in.question.empty() ? t->text : in.question;
    f.answer = in.answer.empty() ? t->answer : in.answer;
    f.item_code = in.item_code.empty() ? t->item_code : in.item_code;
    f.region_code = in.region_code.empty() ? t->region_code : in.region_code;
    // Staff publish for the regions they serve (an entry of a region serves those below).
    if (!authz::Decide(who, authz::Action::kManageFaq,
                       authz::Target{t->department_code, f.region_code, "", false, {}})) {
      Validator rv;
      rv.Add("region_code", "is outside the regions you serve");
      return rv.Finish();
    }
    f.department_code = t->department_code;
    f.ticket_number = t->number;
    f.created_by = who.username;
    f.created_at = f.updated_at = FormatTime(Now());
    OW_ASSIGN_OR_RETURN(f.id, store::InsertFaq(c, f));
    return store::IndexFaq(c, f.id, Terms(f));
  }));
  return f;
}

Result<Faq> Service::UnpublishFaq(const Principal& who, int64_t id, int64_t version) {
  Faq f;
  OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(auto found, store::LoadFaq(c, id));
    if (!found) return NotFound("no FAQ entry " + std::to_string(id));
    f = std::move(*found);
    OW_RETURN_IF_ERROR(authz::Decide(who, authz::Action::kManageFaq, FaqTarget(f)));
    if (f.version != version)
      return Conflict("FAQ entry " + std::to_string(id) + " changed (version " +
                      std::to_string(f.version) + "); reload it");
    f.published = false;
    f.updated_at = FormatTime(Now());
    ++f.version;
    OW_ASSIGN_OR_RETURN(bool saved, store::SaveFaq(c, f, version));
    if (!saved) return Conflict("FAQ entry " + std::to_string(id) + " changed; reload it");
    return store::IndexFaq(c, f.id, {});
  }));
  return f;
}

Result<std::vector<Faq>> Service::SearchFaq(const std::string& query, const std::string& item,
                                            const std::string& region, int limit) {
  Validator v;
  if (query.size() > 200) v.Add("q", "at most 200 bytes");
  if (limit < 1 || limit > 50) v.Add("limit", "must be 1 to 50");
  OW_RETURN_IF_ERROR(v.Finish());
  std::vector<std::string> terms = catalog::QueryTerms(query);
  std::vector<Faq> out;
  // A query of punctuation only matches nothing rather than everything.
  if (terms.empty() && !query.empty() && query.find_first_not_of(" \t") != std::string::npos)
    return out;
  OW_RETURN_IF_ERROR(db_.ReadOneStatement([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(out, store::SearchFaq(c, terms, item, region, limit));
    return {};
  }));
  return out;
}

}  // namespace ow::tickets
