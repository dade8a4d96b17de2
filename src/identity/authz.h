// The identity domain's names for the platform's authorization model (src/authz).
#ifndef OW_IDENTITY_AUTHZ_H_
#define OW_IDENTITY_AUTHZ_H_

#include "authz/authz.h"

namespace ow::identity {

using authz::Action;
using authz::Decide;
using authz::RegionWithin;
using authz::Target;

}  // namespace ow::identity

#endif  // OW_IDENTITY_AUTHZ_H_
