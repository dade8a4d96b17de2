#include "app/case_data.h"

#include <boost/json.hpp>

#include "exchange/store.h"

namespace ow::app {

namespace json = boost::json;

Result<cases::DataResourceInfo> CaseDataExchange::Describe(const std::string& code) {
  std::optional<exchange::Resource> r;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(r, exchange::Store::Published(c, code));
    return {};
  }));
  if (!r) return NotFound("no published data resource " + code);
  cases::DataResourceInfo out{r->code,         r->name_zh, r->name_en, r->department_code,
                              r->subject_kind, {}};
  for (const auto& f : r->fields) out.fields.push_back(f.name);
  return out;
}

Result<cases::FetchedData> CaseDataExchange::Fetch(db::Connection& c, const std::string& resource,
                                                   const std::string& subject,
                                                   const std::vector<std::string>& fields,
                                                   const std::string& purpose,
                                                   const std::string& case_tracking) {
  // The case-handling system's principal, as its client-credentials token would be: the
  // scope names the resource; whether a live grant covers it (and its fields) the
  // exchange checks on every call, as for any consumer.
  authz::Principal who;
  who.via = authz::Via::kClientToken;
  who.client_id = client_id_;
  who.name_for_audit = "client:" + client_id_;
  who.scopes = {"exchange", "exchange:" + resource};
  exchange::QueryInput in;
  in.subject = subject;
  in.fields = fields;
  in.purpose = purpose;
  in.case_tracking = case_tracking;
  json::array f;
  for (const auto& x : fields) f.emplace_back(x);
  json::object request{{"subject", subject}, {"fields", std::move(f)}, {"purpose", purpose}};
  if (!case_tracking.empty()) request["case_tracking"] = case_tracking;
  OW_ASSIGN_OR_RETURN(auto answered,
                      exchange_.QueryWithin(c, who, resource, in, json::serialize(request)));
  cases::FetchedData out;
  const json::value* found = answered.answer.if_contains("found");
  out.found = found && found->is_bool() && found->as_bool();
  if (const json::value* d = answered.answer.if_contains("data"); d && d->is_object())
    out.data = d->as_object();
  out.signature = std::move(answered.signature);
  out.log_seq = answered.log_seq;
  return out;
}

}  // namespace ow::app
