// cases::Service's wiring and what every operation shares: the built-in process,
// construction (with the built-in domain services), start-up, and the calendar and
// process definitions the operations count deadlines and run the workflow with. The
// operations themselves live by concern in intake.cc, queries.cc, lifecycle.cc,
// tasks.cc, timers.cc, messages.cc and access.cc.
#include "cases/service.h"

#include "cases/service_internal.h"
#include "cases/store.h"
#include "core/json_members.h"

namespace ow::cases {

namespace json = boost::json;

std::string_view DefaultProcessXml() {
  return R"xml(<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
                  xmlns:ow="urn:onewindow:bpmn"
                  id="Definitions_DefaultApproval" targetNamespace="urn:onewindow:processes">
  <bpmn:process id="ow_default_approval" name="办理部门审批" isExecutable="true">
    <bpmn:startEvent id="Start" name="已受理"><bpmn:outgoing>F1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="Approve" name="审批" camunda:candidateGroups="approver"
                   ow:department="${case.department}" ow:region="${case.region}">
      <bpmn:incoming>F1</bpmn:incoming><bpmn:outgoing>F2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="End" name="已决定"><bpmn:incoming>F2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="F1" sourceRef="Start" targetRef="Approve" />
    <bpmn:sequenceFlow id="F2" sourceRef="Approve" targetRef="End" />
  </bpmn:process>
</bpmn:definitions>
)xml";
}

Service::Service(db::Database& db, catalog::Service& catalog, processes::Service& processes,
                 calendar::Service& calendar, identity::Service& identity,
                 MaterialDirectory* materials)
    : db_(db),
      catalog_(catalog),
      processes_(processes),
      calendar_(calendar),
      identity_(identity),
      materials_(materials) {
  // Built-in domain services for service tasks.
  AddDomainService("notify-applicant",
                   [this](db::Connection& c, const Case& k, const json::object& vars,
                          const ServiceCaller&) -> Result<json::object> {
                     const std::string to = MessageRecipient(k);
                     if (!to.empty()) {
                       Message m = internal::ProgressMessage(k, json_members::Str(vars, "notice"),
                                                             NowText());
                       OW_RETURN_IF_ERROR(SendMessage(c, m));
                     }
                     return json::object{{"applicant_notified", !to.empty()}};
                   });
}

Status Service::Bootstrap() {
  auto published =
      processes_.Publish("system", kDefaultProcessKey, std::string(DefaultProcessXml()));
  // Several servers starting on one PostgreSQL race to publish it; one wins, all agree.
  if (!published && published.error().code != Code::kAlreadyExists &&
      published.error().code != Code::kConflict)
    return published.error();
  return {};
}

void Service::AddDomainService(const std::string& name, DomainService fn) {
  services_[name] = std::move(fn);
}

Result<Calendar> Service::CalendarAround(Date day) {
  // The calendar's generation, read per use (one single-row read): a year published on any
  // node counts in the next deadline computed on this one. The whole calendar is read
  // again only when it moved, or once an hour.
  uint64_t generation = calendar_.Generation();
  std::lock_guard lock(calendar_mu_);
  auto now = std::chrono::steady_clock::now();
  // Loaded for three years either side of a day, reused while the day asked about stays
  // within a year of it (so at least two years of counting either side).
  constexpr int64_t kYear = 366;
  constexpr int64_t kSpan = 3 * kYear;
  if (calendar_cache_ && day >= AddDays(calendar_from_, kSpan - kYear) &&
      day <= AddDays(calendar_to_, kYear - kSpan) &&
      now - calendar_loaded_ < std::chrono::hours(1) && calendar_generation_ == generation) {
    return *calendar_cache_;
  }
  Date from = AddDays(day, -kSpan), to = AddDays(day, kSpan);
  OW_ASSIGN_OR_RETURN(Calendar cal, calendar_.ForRange(from, to));
  calendar_cache_ = cal;
  calendar_from_ = from;
  calendar_to_ = to;
  calendar_loaded_ = now;
  calendar_generation_ = generation;
  return cal;
}

Result<std::shared_ptr<const workflow::Definition>> Service::DefinitionOf(const Case& k) {
  return processes_.Definition(k.process_key, k.process_version);
}

}  // namespace ow::cases
