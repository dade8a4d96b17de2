// HTTP handlers for reading the audit log, and its /metrics samples.
//
//   GET /api/v1/audit          records, newest first
//                              (?actor=&action=&subject=&outcome=&since=&until=&limit=&cursor=)
//   GET /api/v1/audit/verify   recomputes the hash chain (?from=)
//
// Only an audit administrator may read the log. Who that is, is decided by the
// caller's `authorize_reader`: it returns the reader's name, or an error
// (kUnauthenticated -> 401, kPermissionDenied -> 403) that is answered as a problem.
// Reading is not itself audited here; the caller may do so inside authorize_reader.
// Responses carry Cache-Control: no-store.
#ifndef OW_AUDIT_ROUTES_H_
#define OW_AUDIT_ROUTES_H_

#include <functional>
#include <string>

#include "audit/audit.h"
#include "http/metrics.h"
#include "http/router.h"

namespace ow::audit {

using ReaderCheck = std::function<Result<std::string>(const http::Context&)>;

// `db` must outlive the router.
void AddRoutes(http::Router& r, db::Database& db, ReaderCheck authorize_reader);

// Adds the writer's counters to /metrics: onewindow_audit_events_enqueued_total,
// onewindow_audit_events_written_total, onewindow_audit_batches_total,
// onewindow_audit_batch_failures_total and the gauge onewindow_audit_queue_length.
// `writer` must outlive `metrics`.
void AddMetrics(http::Metrics& metrics, const Writer& writer);

}  // namespace ow::audit

#endif  // OW_AUDIT_ROUTES_H_
