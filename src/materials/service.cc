#include "materials/service.h"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <set>

#include "core/clock.h"
#include "core/text.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "crypto/random.h"
#include "materials/sniff.h"
#include "materials/store.h"

namespace ow::materials {
namespace {

using Sql = Store;  // inside Service, "Store" names the member function

Error FileError(const std::string& message) {
  return Error(Code::kInvalidArgument, message, {{"file", message}});
}

std::string Extension(const std::string& media_type) {
  if (media_type == kPdf) return ".pdf";
  if (media_type == kJpeg) return ".jpg";
  if (media_type == kPng) return ".png";
  if (media_type == kOfd) return ".ofd";
  return "";
}

bool IsSha256Hex(const std::string& s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

Error NotFoundError(const std::string& id) { return NotFound("no material " + id); }

}  // namespace

Service::Service(db::Database& db, Options options) : db_(db), options_(std::move(options)) {}

Result<std::string> Service::CleanFilename(const std::string& filename,
                                           const std::string& media_type) {
  auto bad = [](const std::string& why) -> Error {
    return Error(Code::kInvalidArgument, "filename " + why, {{"filename", why}});
  };
  std::string name = filename;
  if (auto slash = name.find_last_of("/\\"); slash != std::string::npos)
    name = name.substr(slash + 1);
  size_t first = name.find_first_not_of(" \t");
  size_t last = name.find_last_not_of(" \t");
  name = first == std::string::npos ? "" : name.substr(first, last - first + 1);
  if (name.empty() || name == "." || name == "..") return "material" + Extension(media_type);
  if (!text::IsValidUtf8(name)) return bad("must be UTF-8");
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7F) return bad("must not contain control characters");
  }
  if (name.size() > 255) return bad("must be at most 255 bytes long");
  return name;
}

Result<Material> Service::Store(const std::string& owner_account_id,
                                const http::SpooledBody& upload, const std::string& filename,
                                const std::string& owner_enterprise) {
  if (owner_account_id.empty()) return PermissionDenied("only an account may own materials");
  if (!IsSha256Hex(upload.sha256_hex)) return Internal("the upload has no valid SHA-256");
  if (upload.size > options_.max_file_bytes) {
    return FileError("is larger than " + std::to_string(options_.max_file_bytes) + " bytes");
  }
  OW_ASSIGN_OR_RETURN(std::optional<std::string> type, SniffFile(upload.path));
  if (!type) return FileError(std::string("must be ") + kAcceptedTypes);
  OW_ASSIGN_OR_RETURN(std::string name, CleanFilename(filename, *type));
  std::string scan_result = kNotScanned;
  if (options_.scanner) {
    OW_ASSIGN_OR_RETURN(scan_result, options_.scanner(upload.path));
  }

  auto now = std::chrono::system_clock::now();
  Material m;
  m.id = "mat_" + crypto::RandomToken(16);
  m.owner_account_id = owner_account_id;
  m.owner_enterprise = owner_enterprise;
  m.sha256 = upload.sha256_hex;
  m.filename = std::move(name);
  m.media_type = *type;
  m.size = static_cast<int64_t>(upload.size);
  m.created_at = FormatTime(now);
  m.scan_result = scan_result;
  const int64_t created_us =
      std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count();

  OW_RETURN_IF_ERROR(db_.Transact([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(bool added, Sql::AddBlob(c, m.sha256, m.size, m.media_type, m.created_at));
    if (added) {
      // New content: copy it in chunks, checking it is what the hash says (the hash
      // names the content for every later upload of the same bytes).
      std::ifstream in(upload.path, std::ios::binary);
      if (!in) return Unavailable("cannot read the upload");
      crypto::Sha256Hasher hasher;
      uint64_t total = 0;
      for (int64_t seq = 0;; ++seq) {
        std::string chunk(kChunkBytes, '\0');
        in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
        chunk.resize(static_cast<size_t>(in.gcount()));
        if (chunk.empty()) break;
        total += chunk.size();
        hasher.Update(chunk);
        OW_RETURN_IF_ERROR(Sql::AddChunk(c, m.sha256, seq, std::move(chunk)));
      }
      if (in.bad()) return Unavailable("cannot read the upload");
      if (total != upload.size || crypto::HexEncode(hasher.Finish()) != m.sha256)
        return Internal("the upload changed while it was being stored");
    }
    return Sql::AddMaterial(c, m, created_us);
  }));
  return m;
}

