// Cases: applications from every channel (online, counter, agent, cross-region intake),
// handled by departments through the workflow engine, with deadlines in working days, an
// append-only record of every transition, staff inboxes and applicant messages.
//
// How it works (docs/adr/0002-cases-on-the-workflow-engine.md): every operation locks the
// case row, restores its workflow instance from the stored snapshot, applies the event,
// and writes the new snapshot, the tasks opened and closed, the events and the messages
// in the same transaction, committed in groups with other callers (TransactGrouped). The
// reply is sent after that commit, so a case is in every list the moment its submission
// returns. A case keeps the process version it was submitted under.
//
// Acceptance is this module's own step (an "accept" task for the handling department's
// acceptors); the item's BPMN process (processes::Service, or the built-in
// kDefaultProcess when the item names none) starts at acceptance and its user tasks
// become "review" tasks. When it completes the case is decided: denied if any task was
// completed with decision "deny", else approved.
//
// Authorization goes through authz::Decide, with the facts it needs looked up at
// every request: applicants see their own cases; agents a person's cases under a live
// authorization whose scope covers the case's item (revoked or expired: denied at once);
// an enterprise's operators its cases (any right to read, "apply" to act; removed: denied
// at once); staff the cases of their department and region (and below) and cases where
// their department has a task; the counter clerk who took a case in at a hall (cross-
// region intake) while they hold the counter role. Everyone else gets kNotFound, never a
// hint that the case exists.
//
// Workflow variables: the applicant's form is under "form" and the case's facts under
// "case"; everything else (decisions, decision, opinion, service results) is written by
// the engine and this module only, so an applicant cannot steer a gateway.
//
// Thread-safe. Errors: kInvalidArgument (field errors), kNotFound, kUnauthenticated,
// kPermissionDenied (e.g. an applicant calling a staff action on their own case),
// kConflict for a stale task version or a task someone else completed or claimed,
// kFailedPrecondition when the case's status does not allow the action (both 409).
#ifndef OW_CASES_SERVICE_H_
#define OW_CASES_SERVICE_H_

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "calendar/service.h"
#include "cases/model.h"
#include "catalog/service.h"
#include "core/clock.h"
#include "core/sliding_window.h"
#include "db/database.h"
#include "db/shared_state.h"
#include "identity/service.h"
#include "indicators/recorder.h"
#include "notify/notifier.h"
#include "processes/service.h"
#include "webhooks/publisher.h"
#include "workflow/instance.h"

