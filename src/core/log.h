// Structured logging: one JSON object per line on stderr.
//
// Thread-safe; each line is written with a single write(2) so lines from
// different threads never interleave. Fields are a Boost.JSON object so values keep
// their types. Never pass personal data unmasked.
#ifndef OW_CORE_LOG_H_
#define OW_CORE_LOG_H_

#include <boost/json/object.hpp>
#include <string_view>

namespace ow::log {

enum class Level { kDebug, kInfo, kWarn, kError };

// Messages below `level` are dropped. Default kInfo.
void SetLevel(Level level);
bool ParseLevel(std::string_view name, Level* out);

void Write(Level level, std::string_view event, boost::json::object fields = {});
inline void Debug(std::string_view e, boost::json::object f = {}) {
  Write(Level::kDebug, e, std::move(f));
}
inline void Info(std::string_view e, boost::json::object f = {}) {
  Write(Level::kInfo, e, std::move(f));
}
inline void Warn(std::string_view e, boost::json::object f = {}) {
  Write(Level::kWarn, e, std::move(f));
}
inline void Error(std::string_view e, boost::json::object f = {}) {
  Write(Level::kError, e, std::move(f));
}
// Written whatever the level (start-up facts an operator always needs, such as the
// listening port), with level "notice".
void Notice(std::string_view event, boost::json::object fields = {});

}  // namespace ow::log

#endif  // OW_CORE_LOG_H_
