// The licences domain's SQL. Every function runs on a connection inside the caller's
// transaction; none commits. Private keys and a licence's personal data arrive and leave
// sealed (AEAD boxes made by the service with the identity domain's data keys): nothing
// here sees them in clear.
#ifndef OW_LICENCES_STORE_H_
#define OW_LICENCES_STORE_H_

#include <optional>
#include <string>
#include <vector>

#include "db/database.h"
#include "db/migrations.h"
#include "licences/model.h"

namespace ow::licences {

std::vector<db::Migration> Migrations();

namespace store {

// A private key sealed with data key `key_version`.
struct SealedKey {
  std::string box;  // base64url AEAD box of the PKCS#8 PEM
  int64_t key_version = 0;
};

// ---- The certificate authority.
struct AuthorityRow {
  Authority authority;
  SealedKey key;
  std::string status;  // "active" | "retired"
};
// false when that generation of that algorithm exists already (another node was first).
Result<bool> InsertAuthority(db::Connection& c, const AuthorityRow& a);
// Every generation of both algorithms, oldest first.
Result<std::vector<AuthorityRow>> Authorities(db::Connection& c);
// The earliest not_after (RFC 3339) of the active CA generations and active seals; empty
// when there is none.
Result<std::string> EarliestActiveNotAfter(db::Connection& c);
Status RetireAuthorities(db::Connection& c, int64_t below_generation);

// ---- Seals.
struct SealRow {
  Seal seal;
  SealedKey sm2_key, p256_key;
  std::string image;  // PNG
};
Status InsertSeal(db::Connection& c, const SealRow& s);
// Without holders; `with_keys` false leaves the boxes empty.
Result<std::optional<SealRow>> LoadSeal(db::Connection& c, const std::string& id, bool with_keys);
// Seals of one department ("" = all) in the order they were made, without keys or images.
Result<std::vector<Seal>> ListSeals(db::Connection& c, const std::string& department_code);
// Every seal with its sealed keys (for the signing ring).
Result<std::vector<SealRow>> AllSealsWithKeys(db::Connection& c);
Result<std::optional<std::string>> SealImage(db::Connection& c, const std::string& id);
// Sets status and reason when the seal is at `version`; false otherwise.
Result<bool> SetSealStatus(db::Connection& c, const std::string& id, int64_t version,
                           const std::string& status, const std::string& reason,
                           const std::string& at);
Result<std::vector<std::string>> SealHolders(db::Connection& c, const std::string& id);
Status AddSealHolder(db::Connection& c, const std::string& seal_id, const std::string& account,
                     const std::string& by, const std::string& at);
// false when the account did not hold it.
Result<bool> RemoveSealHolder(db::Connection& c, const std::string& seal_id,
                              const std::string& account);
Result<bool> IsSealHolder(db::Connection& c, const std::string& seal_id,
                          const std::string& account);

// ---- Licence types.
// Inserts or, at `expected_version` (0: must not exist), replaces; false on a version
// mismatch.
Result<bool> SaveType(db::Connection& c, const LicenceType& t, int64_t expected_version);
Result<std::optional<LicenceType>> LoadType(db::Connection& c, const std::string& code);
Result<std::vector<LicenceType>> ListTypes(db::Connection& c);

// ---- Licences.
struct LicenceRow {
  Licence licence;         // holder_id, holder_name, fields and sealed_data are not stored in clear
  std::string holder_key;  // keyed hash of kind ":" id, for lookups
  std::string holder_masked;  // what the public may see of the holder's name
  SealedKey data;             // sealed sealed_data (the canonical JSON with every field)
};
// The next value of counter `scope` (1, 2, ...).
Result<int64_t> NextCounter(db::Connection& c, const std::string& scope);
// kAlreadyExists (via the database) when the number is taken.
Status InsertLicence(db::Connection& c, const LicenceRow& r);
Result<std::optional<LicenceRow>> LoadLicence(db::Connection& c, const std::string& number);
Result<std::optional<LicenceRow>> LoadLicenceById(db::Connection& c, const std::string& id);
// A holder's licences, newest first (any status).
Result<std::vector<LicenceRow>> LicencesOfHolder(db::Connection& c, const std::string& holder_key);
// Licences issued by a department in a region or below, newest first, at most `limit`.
Result<std::vector<LicenceRow>> LicencesOfIssuer(db::Connection& c,
                                                 const std::string& department_code,
                                                 const std::string& region_code, int64_t limit);
// Sets the stored status when the licence is at `version`; false otherwise.
Result<bool> SetLicenceStatus(db::Connection& c, const std::string& id, int64_t version,
                              const std::string& status, const std::string& reason,
                              const std::string& superseded_by);
Status InsertLicenceEvent(db::Connection& c, const std::string& licence_id, const LicenceEvent& e);
Result<std::vector<LicenceEvent>> LicenceEvents(db::Connection& c, const std::string& licence_id);
// The status a verifier needs: (status, valid_to, type_code) of a number; nullopt when
// no such licence.
struct StatusRow {
  std::string id, status, valid_to, type_code, seal_id, qr_payload, holder_masked, department_code,
      valid_from, type_name;
};
Result<std::optional<StatusRow>> LicenceStatus(db::Connection& c, const std::string& number);

// Shares: a holder's time-limited codes; the code itself is never stored, only its hash.
Status InsertShare(db::Connection& c, const Share& s, const std::string& code_hash);
Result<std::vector<Share>> SharesOf(db::Connection& c, const std::string& licence_id);
Result<std::optional<Share>> ShareByCode(db::Connection& c, const std::string& code_hash);
// false when there is no such live share of that licence.
Result<bool> RevokeShare(db::Connection& c, const std::string& licence_id, const std::string& id,
                         const std::string& at);
Status CountShareView(db::Connection& c, const std::string& id, const std::string& at);

// The licence's sealed PDF, made once (the first reader renders and signs it; a
// concurrent second one finds it stored and its own copy is dropped).
Result<std::optional<std::string>> LicenceDocument(db::Connection& c,
                                                   const std::string& licence_id);
Status InsertLicenceDocument(db::Connection& c, const std::string& licence_id,
                             const std::string& pdf, const std::string& sha256,
                             const std::string& at);

// ---- Case documents and their templates.
Result<std::optional<DocumentTemplate>> LoadTemplate(db::Connection& c, const std::string& kind,
                                                     const std::string& item_code);
Result<std::vector<DocumentTemplate>> ListTemplates(db::Connection& c);
// Inserts (expected_version 0) or updates at that version; false on a conflict.
Result<bool> SaveTemplate(db::Connection& c, const DocumentTemplate& t, int64_t expected_version);
Result<bool> DeleteTemplate(db::Connection& c, const std::string& kind,
                            const std::string& item_code, int64_t version);

struct CaseDocumentRow {
  int64_t case_id = 0;
  std::string kind, number, title, department_code;
  boost::json::object content;  // the document as issued (case_documents.cc)
  std::string issued_by, issued_at;
  bool sealed = false;  // its sealed PDF is kept (case_document_files); read, not written
};
Status InsertCaseDocument(db::Connection& c, const CaseDocumentRow& d);
// A case's documents, each with whether its sealed PDF is kept (without reading it).
Result<std::vector<CaseDocumentRow>> CaseDocuments(db::Connection& c, int64_t case_id);
Result<std::optional<std::string>> CaseDocumentFile(db::Connection& c, int64_t case_id,
                                                    const std::string& kind);
// Keeps the first file made for the document (a concurrent second one is dropped).
Status InsertCaseDocumentFile(db::Connection& c, int64_t case_id, const std::string& kind,
                              const std::string& pdf, const std::string& sha256,
                              const std::string& seal_id, const std::string& at);

}  // namespace store
}  // namespace ow::licences

#endif  // OW_LICENCES_STORE_H_