namespace ow::cases {

// The process of items that name none: one approval by the handling department.
inline constexpr const char* kDefaultProcessKey = "ow_default_approval";
std::string_view DefaultProcessXml();

// What the cases module needs from the materials store (src/materials), as a seam so
// the two domains stay apart and tests can stand in for it.
struct MaterialInfo {
  std::string id;
  std::string owner_account_id;
  std::string filename;
  std::string media_type;
  int64_t size = 0;
  std::string sha256;
};
class MaterialDirectory {
 public:
  virtual ~MaterialDirectory() = default;
  // Each material, in order; kNotFound naming the first unknown id.
  virtual Result<std::vector<MaterialInfo>> Find(const std::vector<std::string>& ids) = 0;
  // Inside the case's transaction: the materials `ids` that `from_account` uploaded
  // become `to_account`'s (the applicant's, when an agent or a hall attached them).
  virtual Status HandOver(db::Connection& c, const std::vector<std::string>& ids,
                          const std::string& from_account, const std::string& to_account) = 0;
  // The most a case's materials may add up to, in bytes.
  virtual int64_t max_case_bytes() const = 0;
};

struct MaterialRef {
  std::string id;
  std::string name;  // the catalog material it stands for, "" if none
};

// What the cases module needs from the licence library (src/licences), as a seam like
// MaterialDirectory: a required material whose catalog entry names a `license_type` is
// satisfied by a licence of that type the applicant holds, with the holder's consent.
struct LicenceInfo {
  std::string id, number, type_code, type_name;
  std::string holder_name, issuer_name;
  std::string valid_from, valid_to, trust_level;
  std::string status;  // as a verifier sees it now: valid, suspended, revoked, expired, ...
};
class LicenceDirectory {
 public:
  virtual ~LicenceDirectory() = default;
  // The licence `number` when `who` may use it for their own application: a person who
  // proved the holder's resident ID (enterprise ""), or an operator holding "apply" for
  // the holding enterprise `enterprise`. kNotFound otherwise, as if it did not exist.
  virtual Result<LicenceInfo> Usable(const identity::Principal& who, const std::string& enterprise,
                                     const std::string& number) = 0;
  // Inside the case's transaction: the consent to `use` (the licence for the catalog
  // material use.name), in the licence's history and the audit log.
  virtual Status RecordUse(db::Connection& c, const LicenceUse& use, const std::string& case_no,
                           const std::string& actor) = 0;
  // The licences as they stand now (unknown numbers are left out).
  virtual Result<std::vector<LicenceInfo>> Current(const std::vector<std::string>& numbers) = 0;
  // The licence's sealed PDF, as a copy for one use: `watermark` across every page (who
  // provided it, for what, until when), signed by the licence's seal when made.
  virtual Result<std::string> Pdf(const std::string& number, const std::string& watermark) = 0;
};

// What the cases module needs to issue a case's documents (the licence library makes,
// numbers, seals and keeps them), as a seam like LicenceDirectory.
struct DocumentFacts {
  std::string kind;       // kAcceptanceNotice, kNonAcceptanceNotice, kApprovalDecision, ...
  std::string reasons;    // non-acceptance and denial: the deciding staff's opinions
  std::string licence;    // approval: the number of the licence the process issued, if any
  std::string actor;      // who decided: a username, or "system"
  std::string item_type;  // the catalog item's type (administrative_licensing, ...), if known
};
class DocumentIssuer {
 public:
  virtual ~DocumentIssuer() = default;
  // Inside the transaction of the transition: the document numbered and recorded (its
  // text fixed now from the item's template); sealed when first downloaded. Reads only
  // on `c`. `available` is left false: Of says it, for readers.
  virtual Result<CaseDocument> Issue(db::Connection& c, const Case& k, const DocumentFacts& f,
                                     const std::string& at) = 0;
  // The case's documents, in order of issue, each `available` when sealed already or
  // when its department has an active approval seal to seal it with.
  virtual Result<std::vector<CaseDocument>> Of(db::Connection& c, const Case& k) = 0;
  // The document's sealed PDF (no authorization: the caller read the case).
  // kNotFound when the case has no such document; kFailedPrecondition when the
  // department has no active approval seal to seal it with.
  virtual Result<std::string> Pdf(const Case& k, const std::string& kind) = 0;
};

// What the cases module needs from the data exchange (src/exchange), as a seam like
// LicenceDirectory: a material whose catalog entry names a data_resource is satisfied by
// that resource's data about the applicant, fetched with their consent by the platform's
// case-handling system (a registered system with a grant, like any consumer).
struct DataResourceInfo {
  std::string code, name, name_en, provider_department;
  std::string subject_kind;  // "person" | "legal"
  std::vector<std::string> fields;
};
struct FetchedData {
  bool found = false;
  boost::json::object data;  // the asked fields (null where the record has none)
  std::string signature;     // the answer as a compact JWS
  int64_t log_seq = 0;       // the message-log entry
};
class DataExchange {
 public:
  virtual ~DataExchange() = default;
  // The published resource `code`; kNotFound when there is none.
  virtual Result<DataResourceInfo> Describe(const std::string& code) = 0;
  // One query about `subject` inside the caller's transaction on `c`, logged there (an
  // answer or a refusal) with `purpose` and `case_tracking` ("" for none). Errors:
  // kPermissionDenied (refused: no grant, field not granted, ...), kNotFound,
  // kUnavailable (the provider's system did not answer); others are the database's.
  virtual Result<FetchedData> Fetch(db::Connection& c, const std::string& resource,
                                    const std::string& subject,
                                    const std::vector<std::string>& fields,
                                    const std::string& purpose,
                                    const std::string& case_tracking) = 0;
};

// A request to consent to fetching one's data for another person's case (a party of the
// application: DataUse::party), as the person it is about sees it.
struct DataConsentRequest {
  std::string tracking_no, item_code, item_name, item_name_en;
  std::string applicant_name;  // who asks
  std::string requested_at;    // the case's submission
  std::string case_status;
  DataUse use;
};

// A licence offered for a catalog material: {"name": <the material>, "number": <licence>}.
struct LicenceRef {
  std::string name;
  std::string number;
};

struct SubmitInput {
  std::string item_code;
  std::string region_code;  // where the applicant wants it handled (the implementation)
  boost::json::object form;
  // Answers to the item's situation questions {code: option} (catalog/item.h), reported
  // under `situation_field` when wrong.
  boost::json::object situation;
  std::string situation_field = "situation";
  std::vector<MaterialRef> materials;
  // Licences the applicant holds, used with their consent instead of uploads (the
  // applicant in person or an enterprise's operator; not agents or halls).
  std::vector<LicenceRef> licences;
  // The materials the applicant consents to have fetched from the data exchange instead
  // of uploading (each names a data_resource in the catalog; the person applying for
  // themselves only).
  std::vector<std::string> data_consents;
  std::string channel;       // "web" (default) or "app" for applicants' own submissions
  std::string on_behalf_of;  // agent: the person's account id
  // An operator holding "apply" applies in the name of this enterprise (credit code);
  // only for items that serve legal persons.
  std::string on_behalf_of_enterprise;
  // Counter intake: the applicant, found by resident ID (an account is linked if one
  // exists; otherwise the name and masked ID are kept).
  std::string applicant_resident_id;
  std::string applicant_name;
};

struct BundleInput {
  std::string bundle_code;
  std::string region_code;
  boost::json::object form;  // validated against the bundle's intake schema
  // Answers to the bundle's situation questions, which decide its items, and to each
  // included item's own questions ({item code: {code: option}}).
  boost::json::object situation;
  boost::json::object item_situations;
  std::vector<MaterialRef> materials;
  std::vector<LicenceRef> licences;
  // As SubmitInput's, each going to the items whose materials data stands for under that
  // name (a consent no item takes is refused).
  std::vector<std::string> data_consents;
  std::string channel;
  std::string on_behalf_of;
  std::string on_behalf_of_enterprise;
};

struct SupplyInput {
  std::optional<boost::json::object> form;  // replaces the form (validated again)
  std::vector<MaterialRef> materials;       // added
  std::vector<LicenceRef> licences;         // held licences for materials, with consent
  // Consents to data standing for materials asked for again, as at submission (the
  // person supplying for themselves); fetched at once when the case was accepted already.
  std::vector<std::string> data_consents;
  std::string note;
};

// The public lookup (我要查): what proves the asker knows the case.
struct LookupInput {
  std::string tracking_no;
  std::string name;      // the applicant's name as on the application
  std::string id_last4;  // the last four of the resident ID number or credit code
};
struct PublicCase {
  std::string tracking_no;
  std::string stage;      // PublicStage (model.h)
  bool archived = false;  // moved to the archive (its stage is then final)
};

struct ListFilter {
  std::string status;
  std::string item_code;
  std::string q;  // a tracking number, or words of the item or applicant name
  int64_t page = 1;
  int64_t per_page = 20;
};

struct CaseList {
  std::vector<Case> cases;
  int64_t total = 0;
};

struct InboxFilter {
  std::string status;    // "" / "open": all open; "unclaimed"; "mine"
  std::string deadline;  // "", "normal", "yellow", "red"
  std::string item_code;
  std::string q;
  int64_t limit = 50;
};

struct InboxEntry {
  Task task;
  Case summary;  // without materials, tasks, events
  std::string deadline_state;
};

struct Inbox {
  std::vector<InboxEntry> tasks;
  int64_t total = 0, unclaimed = 0, mine = 0, yellow = 0, red = 0;
};

// Who moved a case to a service task: the staff member whose step completed (their
// username and account), or "system" with no account (a timer).
struct ServiceCaller {
  std::string name;
  std::string account_id;
};

// A domain service a BPMN service task may call (ow:service / camunda:topic): gets the
// case, the instance's variables and who moved the case there, returns the result merged
// into the variables (and recorded in the case's "service_called" event). Runs inside the
// case's transaction, so it must be quick and have effects only through `c`; an error
// undoes the whole step (the decision that led to it included).
using DomainService = std::function<Result<boost::json::object>(
    db::Connection& c, const Case& k, const boost::json::object& variables,
    const ServiceCaller& by)>;

// The archive (archive.cc): cases closed long ago leave the hot tables for case_archive,
// each as a package signed by the platform (a compact JWS whose payload is the manifest:
// the case with its events, tasks, materials' digests, licences used, documents and
// messages). What signs it: the platform's key (the app passes the OpenID provider's
// active ES256 key), the issuer, and the public JWK of a key id (kept with the package so
// it still verifies after the key is rotated away).
struct ArchiveSigner {
  std::function<Result<std::string>(const boost::json::object& manifest)> sign;
  std::function<std::string()> issuer;
  std::function<std::optional<boost::json::object>(const std::string& kid)> public_key;
};
// An archived case as one reader may see it: the case as the package holds it (staff
// named only for staff and auditors), read-only.
struct ArchivedCase {
  std::string tracking_no, status, decision, closed_at, archived_at, digest, kid;
  boost::json::object view;
  bool may_export = false;  // the reader may also download the signed package
};
// One line of a person's list of archived cases.
struct ArchivedSummary {
  std::string tracking_no, item_code, item_name, status, decision, created_at, closed_at,
      archived_at;
};
struct ArchivedList {
  std::vector<ArchivedSummary> cases;
  int64_t total = 0;
};
// The signed package itself, with the public key that verifies it.
struct ArchivePackage {
  std::string tracking_no, package, digest, kid, archived_at;
  boost::json::object jwk;
};

class Service {
 public:
  Service(db::Database& db, catalog::Service& catalog, processes::Service& processes,
          calendar::Service& calendar, identity::Service& identity, MaterialDirectory* materials);

