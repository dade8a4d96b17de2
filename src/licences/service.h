// Electronic licences, the seals that sign them, and the platform's certificate
// authority.
//
//  - The CA (pki.cc): one root per algorithm and generation, SM2 (certificates signed
//    SM2-with-SM3) and ECDSA P-256 (for PDF signatures), made at first start. Its private
//    keys, like every seal's, are sealed (AES-256-GCM) with the identity domain's data
//    keys, as the OpenID Connect signing keys are; the roots and a CRL per algorithm are
//    public. Rotation makes generation n+1; roots of earlier generations stay published.
//  - Seals (seals.cc): a department's keys with certificates from the CA, an image,
//    the staff allowed to use them, a status. Managed by the security administrator
//    (keys are that duty's); revoked seals' certificates are listed in the CRL. Every
//    use of a seal is audited ("seal.used").
//  - Licence types (types.cc): what a department issues, with a JSON Schema of the
//    fields, validity, trust level, which items issue it. Managed like the catalog.
//  - Licences (issue.cc, read.cc): issued by an approver of the issuing department who
//    may use its licence seal, by hand or when a case is approved (the process's
//    `issue-licence` service task); canonical data signed SM2/SM3 by the seal; a QR
//    payload (payload.h) signed too; status changes with history. The holder's
//    number, name and the fields are personal data: sealed at rest like the identity
//    domain's, found by a keyed hash of the holder.
//  - Verification (verify.cc): anyone, with the QR payload: the signature against the
//    seal's certificate, the certificate against the CA, and the licence's status now.
//
// Thread-safe.
#ifndef OW_LICENCES_SERVICE_H_
#define OW_LICENCES_SERVICE_H_

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "cases/service.h"
#include "core/clock.h"
#include "db/database.h"
#include "departments/service.h"
#include "identity/service.h"
#include "licences/model.h"
#include "webhooks/publisher.h"

namespace ow::documents {
class Seal;
struct DocumentModel;
}  // namespace ow::documents

namespace ow::licences {

using identity::Principal;
namespace store {
struct LicenceRow;
}
namespace internal {
struct Issuing;  // everything one licence is made from (service_internal.h)
}

struct Options {
  // The portal's public address: QR codes point at <public_url>/verify#<payload>.
  std::string public_url = "http://127.0.0.1:8080";
  int64_t ca_years = 20;
  int64_t seal_years = 3;
};

struct SealInput {
  std::string department_code;
  std::string name;  // "" = the department's name
  std::string kind = kSealLicence;
  std::string image_png;  // "" = drawn by the platform
};

struct IssueInput {
  std::string type_code;
  std::string holder_kind;  // kPerson | kEnterprise
  std::string holder_id;    // resident ID number or unified social credit code
  std::string holder_name;
  boost::json::object fields;
  std::string valid_from;   // YYYY-MM-DD; "" = today
  std::string valid_to;     // YYYY-MM-DD; "" = from the type's validity
  std::string region_code;  // where it is issued; "" = the issuer's only region
  std::string reason;       // recorded with the issue event
  std::string number;       // imports only: the paper licence's number (else generated)
};

// A batch of existing paper licences of one type, digitised by the issuing department.
struct ImportInput {
  std::string type_code;
  std::string trust_level;       // "B" (checked against the original) or "C" (from a copy)
  std::string region_code;       // as for IssueInput
  std::string reason;            // recorded with each licence's issue event
  std::vector<IssueInput> rows;  // holder, fields, dates and number of each
};

// A placeholder of document templates, with what it stands for.
struct Placeholder {
  std::string_view name, description;
};
std::span<const Placeholder> DocumentPlaceholders();

// What case documents need from other domains (set by the app at start-up).
struct CaseDocumentLookups {
  // "杭州市上城区": the region as the names of its reconsideration body and court begin;
  // read on the connection of the case's transaction.
  std::function<std::string(db::Connection& c, const std::string& region_code)> region_name;
  // True when the catalog has the item (templates are per item).
  std::function<bool(const std::string& item_code)> item_exists;
};

// What the verification of a QR payload found.
struct Verification {
  bool genuine = false;  // the seal's signature and certificate chain hold
  bool valid = false;    // genuine, and the licence is valid today
  std::string status;    // the licence's effective status
  std::string number, type_code, type_name, department_code, department_name;
  std::string holder_masked, valid_from, valid_to, issued;
  Seal seal;
  std::string checked_at;
};

// A share as made: the code is shown once, then only its hash is kept.
struct NewShare {
  Share share;
  std::string code;
  std::string url;  // the portal's page for it: <public url>/licence-shares#<code>
};

struct SharedLicence {
  Licence licence;  // without its history
  Share share;
};

class Service {
 public:
  Service(db::Database& db, identity::Service& identity, departments::Service& departments,
          Options options);
  ~Service();

