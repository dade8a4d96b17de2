#include "materials/routes.h"

#include <boost/json.hpp>
#include <cctype>

#include "http/problem.h"
#include "materials/sniff.h"

namespace ow::materials {
namespace {

namespace json = boost::json;

json::object MaterialJson(const Material& m) {
  return {{"id", m.id},
          {"sha256", m.sha256},
          {"size", m.size},
          {"media_type", m.media_type},
          {"filename", m.filename},
          {"created_at", m.created_at},
          {"scan_result", m.scan_result}};
}

http::Response Private(http::Response res) {
  res.set(http::Field::cache_control, "no-store");
  return res;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// RFC 8187 value-chars: %XX escapes; nullopt when malformed.
std::optional<std::string> PercentDecode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    if (i + 2 >= s.size()) return std::nullopt;
    int hi = HexValue(s[i + 1]), lo = HexValue(s[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

// The file name of a Content-Disposition header (RFC 6266): filename* (UTF-8) wins
// over filename; "" when there is neither.
std::string DispositionFilename(std::string_view header) {
  std::string plain, extended;
  size_t i = header.find(';');
  while (i != std::string_view::npos && i < header.size()) {
    ++i;
    while (i < header.size() && (header[i] == ' ' || header[i] == '\t')) ++i;
    size_t eq = header.find('=', i);
    if (eq == std::string_view::npos) break;
    std::string name(header.substr(i, eq - i));
    while (!name.empty() && name.back() == ' ') name.pop_back();
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    size_t v = eq + 1;
    while (v < header.size() && header[v] == ' ') ++v;
    std::string value;
    if (v < header.size() && header[v] == '"') {
      for (++v; v < header.size() && header[v] != '"'; ++v) {
        if (header[v] == '\\' && v + 1 < header.size()) ++v;
        value += header[v];
      }
      i = header.find(';', v);
    } else {
      i = header.find(';', v);
      value = std::string(header.substr(v, i == std::string_view::npos ? i : i - v));
      while (!value.empty() && value.back() == ' ') value.pop_back();
    }
    if (name == "filename") plain = value;
    if (name == "filename*") {
      // charset'language'percent-encoded
      size_t q1 = value.find('\''), q2 = q1 == std::string::npos ? q1 : value.find('\'', q1 + 1);
      if (q2 == std::string::npos) continue;
      std::string charset = value.substr(0, q1);
      for (auto& c : charset) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (charset != "utf-8") continue;
      if (auto decoded = PercentDecode(std::string_view(value).substr(q2 + 1))) extended = *decoded;
    }
  }
  return extended.empty() ? plain : extended;
}

// attachment; filename="ascii fallback"; filename*=UTF-8''percent-encoded
std::string AttachmentHeader(const std::string& filename) {
  std::string ascii, encoded;
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (unsigned char c : filename) {
    bool plain = c >= 0x20 && c < 0x7F && c != '"' && c != '\\' && c != '%' && c != ';';
    if (plain) {
      ascii += static_cast<char>(c);
    } else if (c < 0x80 || c >= 0xC0) {
      ascii += '_';  // one per character: UTF-8 continuation bytes add none
    }
    if (std::isalnum(c) ||
        std::string_view("!#$&+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos) {
      encoded += static_cast<char>(c);
    } else {
      encoded += '%';
      encoded += kHex[c >> 4];
      encoded += kHex[c & 15];
    }
  }
  return "attachment; filename=\"" + ascii + "\"; filename*=UTF-8''" + encoded;
}

}  // namespace

void AddRoutes(http::Router& r, Service& service, const identity::Authenticator& authn,
               const MayRead& may_read, const EnterpriseRights& enterprise_rights) {
  Service* s = &service;
  const identity::Authenticator* a = &authn;
  auto fail = [](const http::Context& ctx, const Error& e) {
    return Private(http::Problem(e, ctx.path));
  };
  // The enterprise `who` acts for with ?enterprise= (its normalized credit code; "" without
  // it: their own account) when they hold a right `need` accepts now (kNotFound for
  // those holding none, kPermissionDenied for others).
  auto owner_for = [enterprise_rights](
                       const http::Context& ctx, const identity::Principal& who,
                       bool (*need)(const authz::OperatorRights&)) -> Result<std::string> {
    if (who.account_id.empty()) return PermissionDenied("only an account has materials");
    auto code = ctx.Query("enterprise");
    if (!code) return std::string();
    if (!enterprise_rights || who.kind != identity::kPerson)
      return NotFound("no enterprise " + *code + " you operate");
    auto rights = enterprise_rights(who, *code);
    if (!rights && rights.error().code != Code::kNotFound) return rights.error();
    if (!rights || !rights->second.Any())
      return NotFound("no enterprise " + *code + " you operate");
    if (!need(rights->second)) return PermissionDenied("you may not act in this enterprise's name");
    return rights->first;
  };
  auto to_apply = [](const authz::OperatorRights& held) { return held.apply; };
  auto to_read = [](const authz::OperatorRights& held) { return held.Any(); };
  // The material `id` if `who` may read it; kNotFound otherwise (existence is not
  // revealed to others).
  auto readable = [s, may_read, enterprise_rights](const identity::Principal& who,
                                                   const std::string& id) -> Result<Material> {
    OW_ASSIGN_OR_RETURN(Material m, s->Get(id));
    // An enterprise's material is its operators' (whatever right, held now), not its
    // uploader's.
    bool owner = m.owner_enterprise.empty() && !who.account_id.empty() &&
                 who.account_id == m.owner_account_id;
    if (!m.owner_enterprise.empty() && enterprise_rights && who.kind == identity::kPerson) {
      auto rights = enterprise_rights(who, m.owner_enterprise);
      owner = rights && rights->second.Any();
    }
    if (!owner && !(may_read && may_read(who, m))) return NotFound("no material " + id);
    return m;
  };

  r.Post("/api/v1/materials",
         [s, a, fail, owner_for, to_apply](http::Context& ctx) {
           auto who = a->Authenticate(ctx);
           if (!who) return fail(ctx, who.error());
           auto enterprise = owner_for(ctx, *who, to_apply);
           if (!enterprise) return fail(ctx, enterprise.error());
           if (!ctx.spool) return fail(ctx, Internal("the upload was not spooled"));
           auto type = SniffFile(ctx.spool->path);
           if (!type) return fail(ctx, type.error());
           if (!*type) {
             return Private(http::Problem(
                 http::Status::unsupported_media_type,
                 std::string("the file must be ") + kAcceptedTypes + " (judged by its content)",
                 ctx.path));
           }
           std::string filename =
               DispositionFilename(ctx.request[http::Field::content_disposition]);
           if (filename.empty()) filename = ctx.Query("filename").value_or("");
           auto m = s->Store(who->account_id, *ctx.spool, filename, *enterprise);
           if (!m) return fail(ctx, m.error());
           auto res = Private(http::Json(http::Status::created, MaterialJson(*m)));
           res.set(http::Field::location, "/api/v1/materials/" + m->id);
           return res;
         })
      .Requires(authz::Action::kUploadMaterial)
      .Idempotent()
      // Only a caller who may upload here gets 100 Continue and has the body read: the
      // gate's decision (the dispatcher's) and the owner's, from the header alone.
      .Spool(service.max_file_bytes(),
             [owner_for, to_apply](http::Context& ctx) -> Status {
               auto enterprise = owner_for(ctx, ctx.Who(), to_apply);
               if (!enterprise) return enterprise.error();
               return {};
             })
      .Blocking();

  r.Get("/api/v1/me/materials", [s, a, fail, owner_for, to_read](http::Context& ctx) {
     auto who = a->Authenticate(ctx);
     if (!who) return fail(ctx, who.error());
     auto enterprise = owner_for(ctx, *who, to_read);
     if (!enterprise) return fail(ctx, enterprise.error());
     auto list = s->ListByOwner(who->account_id, *enterprise);
     if (!list) return fail(ctx, list.error());
     json::array items;
     for (const auto& m : *list) items.push_back(MaterialJson(m));
     return Private(http::Json(http::Status::ok, {{"materials", std::move(items)}}));
   }).Requires(authz::Action::kReadMaterial);

  r.Get("/api/v1/materials/{id}", [a, fail, readable](http::Context& ctx) {
     auto who = a->Authenticate(ctx);
     if (!who) return fail(ctx, who.error());
     auto m = readable(*who, ctx.Param("id"));
     if (!m) return fail(ctx, m.error());
     return Private(http::Json(http::Status::ok, MaterialJson(*m)));
   }).Requires(authz::Action::kReadMaterial);

  r.Get("/api/v1/materials/{id}/content",
        [s, a, fail, readable](http::Context& ctx) {
          auto who = a->Authenticate(ctx);
          if (!who) return fail(ctx, who.error());
          auto m = readable(*who, ctx.Param("id"));
          if (!m) return fail(ctx, m.error());
          std::string etag = "\"" + m->sha256 + "\"";
          auto headers = [&](http::Response& res) {
            res.set(http::Field::etag, etag);
            // Personal documents: browsers may keep them only to revalidate.
            res.set(http::Field::cache_control, "private, no-cache");
          };
          std::string_view inm = ctx.request[http::Field::if_none_match];
          if (!inm.empty() && (inm == "*" || inm.find(etag) != std::string_view::npos)) {
            http::Response nm{http::Status::not_modified, 11};
            headers(nm);
            return nm;
          }
          auto bytes = s->Content(m->id);
          if (!bytes) return fail(ctx, bytes.error());
          http::Response res{http::Status::ok, 11};
          headers(res);
          res.set(http::Field::content_type, m->media_type);
          res.set(http::Field::content_disposition, AttachmentHeader(m->filename));
          res.set("X-Content-Type-Options", "nosniff");
          res.set("Content-Security-Policy", "default-src 'none'; sandbox");
          res.body() = std::move(*bytes);
          res.prepare_payload();
          return res;
        })
      .Requires(authz::Action::kReadMaterial)
      .Blocking();
}

}  // namespace ow::materials
