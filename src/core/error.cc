#include "core/error.h"

#include <stdexcept>

namespace ow {

std::string_view CodeName(Code code) {
  switch (code) {
    case Code::kInvalidArgument:
      return "invalid_argument";
    case Code::kNotFound:
      return "not_found";
    case Code::kAlreadyExists:
      return "already_exists";
    case Code::kConflict:
      return "conflict";
    case Code::kPermissionDenied:
      return "permission_denied";
    case Code::kUnauthenticated:
      return "unauthenticated";
    case Code::kFailedPrecondition:
      return "failed_precondition";
    case Code::kStaleVersion:
      return "stale_version";
    case Code::kUnavailable:
      return "unavailable";
    case Code::kResourceExhausted:
      return "resource_exhausted";
    case Code::kInternal:
      return "internal";
  }
  return "internal";
}

void throw_exception_from_error(const Error& e, const boost::source_location&) {
  throw std::runtime_error(std::string(CodeName(e.code)) + ": " + e.message);
}

Status Validator::Finish(std::string_view what) const {
  if (fields_.empty()) return {};
  std::string msg = "invalid " + std::string(what) + ": ";
  for (size_t i = 0; i < fields_.size(); ++i) {
    if (i) msg += "; ";
    msg += fields_[i].field + " " + fields_[i].message;
  }
  return Error(Code::kInvalidArgument, std::move(msg), fields_);
}

}  // namespace ow