  // Makes the first generation of the CA when there is none, and loads the seals'
  // keys. Call at start-up (several nodes may race; one wins, all agree).
  Status Bootstrap();

  // ---- The certificate authority (public reads).
  Result<std::vector<Authority>> Authorities();
  // The earliest expiry of the certificates that sign now (active CA generations and
  // active seals): the onewindow_signing_certificate_expiry_timestamp_seconds metric.
  // nullopt when there is none.
  Result<std::optional<SystemTime>> EarliestCertificateExpiry();
  // The CRLs (PEM) of every generation of `algorithm` ("sm2" | "p256"), newest first,
  // listing the revoked seals each certified.
  Result<std::vector<std::string>> Crls(const std::string& algorithm);
  // A new generation of both roots (the security administrator). Seals made later are
  // certified by it; existing seals keep their certificates until they are replaced.
  Result<std::vector<Authority>> RotateAuthority(const Principal& who);

  // ---- Seals.
  Result<Seal> CreateSeal(const Principal& who, const SealInput& in);
  // Bootstrap (seed-demo, run by whoever runs the server): the department's active seal
  // of `in.kind`, made when there is none, and `holders` (usernames of the department's
  // staff) allowed to use it. No authorization check; audited as "bootstrap".
  Result<Seal> EnsureSeal(const SealInput& in, const std::vector<std::string>& holders);
  Result<std::vector<Seal>> ListSeals(const std::string& department_code);
  Result<Seal> GetSeal(const std::string& id);
  Result<std::string> SealImage(const std::string& id);
  // status: active | suspended | revoked (final). kConflict on a stale `version`.
  Result<Seal> SetSealStatus(const Principal& who, const std::string& id, int64_t version,
                             const std::string& status, const std::string& reason);
  // Staff of the seal's department (checked) who may use it.
  Result<Seal> AddSealHolder(const Principal& who, const std::string& id,
                             const std::string& username);
  Result<Seal> RemoveSealHolder(const Principal& who, const std::string& id,
                                const std::string& username);

  // ---- Licence types.
  Result<std::vector<LicenceType>> ListTypes();
  Result<LicenceType> GetType(const std::string& code);
  // Creates (expected_version 0) or replaces a type. kInvalidArgument naming the field;
  // kStaleVersion (412) on a version mismatch.
  Result<LicenceType> PutType(const Principal& who, const LicenceType& in,
                              int64_t expected_version);