Result<Material> Service::Get(const std::string& id) {
  std::optional<Material> m;
  OW_RETURN_IF_ERROR(db_.ReadOneStatement([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(m, Sql::Get(c, id));
    return {};
  }));
  if (!m) return NotFoundError(id);
  return std::move(*m);
}

Result<std::vector<Material>> Service::GetMany(const std::vector<std::string>& ids) {
  std::vector<Material> found;
  OW_RETURN_IF_ERROR(db_.ReadOneStatement([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(found, Sql::GetMany(c, ids));
    return {};
  }));
  std::vector<Material> out;
  out.reserve(ids.size());
  for (const auto& id : ids) {
    auto it =
        std::find_if(found.begin(), found.end(), [&](const Material& m) { return m.id == id; });
    if (it == found.end()) return NotFoundError(id);
    out.push_back(*it);
  }
  return out;
}

Result<std::vector<Material>> Service::ListByOwner(const std::string& account_id,
                                                   const std::string& enterprise) {
  std::vector<Material> out;
  OW_RETURN_IF_ERROR(db_.ReadOneStatement([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(out, Sql::ByOwner(c, account_id, enterprise));
    return {};
  }));
  return out;
}

Status Service::CheckOwned(const std::string& account_id, const std::vector<std::string>& ids) {
  return db_.Read([&](db::Connection& c) -> Status {
    for (const auto& id : ids) {
      OW_ASSIGN_OR_RETURN(auto m, Sql::Get(c, id));
      if (!m || m->owner_account_id != account_id || !m->owner_enterprise.empty())
        return NotFoundError(id);
    }
    return {};
  });
}

Status Service::HandOver(db::Connection& c, const std::vector<std::string>& ids,
                         const std::string& from_account, const std::string& to_account) {
  for (const auto& id : ids) OW_RETURN_IF_ERROR(Store::HandOver(c, id, from_account, to_account));
  return {};
}

Result<uint64_t> Service::TotalSize(const std::vector<std::string>& ids) {
  std::set<std::string> distinct(ids.begin(), ids.end());
  uint64_t total = 0;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    total = 0;
    for (const auto& id : distinct) {
      OW_ASSIGN_OR_RETURN(auto m, Sql::Get(c, id));
      if (!m) return NotFoundError(id);
      total += static_cast<uint64_t>(m->size);
    }
    return {};
  }));
  return total;
}

Result<std::string> Service::Content(const std::string& id) {
  std::string out;
  OW_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    OW_ASSIGN_OR_RETURN(auto m, Sql::Get(c, id));
    if (!m) return NotFoundError(id);
    out.clear();
    out.reserve(static_cast<size_t>(m->size));
    for (int64_t seq = 0; out.size() < static_cast<uint64_t>(m->size); ++seq) {
      OW_ASSIGN_OR_RETURN(auto chunk, Sql::Chunk(c, m->sha256, seq));
      if (!chunk || chunk->empty()) return Internal("blob " + m->sha256 + " lacks chunks");
      out += *chunk;
    }
    if (out.size() != static_cast<uint64_t>(m->size) ||
        crypto::HexEncode(crypto::Sha256(out)) != m->sha256) {
      return Internal("blob " + m->sha256 + " does not match its SHA-256");
    }
    return {};
  }));
  return out;
}

}  // namespace ow::materials
