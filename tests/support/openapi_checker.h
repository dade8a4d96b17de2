// The OpenAPI checker shared by the API-description tests (tests/openapi_*_test.cc):
// the document (docs/openapi.json), its operations, a schema check for the parts of
// JSON Schema the document uses, and ResponseChecker, which sends probes to a real
// server and checks every answer against the operation it documents. Plus the small
// request helpers those tests share.
#ifndef OW_TESTS_SUPPORT_OPENAPI_CHECKER_H_
#define OW_TESTS_SUPPORT_OPENAPI_CHECKER_H_

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <initializer_list>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "app/demo.h"
#include "app/system_routes.h"
#include "cases/service.h"
#include "core/clock.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "identity/ids.h"
#include "identity/service.h"
#include "support/test_support.h"

namespace ow::testing {

namespace json = boost::json;
using boost::beast::http::verb;

inline constexpr const char* kMethods[] = {"get",     "put",  "post",  "delete",
                                           "options", "head", "patch", "trace"};

inline const json::value& Document() {
  static const json::value doc = json::parse(app::OpenApiDocument());
  return doc;
}

inline std::string Join(const std::vector<std::string>& items, std::string_view sep = "\n  ") {
  std::string out;
  for (const auto& s : items) {
    out += sep;
    out += s;
  }
  return out;
}

inline std::string Cat(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (auto part : parts) out += part;
  return out;
}

inline std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

inline std::string Upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// Follows local "$ref"s ("#/components/...") to the object they name; null when a
// reference does not resolve or the target is not an object.
inline const json::object* Resolve(const json::value& v) {
  const json::value* cur = &v;
  for (int hops = 0; hops < 16; ++hops) {
    if (!cur->is_object()) return nullptr;
    const json::value* ref = cur->as_object().if_contains("$ref");
    if (!ref) return &cur->as_object();
    if (!ref->is_string() || ref->as_string().empty() || ref->as_string()[0] != '#') return nullptr;
    boost::system::error_code ec;
    cur = Document().find_pointer(std::string_view(ref->as_string()).substr(1), ec);
    if (!cur || ec) return nullptr;
  }
  return nullptr;
}

struct Operation {
  std::string method;  // upper case, as the router names it
  std::string path;
  const json::object* op;
};

inline std::vector<Operation> Operations() {
  std::vector<Operation> out;
  const json::object* paths = Document().as_object().at("paths").if_object();
  if (!paths) return out;
  for (const auto& [path, item] : *paths) {
    for (const char* m : kMethods) {
      if (const json::value* op = item.as_object().if_contains(m); op && op->is_object()) {
        out.push_back({Upper(m), std::string(path), &op->as_object()});
      }
    }
  }
  return out;
}

inline const json::object* FindOperation(const std::string& method, const std::string& path) {
  for (const auto& o : Operations()) {
    if (o.method == method && o.path == path) return o.op;
  }
  return nullptr;
}

// True when a response (or a reference to one) has an application/problem+json body
// described by the shared Problem schema.
inline bool IsProblemResponse(const json::value& response) {
  const json::object* r = Resolve(response);
  const json::value* content = r ? r->if_contains("content") : nullptr;
  if (!content || !content->is_object()) return false;
  const json::value* media = content->as_object().if_contains("application/problem+json");
  if (!media || !media->is_object()) return false;
  const json::value* schema = media->as_object().if_contains("schema");
  if (!schema || !schema->is_object()) return false;
  const json::value* ref = schema->as_object().if_contains("$ref");
  return ref && ref->is_string() && ref->as_string() == "#/components/schemas/Problem";
}

// Checks `v` against the parts of JSON Schema the document uses: $ref, allOf, oneOf,
// anyOf, type, enum, const, required, properties, additionalProperties: false and items.
inline void CheckSchema(const json::value& schema_ref, const json::value& v,
                        const std::string& where, std::vector<std::string>& faults) {
  const json::object* s = Resolve(schema_ref);
  if (!s) {
    faults.push_back(where + ": schema does not resolve");
    return;
  }
  if (const json::value* all = s->if_contains("allOf")) {
    for (const auto& part : all->as_array()) CheckSchema(part, v, where, faults);
  }
  // oneOf: exactly one alternative fits; anyOf: at least one. When none does, the
  // faults of the nearest alternative explain why.
  for (const char* keyword : {"oneOf", "anyOf"}) {
    const json::value* alternatives = s->if_contains(keyword);
    if (!alternatives) continue;
    size_t fitting = 0;
    std::vector<std::string> nearest;
    for (const auto& alternative : alternatives->as_array()) {
      std::vector<std::string> own;
      CheckSchema(alternative, v, where, own);
      if (own.empty()) {
        ++fitting;
      } else if (nearest.empty() || own.size() < nearest.size()) {
        nearest = std::move(own);
      }
    }
    if (fitting == 0) {
      faults.push_back(Cat({where, ": fits none of the ", keyword,
                            " alternatives; nearest:", Join(nearest, "\n    ")}));
    } else if (fitting > 1 && std::string_view(keyword) == "oneOf") {
      faults.push_back(where + ": fits " + std::to_string(fitting) +
                       " of the oneOf alternatives, not exactly one");
    }
  }
  if (const json::value* type = s->if_contains("type")) {
    std::vector<std::string> allowed;
    if (type->is_string()) allowed.emplace_back(type->as_string());
    if (type->is_array()) {
      for (const auto& t : type->as_array()) allowed.emplace_back(t.as_string());
    }
    auto is = [&](const std::string& t) {
      if (t == "string") return v.is_string();
      if (t == "integer") return v.is_int64() || v.is_uint64();
      if (t == "number") return v.is_number();
      if (t == "boolean") return v.is_bool();
      if (t == "null") return v.is_null();
      if (t == "array") return v.is_array();
      if (t == "object") return v.is_object();
      return false;
    };
    if (std::none_of(allowed.begin(), allowed.end(), is)) {
      faults.push_back(where + ": " + json::serialize(v) + " is not of type " +
                       json::serialize(*type));
      return;
    }
  }
  if (const json::value* e = s->if_contains("enum")) {
    const auto& values = e->as_array();
    if (std::find(values.begin(), values.end(), v) == values.end()) {
      faults.push_back(where + ": " + json::serialize(v) + " is not one of " + json::serialize(*e));
    }
  }
  if (const json::value* c = s->if_contains("const"); c && *c != v) {
    faults.push_back(where + ": " + json::serialize(v) + " is not " + json::serialize(*c));
  }
  if (v.is_object()) {
    const json::object& obj = v.as_object();
    const json::object* props =
        s->if_contains("properties") ? s->at("properties").if_object() : nullptr;
    if (const json::value* required = s->if_contains("required")) {
      for (const auto& r : required->as_array()) {
        if (!obj.contains(r.as_string()))
          faults.push_back(where + ": lacks required member " + std::string(r.as_string()));
      }
    }
    for (const auto& [key, member] : obj) {
      if (props && props->contains(key)) {
        CheckSchema(props->at(key), member, where + "." + std::string(key), faults);
      } else if (const json::value* ap = s->if_contains("additionalProperties");
                 ap && ap->is_bool() && !ap->as_bool()) {
        faults.push_back(where + ": member " + std::string(key) + " is not allowed");
      }
    }
  }
  if (v.is_array()) {
    if (const json::value* items = s->if_contains("items")) {
      for (size_t i = 0; i < v.as_array().size(); ++i) {
        CheckSchema(*items, v.as_array()[i], where + "[" + std::to_string(i) + "]", faults);
      }
    }
  }
}

struct Probe {
  verb method;
  std::string target;  // path and query as sent
  std::string path;    // the documented path template it exercises
  int status;          // what the server must answer
  std::string body;    // sent as application/json unless `headers` names a Content-Type
  std::map<std::string, std::string> headers;
};

// Sends probes and checks each real response against the document: its status is
// listed for the operation, its media type is one the document names, every
// documented header is present (with the documented value or pattern where the
// document fixes one) and the body fits the schema. A request body sent with success
// is checked against the documented request schema of its media type.
class ResponseChecker {
 public:
  explicit ResponseChecker(uint16_t port) : client_(port) {}

