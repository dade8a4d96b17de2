// Errors and results.
//
// Expected failures travel as values: a function that can fail returns
// `Result<T>` (or `Status` when there is no value). `Error` carries one code from a
// small closed set, a human-readable message, and optionally per-field validation
// errors. The HTTP layer maps codes to statuses in exactly one place
// (http/problem.h); nothing else decides status codes.
#ifndef OW_CORE_ERROR_H_
#define OW_CORE_ERROR_H_

#include <boost/system/result.hpp>
#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ow {

enum class Code {
  kInvalidArgument,     // the caller sent something malformed; fix the request
  kNotFound,            // the named thing does not exist (or is not visible to the caller)
  kAlreadyExists,       // creating something whose key is taken
  kConflict,            // concurrent modification or state conflict
  kPermissionDenied,    // authenticated, but not allowed
  kUnauthenticated,     // no or bad credentials
  kFailedPrecondition,  // the system is not in a state where the operation is allowed
  kStaleVersion,        // the version the caller named (If-Match) is no longer the current one
  kUnavailable,         // transient: retrying later may succeed (busy database, pool exhausted)
  kResourceExhausted,   // this caller sent too many requests (throttling); retry later
  kInternal,            // a bug or an unexpected failure of a dependency
};

std::string_view CodeName(Code code);

// One invalid field of a request, named by its JSON pointer-ish path ("name", "items/0/code").
struct FieldError {
  std::string field;
  std::string message;
};

struct Error {
  Code code = Code::kInternal;
  std::string message;
  std::vector<FieldError> fields;
  // For kUnavailable and kResourceExhausted: how long the caller should wait before a
  // retry can succeed, sent as the Retry-After header. Zero means "not known": the
  // HTTP layer then sends its default (1 second for kUnavailable, 60 for
  // kResourceExhausted).
  std::chrono::seconds retry_after{0};

  Error() = default;
  Error(Code c, std::string msg) : code(c), message(std::move(msg)) {}
  Error(Code c, std::string msg, std::vector<FieldError> f)
      : code(c), message(std::move(msg)), fields(std::move(f)) {}
};

// Required by boost::system::result so that value() on an error throws something sane.
[[noreturn]] void throw_exception_from_error(const Error& e, const boost::source_location& loc);

template <class T>
using Result = boost::system::result<T, Error>;
using Status = boost::system::result<void, Error>;

inline Error InvalidArgument(std::string msg) { return {Code::kInvalidArgument, std::move(msg)}; }
inline Error NotFound(std::string msg) { return {Code::kNotFound, std::move(msg)}; }
inline Error AlreadyExists(std::string msg) { return {Code::kAlreadyExists, std::move(msg)}; }
inline Error Conflict(std::string msg) { return {Code::kConflict, std::move(msg)}; }
inline Error PermissionDenied(std::string msg) { return {Code::kPermissionDenied, std::move(msg)}; }
inline Error Unauthenticated(std::string msg) { return {Code::kUnauthenticated, std::move(msg)}; }
inline Error FailedPrecondition(std::string msg) {
  return {Code::kFailedPrecondition, std::move(msg)};
}
inline Error StaleVersion(std::string msg) { return {Code::kStaleVersion, std::move(msg)}; }
inline Error Unavailable(std::string msg) { return {Code::kUnavailable, std::move(msg)}; }
inline Error ResourceExhausted(std::string msg) {
  return {Code::kResourceExhausted, std::move(msg)};
}
// A throttling error that knows when the caller may try again; `msg` should say the same.
inline Error ResourceExhausted(std::string msg, std::chrono::seconds retry_after) {
  Error e{Code::kResourceExhausted, std::move(msg)};
  e.retry_after = retry_after;
  return e;
}
inline Error Internal(std::string msg) { return {Code::kInternal, std::move(msg)}; }

// Collects field errors during validation; Finish() yields an InvalidArgument
// error listing all of them, or success when there were none.
class Validator {
 public:
  void Add(std::string field, std::string message) {
    fields_.push_back({std::move(field), std::move(message)});
  }
  bool ok() const { return fields_.empty(); }
  Status Finish(std::string_view what = "request") const;

 private:
  std::vector<FieldError> fields_;
};

}  // namespace ow

#define OW_CONCAT_INNER_(a, b) a##b
#define OW_CONCAT_(a, b) OW_CONCAT_INNER_(a, b)

// Propagates an error from an expression yielding a Result/Status.
// NOLINTBEGIN(bugprone-macro-parentheses): `lhs` is a declaration, `tmp` a name.
#define OW_RETURN_IF_ERROR(expr) OW_RETURN_IF_ERROR_IMPL_(OW_CONCAT_(ow_status_, __LINE__), expr)
#define OW_RETURN_IF_ERROR_IMPL_(tmp, expr) \
  do {                                      \
    auto tmp = (expr);                      \
    if (!tmp) return tmp.error();           \
  } while (false)

// `OW_ASSIGN_OR_RETURN(auto x, Foo());` binds x to Foo()'s value or returns its error.
#define OW_ASSIGN_OR_RETURN(lhs, expr) \
  OW_ASSIGN_OR_RETURN_IMPL_(OW_CONCAT_(ow_result_, __LINE__), lhs, expr)
#define OW_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                              \
  if (!tmp) return tmp.error();                   \
  lhs = std::move(*tmp)
// NOLINTEND(bugprone-macro-parentheses)

#endif  // OW_CORE_ERROR_H_