  // The clock the routes read for `now` (tests move it to count deadlines on chosen days).
  // Every operation is stamped with the `now` it is given: events, deadlines, timers.
  void SetClock(std::function<SystemTime()> clock) { clock_ = std::move(clock); }
  SystemTime Now() const { return clock_(); }

  // Registers the built-in process (kDefaultProcessKey) if it is missing. Call at start-up.
  Status Bootstrap();
  // Adds a domain service for service tasks (at start-up, before serving).
  void AddDomainService(const std::string& name, DomainService fn);
  // Where refused public lookups are audited ("case.lookup_refused"; at start-up).
  void SetAuditSink(identity::AuditSink sink) { audit_ = std::move(sink); }
  // The licence library, for materials satisfied by licences (at start-up; without it a
  // submission naming licences is refused).
  void SetLicences(LicenceDirectory* licences) { licences_ = licences; }
  // The data exchange, for materials stood for by data (at start-up; without it a
  // submission consenting to data is refused and fetch-data fails). Adds the
  // "fetch-data" domain service: it fetches every consented, not yet verified, data use
  // of the case; a failure (refused, no record, source down) is kept on the data use for
  // staff to see and retry, and the process goes on (its result: data_verified).
  void SetDataExchange(DataExchange* exchange);
  // The issuer of case documents (at start-up; without it no documents are issued).
  void SetDocuments(DocumentIssuer* documents) { documents_ = documents; }
  // Where the applicant's messages go (the notifications domain's inbox and outbox), in
  // the transaction that changed the case. Required before serving: an operation that
  // has a message to send fails with kInternal without it.
  void SetNotifier(notify::Notifier* notifier) { notifier_ = notifier; }
  // Where events for department systems go (the webhooks domain's outbox), in the
  // transaction that changed the case: submitted, decided, delivered. Optional.
  void SetEventPublisher(webhooks::Publisher* events) { events_ = events; }
  // Where submissions, decisions, deliveries and hall visits are counted for the
  // indicators, in the transaction that changed the case (at start-up; null counts nothing).
  void SetIndicators(indicators::Recorder* recorder) { indicators_ = recorder; }

