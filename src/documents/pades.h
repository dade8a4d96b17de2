// PAdES B-B signatures (ETSI EN 319 142-1) on PDF documents: the department's seal
// key signs the document, and any PDF validator (poppler's pdfsig, Acrobat, mutool)
// can check that not a byte changed since.
//
// SignPdf appends an incremental update to the input (the original bytes stay as they
// are, so earlier signatures keep covering their revisions): a signature dictionary
// (/Type /Sig, /Filter /Adobe.PPKLite, /SubFilter /ETSI.CAdES.detached, /ByteRange,
// /Contents, /M and the optional /Name, /Reason, /Location, /ContactInfo), a widget
// annotation that is also the signature field, the page's /Annots with the widget
// added to the existing annotations, and the catalog's /AcroForm with the field added
// to the existing /Fields and /SigFlags 3. The /ByteRange covers the whole file except
// the /Contents hex string; the SHA-256 of those bytes is signed as a detached CAdES
// signature (crypto/cms.h: content-type, message-digest and signing-certificate-v2
// signed attributes, no signing-time attribute: the time is /M) whose DER is written,
// hex-encoded, into the zero-filled /Contents placeholder.
//
// Which library does what, and why:
//  - qpdf reads the input's structure (trailer, catalog, pages, existing annotations
//    and form fields) with its C++ API (pdf_update.cc); damaged files are refused (no
//    recovery: an update to a reconstructed file would point at wrong offsets). The
//    update itself is written here, byte for byte, because the /Contents placeholder
//    must be at a known offset and nothing may move after hashing; qpdf's writer
//    rewrites whole files.
//  - OpenSSL's CMS (only through ow_crypto) makes the signature.
//  - Not PoDoFo: Debian 12's libpodofo-dev depends on Boost 1.74's libboost-dev and
//    cannot be installed beside libboost1.81-dev, which the rest of the platform uses.
//
// Bounds: input over kMaxPdfToSign bytes is refused before it is parsed; nothing is
// written anywhere but into the appended update and, after hashing, into the
// fixed-width /ByteRange field and the /Contents placeholder, whose size is fixed from
// the certificates' sizes before signing (crypto::MaxCadesSignatureSize).
//
// The update ends with a classic xref table, or with an xref stream when the input's
// last cross-reference section is one (ISO 32000-1 7.5.8.4), so files that qpdf or
// others wrote with object streams are signed too.
//
// Errors: kInvalidArgument for input that is too large, not a PDF qpdf can read
// without recovery, or encrypted; for a widget page out of range or a malformed
// rectangle, text that is not valid UTF-8 or too long, and for the signer's PEM or key
// as crypto::SignCadesDetached reports them; kFailedPrecondition when `time` lies
// outside the certificate's validity.
//
// Thread safety: SignPdf may be called concurrently; it keeps nothing.
#ifndef OW_DOCUMENTS_PADES_H_
#define OW_DOCUMENTS_PADES_H_

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "documents/geometry.h"

namespace ow::documents {

inline constexpr size_t kMaxPdfToSign = size_t{64} * 1024 * 1024;
// Limit of the DER CMS the placeholder may be sized for (certificates included).
inline constexpr size_t kMaxPdfSignatureBytes = size_t{64} * 1024;
inline constexpr size_t kMaxSignatureTextChars = 200;

// The seal's credentials: an ECDSA P-256 key and its certificate, PEM.
struct PdfSigner {
  std::string cert_pem;
  std::string key_pem;                  // PKCS#8 or SEC 1, unencrypted
  std::vector<std::string> chain_pems;  // issuing CA certificates, included in the CMS
};

struct SignatureInfo {
  std::string name;      // /Name: who signs, e.g. the department
  std::string reason;    // /Reason, e.g. "电子证照签章"
  std::string location;  // /Location
  std::string contact;   // /ContactInfo
  // The claimed signing time: written as /M in `utc_offset`'s zone (default Beijing
  // time); the certificate must be valid at this time.
  std::chrono::system_clock::time_point time;
  std::chrono::minutes utc_offset{8 * 60};
  // A visible widget over this area (pdf.h RenderedPdf::seal_area); absent, the
  // signature is invisible (a zero-size widget on the first page).
  std::optional<PageArea> widget;
};

// Signs `pdf` and returns the signed file (the input plus the update).
Result<std::string> SignPdf(std::string_view pdf, const PdfSigner& signer,
                            const SignatureInfo& info);

}  // namespace ow::documents

#endif  // OW_DOCUMENTS_PADES_H_
