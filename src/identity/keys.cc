#include "identity/keys.h"

#include <sys/stat.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>

#include "core/log.h"
#include "core/text.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "crypto/random.h"

namespace ow::identity {

namespace json = boost::json;

std::string Keys::Derive(std::string_view purpose) const {
  return crypto::HmacSha256(index_key, purpose);
}

namespace {

Result<std::map<int64_t, crypto::AeadKey>> ParseDataKeys(const std::string& spec) {
  std::map<int64_t, crypto::AeadKey> out;
  size_t start = 0;
  while (start <= spec.size()) {
    size_t end = spec.find(',', start);
    if (end == std::string::npos) end = spec.size();
    std::string entry = spec.substr(start, end - start);
    auto colon = entry.find(':');
    auto version = colon == std::string::npos ? std::nullopt
                                              : text::ParseInt(entry.substr(0, colon), 1, 1000000);
    auto bytes = colon == std::string::npos ? Result<std::string>(InvalidArgument(""))
                                            : crypto::HexDecode(entry.substr(colon + 1));
    if (!version || !bytes || bytes->size() != crypto::kAeadKeySize)
      return InvalidArgument(
          "identity.data_keys: each entry must be version:64-hex-digits (a 32-byte key)");
    out.emplace(*version, *crypto::AeadKey::FromBytes(*bytes));
    start = end + 1;
  }
  return out;
}

}  // namespace

Result<Keys> LoadKeys(const Config& config) {
  std::string data_spec = config.data_keys;
  std::string index_hex = config.index_key;
  if (data_spec.empty() != index_hex.empty())
    return InvalidArgument(
        "identity.data_keys and identity.index_key are set together or not at all");
  if (data_spec.empty()) {
    namespace fs = std::filesystem;
    fs::path path(config.key_file);
    std::error_code ec;
    if (fs::exists(path, ec)) {
      std::ifstream in(path);
      std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      boost::system::error_code jec;
      auto v = json::parse(text, jec);
      if (jec || !v.is_object() || !v.as_object().contains("data_keys") ||
          !v.as_object().contains("index_key") || !v.at("data_keys").is_string() ||
          !v.at("index_key").is_string())
        return Unavailable("cannot read the key file " + path.string());
      data_spec = std::string(v.at("data_keys").as_string());
      index_hex = std::string(v.at("index_key").as_string());
    } else {
      if (path.has_parent_path()) fs::create_directories(path.parent_path(), ec);
      data_spec = "1:" + crypto::HexEncode(crypto::RandomBytes(32));
      index_hex = crypto::HexEncode(crypto::RandomBytes(32));
      json::object o{{"data_keys", data_spec}, {"index_key", index_hex}};
      std::string tmp = path.string() + ".tmp";
      {
        std::ofstream out(tmp, std::ios::trunc);
        out << json::serialize(o) << "\n";
        if (!out) return Unavailable("cannot write the key file " + path.string());
      }
      ::chmod(tmp.c_str(), 0600);
      fs::rename(tmp, path, ec);
      if (ec) return Unavailable("cannot write the key file " + path.string());
      log::Warn("identity.keys_generated",
                {{"file", path.string()},
                 {"hint", "set identity.data_keys and identity.index_key in production"}});
    }
  }
  Keys keys;
  OW_ASSIGN_OR_RETURN(keys.data_keys, ParseDataKeys(data_spec));
  auto index = crypto::HexDecode(index_hex);
  if (!index || index->size() != 32)
    return InvalidArgument("identity.index_key must be 64 hex digits (32 bytes)");
  keys.index_key = *index;
  return keys;
}

}  // namespace ow::identity