  // Sends `p`, records any fault, and returns the response for later probes to use.
  HttpResponse Check(const Probe& p) {
    std::string method = std::string(boost::beast::http::to_string(p.method));
    std::string name = method + " " + p.target + " -> " + std::to_string(p.status);
    probed_.insert(method + " " + p.path);
    auto headers = p.headers;
    if (!p.body.empty() && !headers.contains("Content-Type"))
      headers["Content-Type"] = "application/json";
    HttpResponse res = client_.Send(p.method, p.target, p.body, headers);
    if (res.status != p.status) {
      faults_.push_back(name + ": got " + std::to_string(res.status) + " " + res.body);
      return res;
    }
    const json::object* op = FindOperation(method, p.path);
    if (!op) {
      faults_.push_back(Cat({name, ": ", method, " ", p.path, " is not documented"}));
      return res;
    }
    if (p.status / 100 == 2 && !p.body.empty()) CheckRequestBody(name, *op, p, headers);
    const json::object& responses = op->at("responses").as_object();
    const json::value* documented = responses.if_contains(std::to_string(p.status));
    if (!documented) {
      faults_.push_back(name + ": status " + std::to_string(p.status) +
                        " is not documented for the operation");
      return res;
    }
    const json::object* r = Resolve(*documented);
    if (!r) {
      faults_.push_back(name + ": the response does not resolve");
      return res;
    }
    if (const json::value* hs = r->if_contains("headers")) CheckHeaders(name, hs->as_object(), res);
    const json::value* content = r->if_contains("content");
    if (!content) {
      if (!res.body.empty()) faults_.push_back(name + ": documented without a body, but has one");
      return res;
    }
    std::string media = MediaType(res.header("content-type"));
    const json::value* entry = content->as_object().if_contains(media);
    if (!entry) {
      faults_.push_back(Cat({name, ": media type ", media, " is not documented"}));
      return res;
    }
    if (IsJson(media) && entry->as_object().contains("schema")) {
      boost::system::error_code ec;
      json::value body = json::parse(res.body, ec);
      if (ec) {
        faults_.push_back(name + ": body is not JSON");
      } else {
        CheckSchema(entry->at("schema"), body, name + " body", faults_);
      }
    }
    return res;
  }

