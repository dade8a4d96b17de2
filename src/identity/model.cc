#include "identity/model.h"

#include <algorithm>

namespace ow::identity {
namespace {
constexpr const char* kAll[] = {kAcceptor,   kReviewer,    kApprover,      kCounter,    kAgent,
                                kSupervisor, kSystemAdmin, kSecurityAdmin, kAuditAdmin, kHotline};
}  // namespace

bool IsAdminDuty(const std::string& role) {
  return role == kSystemAdmin || role == kSecurityAdmin || role == kAuditAdmin;
}

bool IsKnownRole(const std::string& role) {
  return std::any_of(std::begin(kAll), std::end(kAll), [&](const char* r) { return role == r; });
}

bool RoleNeedsDepartment(const std::string& role) {
  return role == kAcceptor || role == kReviewer || role == kApprover;
}

std::string LevelName(int level) {
  return kLevelNames[std::clamp(level, kLevelSelfAsserted, kLevelInPerson) - 1];
}

int LevelOf(std::string_view acr) {
  for (int i = 0; i < 3; ++i)
    if (acr == kLevelNames[i]) return i + 1;
  return 0;
}

bool RoleNeedsRegion(const std::string& role) { return IsKnownRole(role) && !IsAdminDuty(role); }

}  // namespace ow::identity