  // ---- Licences.
  // By an approver of the type's department covering the region, who may use the
  // department's active licence seal. Audited as a seal use.
  Result<Licence> Issue(const Principal& who, const IssueInput& in);
  // Paper licences digitised in bulk (import.cc): each row checked as for Issue, its
  // number kept (ASCII letters, digits, hyphens; not of the generated form), all issued in
  // one transaction by the department's licence seal or none (422 naming every bad row as
  // licences/<i>/<field>), with source "import" and the batch's trust level.
  Result<std::vector<Licence>> Import(const Principal& who, const ImportInput& in);
  // Inside a case's transaction, when its process reaches an `issue-licence` service
  // task: the type the case's item issues, to the applicant (a person's verified resident
  // ID, or the enterprise), fields mapped from the form; signed with the department's
  // licence seal, which `approver` (who made the decision) must hold.
  Result<Licence> IssueForCase(db::Connection& c, const cases::Case& k,
                               const std::string& approver_account,
                               const std::string& approver_name);
  // The licence as `who` may see it: its holder (a person with the verified number, an
  // enterprise's operators) or staff of the issuing department covering its region.
  Result<Licence> Get(const Principal& who, const std::string& number);
  // The caller's licences (persons: by their verified resident ID) or, with
  // `enterprise`, that enterprise's (its operators).
  Result<std::vector<Licence>> Wallet(const Principal& who, const std::string& enterprise);
  // What a department issued in a region and below (staff covering it), newest first.
  Result<std::vector<Licence>> Issued(const Principal& who, const std::string& department_code,
                                      const std::string& region_code, int64_t limit);
  // The licence as a sealed PDF (PAdES B-B by the seal's P-256 key, with the seal's image
  // and a QR code), to whoever may read it; made on the first request and kept.
  Result<std::string> LicencePdf(const Principal& who, const std::string& number);
  // suspended | valid (resume) | revoked (final), by an issuer as for Issue.
  Result<Licence> SetStatus(const Principal& who, const std::string& number, int64_t version,
                            const std::string& status, const std::string& reason);
  // As Get and SetStatus, inside the caller's transaction `c`: for another domain whose own
  // record and the licence's change must commit together or not at all (a serious finding of
  // an inspection suspends the licence in the transaction that records the finding). GetIn
  // answers the issuing department's staff only (kNotFound for everyone else).
  Result<Licence> GetIn(db::Connection& c, const Principal& who, const std::string& number);
  Result<Licence> SetStatusIn(db::Connection& c, const Principal& who, const std::string& number,
                              int64_t version, const std::string& status,
                              const std::string& reason);

  // ---- Sharing (share.cc). The holder (a person with the proven number, or an operator
  // of the holding enterprise with the apply or manage right) makes a code valid `hours`
  // (1 to 720), lists and revokes them; anyone with a live code sees the licence. Others
  // get kNotFound. Audited, and recorded in the licence's history.
  Result<NewShare> ShareLicence(const Principal& who, const std::string& number, int64_t hours);
  Result<std::vector<Share>> Shares(const Principal& who, const std::string& number);
  Status RevokeShare(const Principal& who, const std::string& number, const std::string& id);
  // kNotFound for a wrong, expired or revoked code (alike). Counts the view.
  Result<SharedLicence> OpenShare(const std::string& code);

  // ---- Verification (anyone).
  // kInvalidArgument (field "payload") for a malformed payload, and for one whose
  // signature does not verify with the seal's certificate, whose certificate does not
  // chain to the CA (forged, re-signed, tampered), that names an unknown seal or licence,
  // or that differs from the code the licence was issued with.
  Result<Verification> Verify(const std::string& payload);

  // ---- Use for applications (use.cc): the cases module's view of the library
  // (cases::LicenceDirectory). A licence used for a case's material is recorded in its
  // history ("used", with the case) and the audit log.
  cases::LicenceDirectory& ForCases();

  // ---- Case documents (case_documents.cc, templates.cc): the acceptance notice, notice
  // of non-acceptance and decisions a case's transitions issue (cases::DocumentIssuer),
  // numbered per prefix and year, their text fixed from the item's template when issued,
  // sealed PAdES B-B by the handling department's active approval seal (行政审批专用章)
  // on the first download and kept. The seal is the department's act on a decision its
  // staff were entitled to make (the workflow checked their roles); each sealing is
  // audited as a seal use naming the document.
  cases::DocumentIssuer& CaseDocuments();
  void SetLookups(CaseDocumentLookups lookups) { lookups_ = std::move(lookups); }
  // Where licence.issued and licence.revoked go for department systems (the webhooks
  // domain's outbox), in the transaction that issued or revoked. Optional.
  void SetEventPublisher(webhooks::Publisher* events) { events_ = events; }
  // Templates, for the catalog's administrators (the route checks catalog.manage): for
  // each kind the default in force and every item's own, by kind and item.
  Result<std::vector<DocumentTemplate>> Templates();
  // Creates (expected_version 0) or replaces a stored template. kInvalidArgument naming
  // the field (unknown kind or item, unknown placeholder, too long); kStaleVersion.
  Result<DocumentTemplate> PutTemplate(const Principal& who, const DocumentTemplate& in,
                                       int64_t expected_version);
  // Removes a stored template: the default (or the built-in) applies again.
  Status DeleteTemplate(const Principal& who, const std::string& kind, const std::string& item_code,
                        int64_t version);

