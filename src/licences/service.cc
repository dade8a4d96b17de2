#include <algorithm>

#include "core/calendar.h"
#include "core/text.h"
#include "crypto/encoding.h"
#include "licences/pki_internal.h"
#include "licences/service_internal.h"

namespace ow::licences {

std::string MaskName(const std::string& kind, const std::string& name) {
  if (kind == kEnterprise) return name;
  std::string out;
  size_t i = 0;
  bool first = true;
  while (i < name.size()) {
    size_t start = i;
    if (!text::DecodeUtf8(name, i)) break;
    if (first) {
      out.append(name, start, i - start);
      first = false;
    } else {
      out += "*";
    }
  }
  return out;
}

std::string EndOfValidity(const std::string& from, int64_t months) {
  auto d = ParseDate(from);
  if (!d || months <= 0) return "";
  int64_t total = d->year * 12 + (d->month - 1) + months;
  int year = static_cast<int>(total / 12), month = static_cast<int>(total % 12) + 1;
  int day = d->day;
  while (day > 28 && !IsValidDate(year, month, day)) --day;
  return FormatDate(AddDays(*MakeDate(year, month, day), -1));
}

audit::Event SealUse(const std::string& seal_id, const std::string& actor,
                     const std::string& purpose, const std::string& subject) {
  return {"seal.used",
          actor,
          subject,
          "success",
          "",
          "",
          json::object{{"seal", seal_id}, {"purpose", purpose}}};
}

Service::Service(db::Database& db, identity::Service& identity, departments::Service& departments,
                 Options options)
    : db_(db),
      identity_(identity),
      departments_(departments),
      options_(std::move(options)),
      holder_key_(identity.keys().Derive("licences.holder")),
      ring_(std::make_unique<Ring>(db, identity.keys())) {}

Service::~Service() = default;

std::string Service::DepartmentName(const std::string& code) {
  return CachedName(code, [&] {
    auto d = departments_.Get(code);
    return d ? d->name : std::string();
  });
}

std::string Service::DepartmentName(db::Connection& c, const std::string& code) {
  return CachedName(code, [&] {
    auto d = departments::Service::Get(c, code);
    return d ? d->name : std::string();
  });
}

std::string Service::CachedName(const std::string& code, const std::function<std::string()>& load) {
  auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(names_mu_);
    auto it = names_.find(code);
    if (it != names_.end() && now - it->second.second < std::chrono::minutes(1))
      return it->second.first;
  }
  std::string name = load();
  if (name.empty()) return "";
  std::lock_guard lock(names_mu_);
  if (names_.size() > 10000) names_.clear();  // bounded: departments number in the thousands
  names_[code] = {name, now};
  return name;
}

std::string Service::QrText(const std::string& payload) const {
  std::string base = options_.public_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + "/verify#" + payload;
}

Result<Licence> Service::Open(db::Connection& c, const store::LicenceRow& row, bool events) const {
  Licence l = row.licence;
  const auto& keys = identity_.keys().data_keys;
  auto key = keys.find(row.data.key_version);
  if (key == keys.end())
    return Internal("licence " + l.number + " is sealed with data key version " +
                    std::to_string(row.data.key_version) + ", which is not configured");
  OW_ASSIGN_OR_RETURN(auto box, crypto::Base64UrlDecode(row.data.box));
  auto data = key->second.Open(box, LicenceAad(l.id));
  if (!data) return Internal("licence " + l.number + " cannot be opened with its data key");
  l.sealed_data = *data;
  boost::system::error_code ec;
  json::value v = json::parse(l.sealed_data, ec);
  if (ec || !v.is_object()) return Internal("licence " + l.number + " holds malformed data");
  const json::object& o = v.as_object();
  if (const auto* h = o.if_contains("holder"); h && h->is_object()) {
    const auto& ho = h->as_object();
    if (const auto* id = ho.if_contains("id"); id && id->is_string())
      l.holder_id = std::string(id->as_string());
    if (const auto* name = ho.if_contains("name"); name && name->is_string())
      l.holder_name = std::string(name->as_string());
  }
  if (const auto* f = o.if_contains("fields"); f && f->is_object()) l.fields = f->as_object();
  if (const auto* d = o.if_contains("issuer"); d && d->is_object())
    if (const auto* n = d->as_object().if_contains("department_name"); n && n->is_string())
      l.department_name = std::string(n->as_string());
  if (events) {
    OW_ASSIGN_OR_RETURN(l.events, store::LicenceEvents(c, l.id));
  }
  return l;
}

}  // namespace ow::licences
