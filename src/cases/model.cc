// The cases domain's pure functions (model.h): tracking numbers, where a case stands
// against its deadline, a bundle's combined status, and who hears about a case.
#include "cases/model.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <set>

#include "catalog/item.h"
#include "core/clock.h"
#include "core/json_members.h"
#include "core/text.h"

namespace ow::cases {

namespace json = boost::json;

bool BeforeDecision(std::string_view s) {
  return s == kSubmitted || s == kSupplementRequested || s == kUnderReview || s == kSuspended;
}

std::string TrackingNo(int64_t id, std::string_view created_at) {
  // created_at is UTC; the tracking number carries the China date of submission.
  std::string date = "19700101";
  if (auto t = ParseTime(created_at)) {
    Date d = ChinaDate(*t);
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d%02d%02d", d.year, d.month, d.day);
    date = buf;
  }
  char digits[32];
  std::snprintf(digits, sizeof digits, "%s%010lld", date.c_str(), static_cast<long long>(id));
  std::string no = digits;
  no.push_back(text::Iso7064Mod112(no));
  return no;
}

std::optional<int64_t> ParseTrackingNo(std::string_view no) {
  if (no.size() != 19) return std::nullopt;
  for (size_t i = 0; i < 18; ++i)
    if (no[i] < '0' || no[i] > '9') return std::nullopt;
  char check = no[18] == 'x' ? 'X' : no[18];
  if (text::Iso7064Mod112(no.substr(0, 18)) != check) return std::nullopt;
  auto id = text::ParseInt(no.substr(8, 10), 1, INT64_MAX);
  if (!id) return std::nullopt;
  return *id;
}

bool SameTrackingNo(std::string_view stored, std::string_view given) {
  if (stored.size() != given.size() || stored.empty()) return false;
  if (stored.substr(0, stored.size() - 1) != given.substr(0, given.size() - 1)) return false;
  char last = given.back() == 'x' ? 'X' : given.back();
  return stored.back() == last;
}

std::string DeadlineState(const Case& k, Date today, const Calendar& cal) {
  if (k.accepted_on.empty() || !BeforeDecision(k.status)) return "none";
  for (const auto& p : k.pauses)
    if (!p.to) return "paused";
  auto deadline = ParseDate(k.promised_deadline);
  if (!deadline) return "none";
  if (today > *deadline) return "red";
  return cal.WorkingDaysBetween(today, *deadline) <= 2 ? "yellow" : "normal";
}

std::optional<SupplementAsk> PendingSupplement(const std::vector<Event>& events) {
  for (auto e = events.rbegin(); e != events.rend(); ++e) {
    if (e->action != "supplement_requested") continue;
    SupplementAsk ask;
    ask.reason = e->reason;
    auto entries = [&](const char* key, std::vector<SupplementAsk::Entry>& out) {
      const json::value* list = e->detail.if_contains(key);
      if (!list || !list->is_array()) return;
      for (const auto& x : list->as_array()) {
        if (x.is_string()) {
          out.push_back({std::string(x.as_string()), ""});
        } else if (x.is_object()) {
          out.push_back(
              {json_members::Str(x.as_object(), "name"), json_members::Str(x.as_object(), "note")});
        }
      }
    };
    entries("materials", ask.materials);
    entries("fields", ask.fields);
    return ask;
  }
  return std::nullopt;
}

void CheckSupplyAgainstAsk(const SupplementAsk& ask, const std::vector<std::string>& file_names,
                           const std::vector<std::string>& licence_names, const json::object* form,
                           const json::object& old_form, Validator& v,
                           const std::vector<std::string>& consent_names) {
  if (ask.materials.empty() && ask.fields.empty()) return;
  std::set<std::string> materials, fields, given;
  for (const auto& m : ask.materials) materials.insert(m.name);
  for (const auto& f : ask.fields) fields.insert(f.name);
  auto offered = [&](const std::vector<std::string>& names, const std::string& prefix) {
    for (size_t i = 0; i < names.size(); ++i) {
      given.insert(names[i]);
      if (!materials.count(names[i]))
        v.Add(prefix + std::to_string(i) + "/name", names[i] + " was not asked for");
    }
  };
  offered(file_names, "materials/");
  offered(licence_names, "licences/");
  offered(consent_names, "data_consents/");
  for (const auto& m : ask.materials)
    if (!given.count(m.name)) v.Add("materials", "give " + m.name + ": it was asked for");
  if (!form) {
    if (!fields.empty()) v.Add("form", "correct the fields asked for");
    return;
  }
  std::set<std::string> keys;
  for (const auto& [k, _] : old_form) keys.insert(std::string(k));
  for (const auto& [k, _] : *form) keys.insert(std::string(k));
  for (const auto& k : keys) {
    const json::value* before = old_form.if_contains(k);
    const json::value* after = form->if_contains(k);
    bool same = before && after ? *before == *after : before == after;
    if (!same && !fields.count(k)) v.Add("form/" + k, "was not asked for; it cannot change");
  }
}

std::string PublicStage(const Case& k) {
  const std::string& s = k.status;
  if (s == kSubmitted || s == kSupplementRequested) return "applied";
  if (s == kUnderReview || s == kSuspended) return "review";
  if (s == kApproved || s == kDenied) return "decided";
  if (s == kDelivered || (s == kClosed && !k.decision.empty())) return "delivered";
  if (s == kNotAccepted || s == kClosed) return "not_accepted";
  if (s == kWithdrawn) return "withdrawn";
  return "applied";
}

bool LookupMatches(const Case& k, std::string_view name, std::string_view id_last4) {
  const std::string& id =
      k.applicant_enterprise.empty() ? k.applicant_id_masked : k.applicant_enterprise;
  if (id.size() < 4 || id_last4.size() != 4 || k.applicant_name.empty()) return false;
  // Every comparison is made, whatever the first finds: the time says nothing.
  bool same = name == k.applicant_name;
  std::string_view tail = std::string_view(id).substr(id.size() - 4);
  for (size_t i = 0; i < 4; ++i) {
    // Letters in either case (a check character X, a credit code's letters).
    char a = static_cast<char>(std::toupper(static_cast<unsigned char>(tail[i])));
    char b = static_cast<char>(std::toupper(static_cast<unsigned char>(id_last4[i])));
    same &= a == b && a != '*';
  }
  return same;
}

std::string CombinedStatus(const std::vector<Case>& cases) {
  bool refused = false;
  for (const auto& k : cases) {
    if (BeforeDecision(k.status)) return "in_progress";
    if (k.decision != kApproved) refused = true;
  }
  return refused ? "completed_with_refusals" : "completed";
}

const std::string& MessageRecipient(const Case& k) {
  if (!k.applicant_enterprise.empty()) return k.submitted_by_account;
  return k.applicant_account_id;
}

size_t CrossRegionPrefix(std::string_view flag) {
  if (flag == "national") return 0;
  if (flag == "province") return 2;
  if (flag == "city") return 4;
  return 64;  // "none": the intake region must lie within the handling region
}

std::vector<std::string> MaterialNames(const json::object& doc) {
  std::vector<std::string> names;
  if (const json::value* m = doc.if_contains("materials"); m && m->is_array()) {
    for (const auto& e : m->as_array())
      if (e.is_object()) names.push_back(json_members::Str(e.as_object(), "name"));
  }
  return names;
}

std::vector<std::string> MissingMaterials(const json::object& doc, const json::object& answers,
                                          std::string_view channel,
                                          const std::vector<Attachment>& attachments,
                                          const std::vector<LicenceUse>& licences,
                                          const std::vector<DataUse>& data) {
  std::vector<std::string> missing;
  if (channel == kCounterChannel) return missing;
  const json::value* m = doc.if_contains("materials");
  if (!m || !m->is_array()) return missing;
  for (const auto& e : m->as_array()) {
    if (!e.is_object()) continue;
    const json::object& o = e.as_object();
    const json::value* required = o.if_contains("required");
    if (!required || !required->is_bool() || !required->as_bool()) continue;
    if (json_members::Str(o, "form") == "paper") continue;
    if (const json::value* when = o.if_contains("when"); when && !catalog::Applies(*when, answers))
      continue;
    std::string name = json_members::Str(o, "name");
    bool given =
        std::any_of(attachments.begin(), attachments.end(),
                    [&](const Attachment& a) { return a.name == name; }) ||
        std::any_of(licences.begin(), licences.end(),
                    [&](const LicenceUse& l) { return l.name == name; }) ||
        std::any_of(data.begin(), data.end(), [&](const DataUse& d) { return d.name == name; });
    if (!given) missing.push_back(std::move(name));
  }
  return missing;
}

}  // namespace ow::cases