  // The operations (method and path template) probed so far.
  const std::set<std::string>& probed() const { return probed_; }
  const std::vector<std::string>& faults() const { return faults_; }

 private:
  static std::string MediaType(const std::string& content_type) {
    return Lower(content_type.substr(0, content_type.find(';')));
  }
  static bool IsJson(const std::string& media) {
    return media == "application/json" || media.ends_with("+json");
  }

  void CheckRequestBody(const std::string& name, const json::object& op, const Probe& p,
                        const std::map<std::string, std::string>& headers) {
    const json::object* rb = op.contains("requestBody") ? Resolve(op.at("requestBody")) : nullptr;
    if (!rb) {
      faults_.push_back(name + ": the request body is not documented");
      return;
    }
    std::string media = MediaType(headers.at("Content-Type"));
    const json::value* entry = rb->at("content").as_object().if_contains(media);
    if (!entry) {
      faults_.push_back(Cat({name, ": request media type ", media, " is not documented"}));
    } else if (IsJson(media)) {
      CheckSchema(entry->at("schema"), json::parse(p.body), name + " request", faults_);
    }
  }

  void CheckHeaders(const std::string& name, const json::object& documented,
                    const HttpResponse& res) {
    for (const auto& [header, h] : documented) {
      std::string actual = res.header(Lower(std::string(header)));
      const json::object* declared = Resolve(h);
      // A header documented with "required": false may be absent (Idempotent-Replayed).
      if (actual.empty() && declared && declared->contains("required") &&
          declared->at("required").is_bool() && !declared->at("required").as_bool())
        continue;
      if (actual.empty()) {
        faults_.push_back(name + ": documented header " + std::string(header) + " is missing");
        continue;
      }
      const json::object* hdef = Resolve(h);
      const json::object* hschema =
          hdef && hdef->contains("schema") ? Resolve(hdef->at("schema")) : nullptr;
      if (!hschema) continue;
      if (hschema->contains("const") && hschema->at("const").as_string() != actual) {
        faults_.push_back(Cat({name, ": header ", header, " is ", actual, ", documented as ",
                               json::serialize(hschema->at("const"))}));
      }
      if (const json::value* pattern = hschema->if_contains("pattern");
          pattern && !std::regex_search(actual, std::regex(std::string(pattern->as_string())))) {
        faults_.push_back(Cat({name, ": header ", header, " is ", actual, ", which does not match ",
                               pattern->as_string()}));
      }
    }
  }

