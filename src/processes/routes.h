// HTTP routes of the process registry: publish (system administrator), list, versions,
// the immutable XML of a version, and which process a catalog item follows.
#ifndef OW_PROCESSES_ROUTES_H_
#define OW_PROCESSES_ROUTES_H_

#include "http/request_helpers.h"
#include "http/router.h"
#include "processes/service.h"

namespace ow::processes {

void AddRoutes(http::Router& r, Service& service);

}  // namespace ow::processes

#endif  // OW_PROCESSES_ROUTES_H_