  Result<Case> Submit(const identity::Principal& who, const SubmitInput& in, SystemTime now);
  Result<BundleApplication> SubmitBundle(const identity::Principal& who, const BundleInput& in,
                                         SystemTime now);
  Result<BundleApplication> GetBundle(const identity::Principal& who, const std::string& id);

  // The case with its materials, the licences used (with their status now), tasks and
  // events.
  Result<Case> Get(const identity::Principal& who, const std::string& tracking_no);
  // The sealed PDF of a licence used by a case, to whoever may read the case.
  Result<std::string> UsedLicencePdf(const identity::Principal& who, const std::string& no,
                                     const std::string& number);
  // One of the case's documents as a sealed PDF, to whoever may read the case.
  Result<std::string> DocumentPdf(const identity::Principal& who, const std::string& no,
                                  const std::string& kind);
  // The stage of the case `in` names, to anyone without signing in, when the name and
  // the last four characters of the ID match (LookupMatches). Every mismatch, and a case
  // that does not exist, is the same kNotFound. Throttled: after 20 failures from one
  // address in ten minutes, or 5 for one tracking number in an hour, kResourceExhausted
  // (with retry_after) whatever is asked; the holder of the case can still sign in.
  Result<PublicCase> Lookup(const LookupInput& in, const std::string& ip, SystemTime now);
  // What the platform knows already for an item's application form, so a person does not
  // type it again: each form property annotated "x-prefill" (catalog/item.h) with its value
  // from the caller's own account (person.name, person.resident_id, person.phone) or, when
  // `enterprise` names one the caller may apply for, from the enterprise (enterprise.name,
  // enterprise.credit_code). Persons only (kPermissionDenied for staff); kNotFound for an
  // unknown item or an enterprise the caller may not apply for.
  Result<boost::json::object> Prefill(const identity::Principal& who, const std::string& item_code,
                                      const std::string& enterprise);
  // The applicant's own data for an item's form, fetched now from the resources the
  // item's `materials` (names) stand for, with the caller's consent (this request):
  // each query is logged with the purpose of pre-filling the form. Returns
  // {"values": {form property: value} for properties annotated x-prefill
  // "data.<resource>.<field>", "data": [{name, resource, resource_name, resource_name_en,
  // provider_department, found, fields: {...}}]}. Persons with a verified resident ID only.
  Result<boost::json::object> PrefillFromData(const identity::Principal& who,
                                              const std::string& item_code,
                                              const std::vector<std::string>& materials);
  // The requests awaiting `who`'s consent: another applicant's cases naming `who`'s proven
  // resident ID as a party whose data a material stands for (none without a proven ID).
  Result<std::vector<DataConsentRequest>> DataConsentRequests(const identity::Principal& who);
  // `who` consents to (or refuses) the fetch of their data for material `material` of case
  // `no`: recorded on the case ("data_consented" / "data_consent_refused"); when the case
  // was accepted already, the data is fetched at once. kNotFound unless the request is
  // about `who`'s proven resident ID; kFailedPrecondition when answered already or the
  // case is over.
  Result<DataConsentRequest> AnswerDataConsent(const identity::Principal& who,
                                               const std::string& no, const std::string& material,
                                               bool consent, SystemTime now);
  // Fetches again the case's data uses not verified yet (staff who may work on an open
  // task of the case); recorded as a "data_fetched" event.
  Result<Case> RetryDataFetch(const identity::Principal& who, const std::string& no,
                              SystemTime now);
  Result<CaseList> ListMine(const identity::Principal& who, const ListFilter& f);
  // The cases an enterprise applied for, to any of its operators (any right, read now).
  // kNotFound for everyone else, as if there were no such enterprise.
  Result<CaseList> ListForEnterprise(const identity::Principal& who, const std::string& credit_code,
                                     const ListFilter& f);
  // Cases of the caller's departments and regions (staff).
  Result<CaseList> ListForStaff(const identity::Principal& who, const ListFilter& f);