  // The URL a QR code carries for `payload`.
  std::string QrText(const std::string& payload) const;
  // The portal's public address, once known (before serving: not thread-safe).
  void SetPublicUrl(std::string url) { options_.public_url = std::move(url); }

 private:
  class Ring;  // the CA and the seals' keys, loaded (pki.cc)

  class CaseUse;             // ForCases (use.cc)
  class CaseDocumentIssuer;  // CaseDocuments (case_documents.cc)

  Result<Licence> IssueWith(db::Connection& c, const internal::Issuing& how);
  // A licence issued by hand as far as it can be checked outside the transaction: type,
  // holder, fields, dates, region, and that `who` may issue it (all but the seal).
  Result<internal::Issuing> Resolve(const Principal& who, const IssueInput& in);
  // Its two halves: what a batch shares (the type, the region, that `who` may issue it
  // there, the department), then one licence's holder, fields and dates on top of it.
  Result<internal::Issuing> ResolveIssuer(const Principal& who, const std::string& type_code,
                                          const std::string& region_code);
  Result<internal::Issuing> ResolveHolder(internal::Issuing issuer, const IssueInput& in);
  // The sealed PDF of `l`, made on the first request and kept (no authorization).
  // With a `watermark`, a copy for one use instead: made and signed now, not kept.
  Result<std::string> PdfOf(const Licence& l, const std::string& watermark = "");
  // The seal as pressed on a page: drawn from its name, or the uploaded image.
  Result<documents::Seal> SealPicture(const Seal& seal);
  // `doc` rendered and signed PAdES B-B by `seal`'s P-256 key at `at` (document.cc).
  Result<std::string> SealedPdf(const documents::DocumentModel& doc, const Seal& seal,
                                const std::string& reason, SystemTime at);
  Result<Seal> NewSeal(const std::string& actor, const SealInput& in);
  // The resource `who` would act on in reading `l`: its issuer, and whether `who` is its
  // holder (a person with the proven number) or operates the enterprise holding it.
  Result<authz::Target> TargetOf(const Principal& who, const Licence& l);
  Result<Licence> ShareableLicence(db::Connection& c, const Principal& who,
                                   const std::string& number);
  // A department's name, cached a minute (verification answers name the issuer); "" if
  // there is none. The second form reads on the caller's connection when not cached.
  std::string DepartmentName(const std::string& code);
  std::string DepartmentName(db::Connection& c, const std::string& code);
  std::string CachedName(const std::string& code, const std::function<std::string()>& load);
  // Announces `l` as `type` (webhooks::kLicenceIssued, kLicenceRevoked).
  Status PublishEvent(db::Connection& c, const Licence& l, const char* type, const std::string& at);
  // The keyed hash a holder's licences are found by.
  std::string HolderKey(const std::string& kind, const std::string& id) const;
  // The id of the department's newest active seal of `kind` (kSealLicence,
  // kSealApproval) with a current certificate; kFailedPrecondition if none.
  Result<std::string> ActiveSealOf(db::Connection& c, const std::string& department,
                                   const std::string& kind);
  // The licence of a stored row with its sealed data opened (and events when asked).
  Result<Licence> Open(db::Connection& c, const store::LicenceRow& row, bool events) const;

  db::Database& db_;
  identity::Service& identity_;
  departments::Service& departments_;
  Options options_;
  std::string holder_key_;  // HMAC key of HolderKey, derived from the identity index key
  std::unique_ptr<Ring> ring_;
  std::unique_ptr<cases::LicenceDirectory> case_use_;      // a CaseUse
  std::unique_ptr<cases::DocumentIssuer> case_documents_;  // a CaseDocumentIssuer
  CaseDocumentLookups lookups_;
  webhooks::Publisher* events_ = nullptr;
  std::mutex names_mu_;
  std::map<std::string, std::pair<std::string, std::chrono::steady_clock::time_point>>
      names_;  // department code -> name, when read
};

}  // namespace ow::licences

#endif  // OW_LICENCES_SERVICE_H_
