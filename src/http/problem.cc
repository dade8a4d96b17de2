#include "http/problem.h"

#include <boost/json/serialize.hpp>
#include <string>

#include "core/log.h"

namespace ow::http {
namespace {

std::string TypeUri(std::string_view slug) { return "urn:onewindow:problem:" + std::string(slug); }

// Protocol-level problems share the domain codes' snake_case names where they mean
// the same thing (404 is always not_found, 500 always internal).
std::string SlugFor(Status s) {
  if (s == Status::not_found) return "not_found";
  if (s == Status::internal_server_error) return "internal";
  if (s == Status::service_unavailable) return "unavailable";
  std::string reason(beast_http::obsolete_reason(s));
  for (auto& ch : reason) ch = ch == ' ' || ch == '-' ? '_' : static_cast<char>(std::tolower(ch));
  return reason;
}

Response Make(Status status, const std::string& type, std::string_view detail,
              std::string_view instance, const std::vector<FieldError>* fields) {
  boost::json::object body;
  body["type"] = type;
  body["title"] = std::string(beast_http::obsolete_reason(status));
  body["status"] = static_cast<int>(status);
  if (!detail.empty()) body["detail"] = detail;
  if (!instance.empty()) body["instance"] = instance;
  if (fields && !fields->empty()) {
    boost::json::array errors;
    for (const auto& f : *fields) errors.push_back({{"field", f.field}, {"message", f.message}});
    body["errors"] = std::move(errors);
  }
  Response res{status, 11};
  res.set(Field::content_type, "application/problem+json");
  res.set(Field::cache_control, "no-store");
  res.body() = boost::json::serialize(body);
  res.prepare_payload();
  return res;
}

}  // namespace

Status StatusFor(const Error& e) {
  switch (e.code) {
    case Code::kInvalidArgument:
      return e.fields.empty() ? Status::bad_request : Status::unprocessable_entity;
    case Code::kNotFound:
      return Status::not_found;
    case Code::kAlreadyExists:
    case Code::kConflict:
    case Code::kFailedPrecondition:
      return Status::conflict;
    case Code::kStaleVersion:  // RFC 9110 13.1.1: a failed If-Match
      return Status::precondition_failed;
    case Code::kPermissionDenied:
      return Status::forbidden;
    case Code::kUnauthenticated:
      return Status::unauthorized;
    case Code::kUnavailable:
      return Status::service_unavailable;
    case Code::kResourceExhausted:
      return Status::too_many_requests;
    case Code::kInternal:
      return Status::internal_server_error;
  }
  return Status::internal_server_error;
}

Response Problem(const Error& e, std::string_view instance) {
  Status status = StatusFor(e);
  // Internal details (SQL, file paths) stay in the log, never in the response.
  std::string_view detail =
      e.code == Code::kInternal ? std::string_view("an internal error occurred") : e.message;
  if (e.code == Code::kInternal)
    log::Error("http.internal_error", {{"instance", instance}, {"error", e.message}});
  Response res = Make(status, TypeUri(CodeName(e.code)), detail, instance, &e.fields);
  if (e.code == Code::kUnauthenticated) res.set(Field::www_authenticate, "Bearer");
  if (e.code == Code::kUnavailable || e.code == Code::kResourceExhausted) {
    int64_t seconds = e.retry_after.count() > 0      ? e.retry_after.count()
                      : e.code == Code::kUnavailable ? 1
                                                     : 60;
    res.set(Field::retry_after, std::to_string(seconds));
  }
  return res;
}

Response Problem(Status status, std::string_view detail, std::string_view instance) {
  return Make(status, TypeUri(SlugFor(status)), detail, instance, nullptr);
}

}  // namespace ow::http
