// HTTP handlers for materials. Every route needs a logged-in caller (identity's
// Authenticator: session cookie with CSRF header for the upload, or a bearer token).
//
//   POST /api/v1/materials               the raw file as the body (any Content-Type: it
//                                        is ignored; the type is sniffed), streamed to
//                                        disk by the server (Route::Spool with
//                                        max_file_bytes; 413 above). The name comes from
//                                        Content-Disposition: attachment;
//                                        filename="..." (or filename*=UTF-8''...), else
//                                        ?filename=. 201 {id, sha256, size, media_type,
//                                        filename, created_at, scan_result}; 415 for
//                                        other types; 422 when the scanner rejects it;
//                                        403 for callers that are not an account
//   GET  /api/v1/me/materials            {"materials": [...]}: the caller's, newest first
//   GET  /api/v1/materials/{id}          the metadata
//   GET  /api/v1/materials/{id}/content  the bytes, with the sniffed Content-Type,
//                                        Content-Disposition: attachment, ETag (the
//                                        SHA-256; 304 on If-None-Match)
//
// The two reads answer 404 unless the caller owns the material or `may_read` allows it
// (the cases module lets staff read the materials of the cases they handle).
#ifndef OW_MATERIALS_ROUTES_H_
#define OW_MATERIALS_ROUTES_H_

#include <functional>

#include "http/router.h"
#include "identity/authn.h"
#include "materials/service.h"

namespace ow::materials {

// Whether `who`, who does not own `m`, may read it. Called on the blocking pool.
using MayRead = std::function<bool(const identity::Principal& who, const Material& m)>;
// The rights `who` holds now as an operator of the enterprise `credit_code`
// (identity::Service::AccessTo), with the enterprise's normalized code; kNotFound when
// there is no such enterprise.
using EnterpriseRights = std::function<Result<std::pair<std::string, authz::OperatorRights>>(
    const identity::Principal& who, const std::string& credit_code)>;

// `service` and `authn` must outlive the router. `may_read` may be empty (owners only);
// `enterprise_rights` empty: nothing is uploaded in an enterprise's name.
//
// Enterprises: POST /api/v1/materials?enterprise=<credit code> uploads in the name of
// an enterprise the caller operates with "apply" (the material belongs to it:
// identity::EnterpriseOwner); GET /api/v1/me/materials?enterprise=<code> lists its
// materials and such a material is read by any of its operators (any right), checked at
// every request. The upload's caller and right are checked from the request header,
// before 100 Continue and before any of the body is read.
void AddRoutes(http::Router& r, Service& service, const identity::Authenticator& authn,
               const MayRead& may_read = {}, const EnterpriseRights& enterprise_rights = {});

}  // namespace ow::materials

#endif  // OW_MATERIALS_ROUTES_H_