  // Applicant actions.
  Result<Case> Withdraw(const identity::Principal& who, const std::string& no,
                        const std::string& reason, const std::string& channel, SystemTime now);
  // Gives what the pending supplement request asked for, and only that
  // (CheckSupplyAgainstAsk); the case returns to the status it was asked in.
  Result<Case> Supply(const identity::Principal& who, const std::string& no, const SupplyInput& in,
                      const std::string& channel, SystemTime now);

  // Staff actions on a case (by someone who may work on one of its open tasks).
  // A supplement request lists everything to give again at once: at least one of the
  // item's materials or of the form's fields, each with an optional note.
  Result<Case> RequestSupplement(const identity::Principal& who, const std::string& no,
                                 const SupplementAsk& ask, SystemTime now);
  Result<Case> Suspend(const identity::Principal& who, const std::string& no,
                       const std::string& procedure, const std::string& reason, SystemTime now);
  Result<Case> Resume(const identity::Principal& who, const std::string& no,
                      const std::string& reason, SystemTime now);
  // After the decision, by the handling department's acceptors or a counter.
  Result<Case> Deliver(const identity::Principal& who, const std::string& no,
                       const std::string& method, const std::string& note, SystemTime now);
  Result<Case> Close(const identity::Principal& who, const std::string& no,
                     const std::string& reason, SystemTime now);

