// HTTP handlers of the supervision domain (电子监察, 事中事后监管).
//
//   GET  /api/v1/supervision/watch?region=&kind=   what is late, nearly late or suspended
//                                                   in the caller's supervised regions
//   POST /api/v1/supervision-orders                 {department_code, object_kind, object_ref,
//                                                   subject, instruction, due_date} -> 201
//   GET  /api/v1/supervision-orders?which=supervisor|department&status=
//   GET  /api/v1/supervision-orders/{number}
//   POST /api/v1/supervision-orders/{number}/reply     {version, reply} the department
//   POST /api/v1/supervision-orders/{number}/decision  {version, decision, instruction,
//                                                      due_date} the supervisors
//   GET  /api/v1/supervision-claims?which=supervisor|department&status=
//   POST /api/v1/supervision-claims/{licence}/claim    {version, note}
//   GET  /api/v1/inspection-staff?department=
//   POST /api/v1/inspection-staff                      {department_code, username}
//   DELETE /api/v1/inspection-staff/{department}/{account}
//   POST /api/v1/inspection-conflicts                  {department_code, account, uscc, reason}
//   POST /api/v1/inspection-plans                      {department_code, region_code,
//                                                      licence_type, title, entities,
//                                                      inspectors_per_entity} -> 201, drawn
//   GET  /api/v1/inspection-plans?department=
//   GET  /api/v1/inspection-plans/{number}
//   POST /api/v1/inspection-plans/{number}/publication {version}
//   POST /api/v1/inspection-plans/{number}/results     {version, uscc, result, note}
//   GET  /api/v1/inspections?region=                   published plans (public)
//   GET  /api/v1/inspections/{number}                  one published plan (public)
#ifndef OW_SUPERVISE_ROUTES_H_
#define OW_SUPERVISE_ROUTES_H_

#include "http/router.h"
#include "supervise/service.h"

namespace ow::supervise {

void AddRoutes(http::Router& r, Service& service);

}  // namespace ow::supervise

#endif  // OW_SUPERVISE_ROUTES_H_
