// HTTP handlers for reading the audit log, and its /metrics samples.
//
//   GET /api/v1/audit          records, newest first
//                              (?actor=&action=&subject=&outcome=&since=&until=&limit=&cursor=)
//   GET /api/v1/audit/verify   recomputes the hash chain (?from=)
//
// Only an audit administrator may read the log: both routes Require
// authz::Action::kReadAudit, decided entirely by the gate. Responses carry
// Cache-Control: no-store.
#ifndef OW_AUDIT_ROUTES_H_
#define OW_AUDIT_ROUTES_H_

#include <functional>
#include <string>

#include "audit/audit.h"
#include "http/metrics.h"
#include "http/router.h"

namespace ow::audit {

// `db` must outlive the router.
void AddRoutes(http::Router& r, db::Database& db);

// Adds the writer's counters to /metrics: onewindow_audit_events_enqueued_total,
// onewindow_audit_events_written_total, onewindow_audit_batches_total,
// onewindow_audit_batch_failures_total and the gauge onewindow_audit_queue_length.
// `writer` must outlive `metrics`.
void AddMetrics(http::Metrics& metrics, const Writer& writer);

}  // namespace ow::audit

#endif  // OW_AUDIT_ROUTES_H_