  // Workbench.
  Result<Inbox> InboxOf(const identity::Principal& who, const InboxFilter& f, SystemTime now);
  Result<Task> Claim(const identity::Principal& who, int64_t task_id, int64_t version,
                     SystemTime now);
  // Accept tasks take "accept" | "not_accept"; review tasks "approve" | "deny".
  Result<Case> Complete(const identity::Principal& who, int64_t task_id, int64_t version,
                        const std::string& decision, const std::string& opinion, SystemTime now);
  // Hands the task to another staff member who may work on it (it is claimed for them).
  Result<Task> Transfer(const identity::Principal& who, int64_t task_id, int64_t version,
                        const std::string& to_username, const std::string& reason, SystemTime now);

  // Fires the boundary timers due by `now` on cases under review (escalations and
  // reminders). Returns how many cases moved. Called periodically by the server.
  Result<int64_t> FireDueTimers(SystemTime now);
  // Cases under review whose timer was due at `before` and has not fired yet (the
  // onewindow_case_timers_overdue metric: the server sweeps every 15 s, so a timer
  // overdue by a minute means no node is sweeping).
  Result<int64_t> OverdueTimers(SystemTime before);

  // True when `who` may read a case this material is attached to (staff access to
  // materials goes through the case).
  bool MayReadMaterial(const identity::Principal& who, const std::string& material_id);

