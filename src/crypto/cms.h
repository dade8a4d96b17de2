// Detached CMS (RFC 5652) signatures in the CAdES form that PAdES B-B (ETSI EN 319 142-1)
// puts inside a PDF: SignedData without encapsulated content, SHA-256, ECDSA on P-256,
// and the signed attributes content-type (id-data), message-digest and ESS
// signing-certificate-v2 (RFC 5035, binding the signer's certificate to the signature).
// The signer's certificate and the given chain are included in SignedData.certificates.
//
// Why P-256 and not SM2: OpenSSL 3.0 cannot put SM2 (or Ed25519) signatures inside CMS,
// and PDF validators (poppler's pdfsig, Acrobat) know ECDSA and RSA only. P-256 is the
// platform's international option for electronic seals.
//
// The signing-time attribute. PAdES baseline says the CMS signing-time attribute shall
// not be present: the claimed time goes into the PDF signature dictionary's /M. OpenSSL
// 3.0 cannot omit it through its CMS signing API: CMS_SignerInfo_sign (crypto/cms/
// cms_sd.c), which CMS_final and CMS_sign reach for every signer with signed attributes,
// adds signing-time with the current clock whenever it is absent, and 3.0 has no flag
// to stop it (CMS_NOATTR drops every signed attribute, which CAdES forbids). So we use
// OpenSSL's CMS code to build the structure (SignerInfo, certificates, digest
// algorithms, the ESS attribute) but compute the signature ourselves: the DER SET OF
// the signed attributes (sorted, as DER requires and as OpenSSL and NSS re-encode it)
// is signed with EVP_DigestSign and stored with CMS_SignerInfo_get0_signature. With
// SigningTimeAttribute::kInclude the attribute carries `signing_time` (never the
// machine's clock), for CAdES uses outside PDF.
//
// Errors: kInvalidArgument for PEM that is malformed or encrypted, a key that is not
// EC P-256, a key that does not match the certificate, a certificate whose key usage
// allows neither digitalSignature nor nonRepudiation, more than kMaxCmsChainCertificates
// chain certificates, or a digest that is not 32 bytes; kFailedPrecondition when
// `signing_time` lies outside the signer certificate's validity; kInternal if OpenSSL
// fails otherwise. The certificate chain is not verified here (that is the relying
// party's job, against its own trust anchors).
//
// Thread safety: the functions may be called concurrently; each call parses its own
// copies of the certificates and key and keeps nothing.
#ifndef OW_CRYPTO_CMS_H_
#define OW_CRYPTO_CMS_H_

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace ow::crypto {

enum class SigningTimeAttribute {
  kOmit,     // PAdES: the time is in the PDF's /M instead
  kInclude,  // CAdES-BES outside PDF: a signing-time attribute with `signing_time`
};

// At most this many certificates in `chain_pems` (all PEM blocks of all strings).
inline constexpr size_t kMaxCmsChainCertificates = 8;

// The DER ContentInfo of a detached CAdES signature of `content`. `chain_pems` holds
// the intermediate (and, if the caller wants, root) certificates as PEM; a string may
// hold several PEM certificates. Certificates equal to the signer's, or repeated, are
// included once.
Result<std::string> SignCadesDetached(
    std::string_view content, std::string_view signer_cert_pem, std::string_view signer_key_pem,
    const std::vector<std::string>& chain_pems, std::chrono::system_clock::time_point signing_time,
    SigningTimeAttribute signing_time_attribute = SigningTimeAttribute::kOmit);

// The same from the SHA-256 digest of the content (32 raw bytes), for content that
// arrives in pieces, such as a PDF's two signed byte ranges fed to a Sha256Hasher.
Result<std::string> SignCadesDetachedSha256(
    std::string_view content_sha256, std::string_view signer_cert_pem,
    std::string_view signer_key_pem, const std::vector<std::string>& chain_pems,
    std::chrono::system_clock::time_point signing_time,
    SigningTimeAttribute signing_time_attribute = SigningTimeAttribute::kOmit);

// An upper bound of the size of the DER that the functions above return for these
// certificates (a PEM is always longer than its DER), for a placeholder that must be
// reserved before the content is known, as in a PDF's /Contents. Pure arithmetic.
size_t MaxCadesSignatureSize(std::string_view signer_cert_pem,
                             const std::vector<std::string>& chain_pems);

}  // namespace ow::crypto

#endif  // OW_CRYPTO_CMS_H_
