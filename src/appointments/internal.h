// Shared by the appointments service's files; not part of the domain's interface.
#ifndef OW_APPOINTMENTS_INTERNAL_H_
#define OW_APPOINTMENTS_INTERNAL_H_

#include <string>

#include "appointments/model.h"
#include "core/clock.h"
#include "crypto/random.h"

namespace ow::appointments::internal {

// China Standard Time: UTC+8 all year, no daylight saving.
inline constexpr int64_t kChinaOffsetSeconds = int64_t{8} * 3600;

// The instant of `minutes` after local midnight of `day`.
SystemTime LocalInstant(Date day, int minutes);
// Minutes after local midnight at `t`.
int LocalMinutes(SystemTime t);
// "BK" + 10 random base32 characters.
std::string BookingNumber();

}  // namespace ow::appointments::internal

#endif  // OW_APPOINTMENTS_INTERNAL_H_