  // The archive (archive.cc). Without a signer nothing is archived (kFailedPrecondition).
  void SetArchiveSigner(ArchiveSigner signer) { archive_signer_ = std::move(signer); }
  // Moves up to `limit` cases in a final status (delivered, not_accepted, closed,
  // withdrawn) whose last change was before `closed_before` into the archive, one
  // transaction each: the package is signed and written, then the case's rows leave
  // cases, case_events, case_tasks, case_materials, case_licences and case_messages.
  // Kept where they are: licences (they name the tracking number), the case's issued
  // documents (the licence library's register), ratings, bookings, notifications, the
  // audit and exchange logs, the uploaded files (the applicant's). A case changed
  // meanwhile is left for a later run. Returns how many were archived.
  Result<int64_t> ArchiveClosed(SystemTime closed_before, int64_t limit, SystemTime now);
  // The archived case `no` (authz kReadArchivedCase: its applicant, an operator of the
  // applying enterprise, staff of its department in its region, auditors). kNotFound for
  // anyone else, as for a case that does not exist; kPermissionDenied at the gate (a
  // token without cases.read).
  Result<ArchivedCase> GetArchived(const identity::Principal& who, const std::string& no);
  // The caller's own archived cases (authz kReadArchivedCase as their applicant), a page
  // of `per_page` (1 to 100), the latest first. kInvalidArgument for a bad page.
  Result<ArchivedList> ListMyArchived(const identity::Principal& who, int64_t page,
                                      int64_t per_page);
  // Its signed package (authz kExportArchivedCase: staff of its department, auditors).
  Result<ArchivePackage> ExportArchived(const identity::Principal& who, const std::string& no);

 private:
  // Sends `m` about case `k` to its recipient through the notifier, inside `c`
  // (messages.cc).
  Status SendMessage(db::Connection& c, const Message& m);
  // Announces the case's submitted, decided and delivered events to department systems.
  Status PublishEvents(db::Connection& c, const Case& k, const std::vector<Event>& events);
  // Audits a refused public lookup: the case id (or number) asked about and the address.
  void AuditRefusedLookup(const std::string& key, const std::string& ip, bool throttled);
  struct Op;  // one operation on one locked case (service_internal.h)

  Result<Calendar> CalendarAround(Date day);
  Result<std::shared_ptr<const workflow::Definition>> DefinitionOf(const Case& k);
  Result<std::vector<Attachment>> ResolveMaterials(const identity::Principal& who,
                                                   const std::string& applicant,
                                                   const std::vector<MaterialRef>& refs,
                                                   int64_t already, SystemTime now);
  // The licences offered for `k`'s materials, checked: usable by `who`, of the type the
  // named material accepts, valid now. `doc` is the item's document.
  // `channel` is the action's: an agent's or a hall's cannot consent for the holder.
  Result<std::vector<LicenceUse>> ResolveLicences(const identity::Principal& who, const Case& k,
                                                  const std::string& channel,
                                                  const boost::json::object& doc,
                                                  const std::vector<LicenceRef>& refs,
                                                  SystemTime now);
  // Loads, locks and runs `fn` on one case, then saves it; retries are the database's.
  Result<Case> Mutate(int64_t id, SystemTime now,
                      const std::function<Status(db::Connection&, Op&)>& fn);
  Result<Case> MutateByNo(const identity::Principal& who, const std::string& no, SystemTime now,
                          const std::function<Status(db::Connection&, Op&)>& fn);
  bool CanRead(const identity::Principal& who, const Case& k, const std::vector<Task>& tasks);
  Status CanWorkOn(const identity::Principal& who, const Task& t) const;
  // The channel an applicant's own action on `k` is recorded with: `channel` (default
  // web) for the applicant, "agent" for an agent under a live authorization; otherwise
  // kPermissionDenied with `refusal`.
  Result<std::string> ApplicantChannel(const identity::Principal& who, const Case& k,
                                       const std::string& channel, std::string_view refusal);
  // The consents to data standing for `k`'s materials, checked: the person applying for
  // themselves, with a verified resident ID; each a material of the item naming a
  // published resource about persons (data_uses.cc).
  Result<std::vector<DataUse>> ResolveDataConsents(const identity::Principal& who, const Case& k,
                                                   const boost::json::object& doc,
                                                   const std::vector<std::string>& names,
                                                   SystemTime now);
  // Fetches each of `k`'s data uses not verified yet, on `c`; returns the names verified
  // and failed (data_uses.cc).
  Result<boost::json::object> FetchDataUses(db::Connection& c, const Case& k);
  // The rights `who` holds now over the enterprise that applied for `k` (none for a
  // person's case or when the lookup fails).
  authz::OperatorRights OperatorRightsOn(const identity::Principal& who, const Case& k);
  Status HandOverMaterials(db::Connection& c, const Case& k,
                           const std::vector<Attachment>& attachments,
                           const std::string& uploader = "");
  Status Insert(db::Connection& c, Case& k, const std::vector<Attachment>& attachments,
                const std::vector<LicenceUse>& licences, const std::string& actor);
  Result<int64_t> CaseOfTask(int64_t task_id);
  // What a new case of `item` in `region` is filed under: the item as implemented there
  // and its process version. Cached for two seconds (submissions come in bursts).
  struct ItemTarget {
    catalog::ItemView view;
    std::string process_key;
    int64_t process_version = 0;
  };
  Result<std::shared_ptr<const ItemTarget>> TargetOf(const std::string& item,
                                                     const std::string& region);
  // `target`, when given, receives the item target Prepare used (the caller need not look
  // it up again: that would be one more generation check, a round trip).
  Result<Case> Prepare(const identity::Principal& who, const SubmitInput& in, bool validate_form,
                       SystemTime now, std::shared_ptr<const ItemTarget>* target = nullptr);
  Status StartWorkflow(db::Connection& c, Op& op);
  Status Apply(db::Connection& c, Op& op, workflow::Instance& inst,
               Result<workflow::Effects> effects);
  Status Recompute(Op& op);
  // The documents the transitions recorded in `op` issue (acceptance, non-acceptance,
  // the decision), each with an event and a message to the applicant.
  Status IssueDocuments(db::Connection& c, Op& op);
  // Adds what op's events count to the indicators (counts.cc).
  Status CountIndicators(db::Connection& c, const Op& op);
  Result<Case> LoadFull(db::Connection& c, int64_t id);
  // Archives case `id` when it is still final and unchanged since `cutoff` (archive.cc).
  Result<bool> ArchiveOne(int64_t id, const std::string& cutoff, SystemTime now);
  // Whether `who` may take `action` on an archived case of this department, region,
  // applicant account and enterprise (archive.cc).
  bool ArchiveAllowed(const identity::Principal& who, authz::Action action,
                      const std::string& department, const std::string& region,
                      const std::string& account, const std::string& enterprise);