  HttpClient client_;
  std::vector<std::string> faults_;
  std::set<std::string> probed_;
};

// Fails the test for every documented operation of `in_scope` that no probe exercised.
inline void ExpectAllProbed(const ResponseChecker& checker,
                            bool (*in_scope)(const std::string& path)) {
  std::vector<std::string> unprobed;
  for (const auto& o : Operations()) {
    if (in_scope(o.path) && !checker.probed().contains(o.method + " " + o.path))
      unprobed.push_back(o.method + " " + o.path);
  }
  EXPECT_TRUE(unprobed.empty()) << "operations no probe exercises (add one):" << Join(unprobed);
  EXPECT_TRUE(checker.faults().empty())
      << "real responses that docs/openapi.json does not describe:" << Join(checker.faults());
}

// Process definitions, and the process a catalog item follows.
inline bool IsProcessPath(const std::string& path) {
  return path.starts_with("/api/v1/processes") ||
         (path.starts_with("/api/v1/catalog/items/") && path.ends_with("/process"));
}
inline bool IsCatalogPath(const std::string& path) {
  return path.starts_with("/api/v1/catalog") && !IsProcessPath(path);
}
// Trusted peer platforms and sign-in through them.
inline bool IsFederationPath(const std::string& path) {
  return path.starts_with("/api/v1/trusts") || path.starts_with("/oauth2/federation/");
}
// Uploaded files.
inline bool IsMaterialsPath(const std::string& path) {
  return path.starts_with("/api/v1/materials") || path == "/api/v1/me/materials";
}
// The CA, seals, licence types, licences and their verification, and the templates of
// case documents.
inline bool IsLicencesPath(const std::string& path) {
  for (const char* prefix : {"/api/v1/pki/", "/api/v1/seals", "/api/v1/licence",
                             "/api/v1/me/licences", "/api/v1/document-templates"})
    if (path.starts_with(prefix)) return true;
  return false;
}
// Notification preferences and the outbox's deliveries (tests/openapi_notify_test.cc).
inline bool IsNotifyPath(const std::string& path) {
  return path.starts_with("/api/v1/me/notification-preferences") ||
         path.starts_with("/api/v1/notification-deliveries");
}
// Consultations, complaints, suggestions and the FAQ.
inline bool IsTicketsPath(const std::string& path) {
  for (const char* prefix :
       {"/api/v1/tickets", "/api/v1/ticket-", "/api/v1/me/tickets", "/api/v1/faq"})
    if (path.starts_with(prefix)) return true;
  return false;
}
// Good/bad ratings and their rectification (tests/openapi_ratings_test.cc), a case's
// ratings and rating link included.
inline bool IsRatingsPath(const std::string& path) {
  return (path.starts_with("/api/v1/rating") && path != "/api/v1/rating-summary") ||
         path == "/api/v1/me/ratings" ||
         (path.starts_with("/api/v1/cases/") &&
          (path.ends_with("/ratings") || path.ends_with("/rating-link")));
}

// The indicators of supervision, their exports and the public ratings summary
// (tests/openapi_indicators_test.cc).
inline bool IsIndicatorsPath(const std::string& path) {
  return path.starts_with("/api/v1/indicators") || path == "/api/v1/rating-summary";
}

// The exchange message log, the person's data uses and the time-stamping authority.
inline bool IsExchangeLogPath(const std::string& path) {
  return path.starts_with("/api/v1/exchange/log") || path.starts_with("/api/v1/me/data-uses") ||
         path.starts_with("/api/v1/tsa");
}
// The data exchange: resources, systems, grants, queries, bases (the log is apart).
inline bool IsExchangePath(const std::string& path) {
  return path.starts_with("/api/v1/exchange/") && !IsExchangeLogPath(path);
}
// Events to department systems: subscriptions, deliveries, dead letters.
inline bool IsWebhooksPath(const std::string& path) {
  return path.starts_with("/api/v1/webhooks/") || path.starts_with("/api/v1/webhook-");
}
// Accounts, sessions, staff, enterprises, the OpenID Connect provider and the audit log.
// Applications, the staff workbench, applicants' messages and bundle applications.
// Cases using the data exchange: the form filled in from the person's data, a case's
// consented data fetched again (tests/fetchdata_test.cc).
inline bool IsFetchDataPath(const std::string& path) {
  return path == "/api/v1/me/prefill/data" || path == "/api/v1/cases/{no}/data-uses/fetch" ||
         path == "/api/v1/me/data-consent-requests" || path == "/api/v1/cases/{no}/data-consents";
}
inline bool IsCasesPath(const std::string& path) {
  if (IsRatingsPath(path) || IsFetchDataPath(path)) return false;
  for (const char* prefix : {"/api/v1/cases", "/api/v1/case-lookups", "/api/v1/me/cases",
                             "/api/v1/me/messages", "/api/v1/me/prefill",
                             "/api/v1/bundle-applications", "/api/v1/workbench", "/api/v1/tasks"}) {
    if (path.starts_with(prefix)) return true;
  }
  return false;
}
// Supervision: the watch list, orders, claims, inspection staff, plans and published plans.
inline bool IsSupervisePath(const std::string& path) {
  return path.starts_with("/api/v1/supervision") || path.starts_with("/api/v1/inspection");
}
// Halls, bookings and the hall's queue.
inline bool IsAppointmentsPath(const std::string& path) {
  return path.starts_with("/api/v1/halls") || path.starts_with("/api/v1/bookings") ||
         path == "/api/v1/me/bookings";
}
// Archived cases and their packages (tests/openapi_archive_test.cc).
inline bool IsArchivePath(const std::string& path) {
  return path.starts_with("/api/v1/archive/") || path.starts_with("/api/v1/me/archived-cases");
}
inline bool IsIdentityPath(const std::string& path) {
  if (IsFederationPath(path) || IsCasesPath(path) || IsMaterialsPath(path) ||
      IsLicencesPath(path) || IsNotifyPath(path) || IsAppointmentsPath(path) ||
      IsTicketsPath(path) || IsRatingsPath(path) || IsExchangeLogPath(path) ||
      IsFetchDataPath(path) || IsArchivePath(path))
    return false;
  for (const char* prefix :
       {"/api/v1/accounts", "/api/v1/session", "/api/v1/me/", "/api/v1/staff", "/api/v1/counter/",
        "/api/v1/enterprises", "/api/v1/oidc/", "/api/v1/audit", "/oauth2/", "/.well-known/"}) {
    if (path.starts_with(prefix)) return true;
  }
  return false;
}
bool IsCalendarPath(const std::string& path) { return path.starts_with("/api/v1/calendar"); }
inline bool IsReferencePath(const std::string& path) {
  return !IsCatalogPath(path) && !IsIdentityPath(path) && !IsFederationPath(path) &&
         !IsProcessPath(path) && !IsCalendarPath(path) && !IsCasesPath(path) &&
         !IsMaterialsPath(path) && !IsLicencesPath(path) && !IsNotifyPath(path) &&
         !IsAppointmentsPath(path) && !IsTicketsPath(path) && !IsRatingsPath(path) &&
         !IsExchangeLogPath(path) && !IsExchangePath(path) && !IsArchivePath(path) &&
         !IsWebhooksPath(path) && !IsSupervisePath(path) && !IsIndicatorsPath(path) &&
         !IsFetchDataPath(path);
}

inline std::map<std::string, std::string> With(std::map<std::string, std::string> h,
                                               const std::string& k, const std::string& v) {
  h[k] = v;
  return h;
}

// The `id` (or `change_id`) of a created change, "0" when the response has none.
inline std::string IdOf(const HttpResponse& res) {
  boost::system::error_code ec;
  json::value v = json::parse(res.body, ec);
  if (ec || !v.is_object()) return "0";
  for (const char* key : {"id", "change_id"}) {
    if (const json::value* id = v.as_object().if_contains(key); id && id->is_int64())
      return std::to_string(id->as_int64());
  }
  return "0";
}

// True when the problem in `res` names `field` in its `errors`.
inline bool NamesField(const HttpResponse& res, const std::string& field) {
  boost::system::error_code ec;
  json::value v = json::parse(res.body, ec);
  const json::value* errors = !ec && v.is_object() ? v.as_object().if_contains("errors") : nullptr;
  if (!errors || !errors->is_array()) return false;
  return std::any_of(errors->as_array().begin(), errors->as_array().end(), [&](const auto& e) {
    const json::value* f = e.is_object() ? e.as_object().if_contains("field") : nullptr;
    return f && f->is_string() && f->as_string() == field;
  });
}

// GB 11643: the first 17 digits of a resident ID number and its check character.
inline std::string ResidentId(const std::string& first17) {
  return first17 + identity::ResidentIdCheckChar(first17);
}

// Percent-encodes everything but RFC 3986 unreserved characters.
inline std::string UrlEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

// The value of query parameter `name` in a URL (values here need no decoding).
inline std::string QueryParam(const std::string& url, const std::string& name) {
  for (const char* sep : {"?", "&"}) {
    size_t at = url.find(sep + name + "=");
    if (at == std::string::npos) continue;
    size_t from = at + name.size() + 2;
    return url.substr(from, url.find('&', from) - from);
  }
  return {};
}

// A member of a JSON object response as a string; "" when absent.
inline std::string Member(const HttpResponse& res, const char* key) {
  boost::system::error_code ec;
  json::value v = json::parse(res.body, ec);
  const json::value* m = !ec && v.is_object() ? v.as_object().if_contains(key) : nullptr;
  return m && m->is_string() ? std::string(m->as_string()) : std::string();
}

// A portal session: the Cookie header to send and the CSRF token for unsafe methods.
struct Login {
  std::map<std::string, std::string> read;   // Cookie only
  std::map<std::string, std::string> write;  // Cookie and X-CSRF-Token
};

inline Login LoginOf(const HttpResponse& res) {
  std::string cookie = res.header("set-cookie");
  cookie = cookie.substr(0, cookie.find(';'));
  boost::system::error_code ec;
  json::value v = json::parse(res.body, ec);
  std::string csrf;
  if (!ec && v.is_object() && v.as_object().contains("csrf_token"))
    csrf = std::string(v.at("csrf_token").as_string());
  return {{{"Cookie", cookie}}, {{"Cookie", cookie}, {"X-CSRF-Token", csrf}}};
}

inline std::map<std::string, std::string> Bearer(const std::string& token) {
  return {{"Authorization", "Bearer " + token}};
}

}  // namespace ow::testing

#endif  // OW_TESTS_SUPPORT_OPENAPI_CHECKER_H_