  db::Database& db_;
  catalog::Service& catalog_;
  processes::Service& processes_;
  calendar::Service& calendar_;
  identity::Service& identity_;
  identity::AuditSink audit_;
  notify::Notifier* notifier_ = nullptr;
  webhooks::Publisher* events_ = nullptr;
  indicators::Recorder* indicators_ = nullptr;
  MaterialDirectory* materials_;
  LicenceDirectory* licences_ = nullptr;
  DocumentIssuer* documents_ = nullptr;
  ArchiveSigner archive_signer_;
  DataExchange* data_ = nullptr;
  std::map<std::string, DomainService> services_;
  std::function<SystemTime()> clock_ = [] { return std::chrono::system_clock::now(); };

  struct CachedTarget {
    std::shared_ptr<const ItemTarget> target;
    std::chrono::steady_clock::time_point expires;
    uint64_t generation = 0;
  };
  std::mutex targets_mu_;
  std::map<std::string, CachedTarget> targets_;

  std::mutex lookup_mu_;  // the public lookup's failures, counted by every node alike
  db::StoredWindow lookup_failures_by_ip_{db_, "cases.lookup.ip", 20, std::chrono::minutes(10)};
  db::StoredWindow lookup_failures_by_case_{db_, "cases.lookup.case", 5, std::chrono::hours(1)};

  std::mutex calendar_mu_;
  std::optional<Calendar> calendar_cache_;
  Date calendar_from_{}, calendar_to_{};
  std::chrono::steady_clock::time_point calendar_loaded_{};
  uint64_t calendar_generation_ = 0;
};

}  // namespace ow::cases

#endif  // OW_CASES_SERVICE_H_
