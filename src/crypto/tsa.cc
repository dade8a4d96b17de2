#include "crypto/tsa.h"

#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/ts.h>

#include <cstdio>
#include <ctime>

#include "crypto/encoding.h"
#include "crypto/openssl_internal.h"
#include "crypto/random.h"

namespace ow::crypto {
namespace {

using internal::BioPtr;
using internal::Deleter;
using internal::OpenSslError;
using internal::PkeyPtr;
using internal::U;
using internal::X509Ptr;
using TsRespCtxPtr = std::unique_ptr<TS_RESP_CTX, Deleter<TS_RESP_CTX_free>>;
using TsRespPtr = std::unique_ptr<TS_RESP, Deleter<TS_RESP_free>>;
using TsReqPtr = std::unique_ptr<TS_REQ, Deleter<TS_REQ_free>>;
using TsMsgImprintPtr = std::unique_ptr<TS_MSG_IMPRINT, Deleter<TS_MSG_IMPRINT_free>>;
using TsVerifyCtxPtr = std::unique_ptr<TS_VERIFY_CTX, Deleter<TS_VERIFY_CTX_free>>;
using TstInfoPtr = std::unique_ptr<TS_TST_INFO, Deleter<TS_TST_INFO_free>>;
using Pkcs7Ptr = std::unique_ptr<PKCS7, Deleter<PKCS7_free>>;
using X509AlgorPtr = std::unique_ptr<X509_ALGOR, Deleter<X509_ALGOR_free>>;
using Asn1IntegerPtr = std::unique_ptr<ASN1_INTEGER, Deleter<ASN1_INTEGER_free>>;
using Asn1ObjectPtr = std::unique_ptr<ASN1_OBJECT, Deleter<ASN1_OBJECT_free>>;
using BignumPtr = internal::BignumPtr;

void FreeCerts(STACK_OF(X509) * s) { sk_X509_pop_free(s, X509_free); }
using CertStackPtr = std::unique_ptr<STACK_OF(X509), Deleter<FreeCerts>>;

Result<X509Ptr> ReadCertificate(std::string_view pem) {
  OW_ASSIGN_OR_RETURN(BioPtr bio, internal::MemBio(pem));
  X509Ptr x(PEM_read_bio_X509(bio.get(), nullptr, internal::NoPassphrase, nullptr));
  if (!x) {
    ERR_clear_error();
    return InvalidArgument("not a PEM certificate");
  }
  return x;
}

Result<CertStackPtr> ReadCertificates(const std::vector<std::string>& pems) {
  CertStackPtr stack(sk_X509_new_null());
  if (!stack) return OpenSslError("sk_X509_new_null");
  for (const auto& pem : pems) {
    OW_ASSIGN_OR_RETURN(X509Ptr x, ReadCertificate(pem));
    if (sk_X509_push(stack.get(), x.get()) <= 0) return OpenSslError("sk_X509_push");
    x.release();
  }
  return stack;
}

// A positive random 128-bit serial: unique without a counter shared across nodes.
ASN1_INTEGER* RandomSerial(TS_RESP_CTX* ctx, void*) {
  std::string bytes = RandomBytes(16);
  bytes[0] = static_cast<char>((static_cast<unsigned char>(bytes[0]) & 0x7F) | 0x40);
  BignumPtr bn(BN_bin2bn(U(bytes), static_cast<int>(bytes.size()), nullptr));
  ASN1_INTEGER* serial = bn ? BN_to_ASN1_INTEGER(bn.get(), nullptr) : nullptr;
  if (serial == nullptr) {
    TS_RESP_CTX_set_status_info(ctx, TS_STATUS_REJECTION, "Error during serial number generation.");
    TS_RESP_CTX_add_failure_info(ctx, TS_INFO_ADD_INFO_NOT_AVAILABLE);
  }
  return serial;
}

Result<std::string> Der(PKCS7* p7) {
  int n = i2d_PKCS7(p7, nullptr);
  if (n <= 0) return OpenSslError("i2d_PKCS7");
  std::string out(static_cast<size_t>(n), '\0');
  auto* p = reinterpret_cast<unsigned char*>(out.data());
  if (i2d_PKCS7(p7, &p) != n) return OpenSslError("i2d_PKCS7");
  return out;
}

Result<TimeStampToken> Describe(PKCS7* token) {
  TstInfoPtr info(PKCS7_to_TS_TST_INFO(token));
  if (!info) return OpenSslError("reading the token's TSTInfo");
  TimeStampToken out;
  OW_ASSIGN_OR_RETURN(out.der, Der(token));
  std::tm tm{};
  if (ASN1_TIME_to_tm(TS_TST_INFO_get_time(info.get()), &tm) != 1)
    return OpenSslError("reading genTime");
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  out.gen_time = buf;
  BignumPtr serial(ASN1_INTEGER_to_BN(TS_TST_INFO_get_serial(info.get()), nullptr));
  if (!serial) return OpenSslError("reading the serial");
  std::string bytes(static_cast<size_t>(BN_num_bytes(serial.get())), '\0');
  BN_bn2bin(serial.get(), reinterpret_cast<unsigned char*>(bytes.data()));
  out.serial_hex = HexEncode(bytes);
  return out;
}

}  // namespace

struct TimeStamper::State {
  X509Ptr certificate;
  PkeyPtr key;
  CertStackPtr chain;
  Asn1ObjectPtr policy;

  Result<TsRespCtxPtr> Context() const {
    TsRespCtxPtr ctx(TS_RESP_CTX_new());
    if (!ctx) return OpenSslError("TS_RESP_CTX_new");
    if (TS_RESP_CTX_set_signer_cert(ctx.get(), certificate.get()) != 1 ||
        TS_RESP_CTX_set_signer_key(ctx.get(), key.get()) != 1 ||
        TS_RESP_CTX_set_signer_digest(ctx.get(), EVP_sha256()) != 1 ||
        TS_RESP_CTX_set_ess_cert_id_digest(ctx.get(), EVP_sha256()) != 1 ||
        TS_RESP_CTX_set_certs(ctx.get(), chain.get()) != 1 ||
        TS_RESP_CTX_set_def_policy(ctx.get(), policy.get()) != 1 ||
        TS_RESP_CTX_add_md(ctx.get(), EVP_sha256()) != 1 ||
        TS_RESP_CTX_add_md(ctx.get(), EVP_sha384()) != 1 ||
        TS_RESP_CTX_add_md(ctx.get(), EVP_sha512()) != 1 ||
        TS_RESP_CTX_set_accuracy(ctx.get(), 1, 0, 0) != 1) {
      return OpenSslError("preparing the time-stamping context");
    }
    TS_RESP_CTX_add_flags(ctx.get(), TS_TSA_NAME);
    TS_RESP_CTX_set_serial_cb(ctx.get(), RandomSerial, nullptr);
    return ctx;
  }

  Result<TsRespPtr> Create(std::string_view request_der) const {
    OW_ASSIGN_OR_RETURN(TsRespCtxPtr ctx, Context());
    OW_ASSIGN_OR_RETURN(BioPtr in, internal::MemBio(request_der));
    TsRespPtr resp(TS_RESP_create_response(ctx.get(), in.get()));
    if (!resp) return OpenSslError("TS_RESP_create_response");
    ERR_clear_error();  // a rejected request leaves its reason on the queue
    return resp;
  }
};

Result<TimeStamper> TimeStamper::Load(std::string_view certificate_pem,
                                      std::string_view private_key_pem,
                                      const std::vector<std::string>& chain_pems,
                                      std::string_view policy_oid) {
  auto state = std::make_shared<State>();
  OW_ASSIGN_OR_RETURN(state->certificate, ReadCertificate(certificate_pem));
  OW_ASSIGN_OR_RETURN(state->key, internal::ReadPrivateKey(private_key_pem));
  OW_ASSIGN_OR_RETURN(state->chain, ReadCertificates(chain_pems));
  if (X509_check_private_key(state->certificate.get(), state->key.get()) != 1) {
    ERR_clear_error();
    return InvalidArgument("the TSA key does not match its certificate");
  }
  if (X509_check_purpose(state->certificate.get(), X509_PURPOSE_TIMESTAMP_SIGN, 0) != 1) {
    ERR_clear_error();
    return InvalidArgument(
        "the TSA certificate is not for time-stamping (extendedKeyUsage critical timeStamping)");
  }
  state->policy.reset(OBJ_txt2obj(std::string(policy_oid).c_str(), 1));
  if (!state->policy) {
    ERR_clear_error();
    return InvalidArgument("the TSA policy is not a dotted OID");
  }
  // Fails now rather than on the first request if OpenSSL refuses the signer.
  OW_RETURN_IF_ERROR(state->Context());
  TimeStamper out;
  out.state_ = std::move(state);
  return out;
}

Result<std::string> TimeStamper::Respond(std::string_view request_der) const {
  OW_ASSIGN_OR_RETURN(TsRespPtr resp, state_->Create(request_der));
  int n = i2d_TS_RESP(resp.get(), nullptr);
  if (n <= 0) return OpenSslError("i2d_TS_RESP");
  std::string out(static_cast<size_t>(n), '\0');
  auto* p = reinterpret_cast<unsigned char*>(out.data());
  if (i2d_TS_RESP(resp.get(), &p) != n) return OpenSslError("i2d_TS_RESP");
  return out;
}

Result<TimeStampToken> TimeStamper::StampSha256(std::string_view digest) const {
  if (digest.size() != 32) return InvalidArgument("a SHA-256 digest is 32 bytes");
  TsReqPtr req(TS_REQ_new());
  TsMsgImprintPtr imprint(TS_MSG_IMPRINT_new());
  X509AlgorPtr algorithm(X509_ALGOR_new());
  if (!req || !imprint || !algorithm) return OpenSslError("TS_REQ_new");
  std::string nonce_bytes = RandomBytes(8);
  BignumPtr nonce_bn(BN_bin2bn(U(nonce_bytes), 8, nullptr));
  Asn1IntegerPtr nonce(nonce_bn ? BN_to_ASN1_INTEGER(nonce_bn.get(), nullptr) : nullptr);
  if (!nonce ||
      X509_ALGOR_set0(algorithm.get(), OBJ_nid2obj(NID_sha256), V_ASN1_NULL, nullptr) != 1 ||
      TS_MSG_IMPRINT_set_algo(imprint.get(), algorithm.get()) != 1 ||
      TS_MSG_IMPRINT_set_msg(imprint.get(), const_cast<unsigned char*>(U(digest)), 32) != 1 ||
      TS_REQ_set_version(req.get(), 1) != 1 ||
      TS_REQ_set_msg_imprint(req.get(), imprint.get()) != 1 ||
      TS_REQ_set_nonce(req.get(), nonce.get()) != 1 || TS_REQ_set_cert_req(req.get(), 1) != 1) {
    return OpenSslError("building the time-stamp request");
  }
  int n = i2d_TS_REQ(req.get(), nullptr);
  if (n <= 0) return OpenSslError("i2d_TS_REQ");
  std::string der(static_cast<size_t>(n), '\0');
  auto* p = reinterpret_cast<unsigned char*>(der.data());
  if (i2d_TS_REQ(req.get(), &p) != n) return OpenSslError("i2d_TS_REQ");
  OW_ASSIGN_OR_RETURN(TsRespPtr resp, state_->Create(der));
  if (ASN1_INTEGER_get(TS_STATUS_INFO_get0_status(TS_RESP_get_status_info(resp.get()))) !=
      TS_STATUS_GRANTED) {
    return Internal("the time-stamping authority refused its own request");
  }
  return Describe(TS_RESP_get_token(resp.get()));
}

Result<TimeStampToken> VerifyTimeStampToken(std::string_view token_der, std::string_view digest,
                                            std::string_view root_pem,
                                            const std::vector<std::string>& untrusted_pems) {
  if (digest.size() != 32) return InvalidArgument("a SHA-256 digest is 32 bytes");
  const unsigned char* p = U(token_der);
  Pkcs7Ptr token(d2i_PKCS7(nullptr, &p, static_cast<long>(token_der.size())));
  if (!token || p != U(token_der) + token_der.size()) {
    ERR_clear_error();
    return InvalidArgument("not a DER time-stamp token");
  }
  OW_ASSIGN_OR_RETURN(X509Ptr root, ReadCertificate(root_pem));
  OW_ASSIGN_OR_RETURN(CertStackPtr untrusted, ReadCertificates(untrusted_pems));
  TsVerifyCtxPtr ctx(TS_VERIFY_CTX_new());
  X509_STORE* store = X509_STORE_new();
  if (!ctx || store == nullptr) {
    X509_STORE_free(store);
    return OpenSslError("TS_VERIFY_CTX_new");
  }
  TS_VERIFY_CTX_set_store(ctx.get(), store);  // the context owns it from here
  if (X509_STORE_add_cert(store, root.get()) != 1) return OpenSslError("X509_STORE_add_cert");
  auto* imprint = static_cast<unsigned char*>(OPENSSL_malloc(32));
  if (imprint == nullptr) return OpenSslError("OPENSSL_malloc");
  std::copy(digest.begin(), digest.end(), imprint);
  TS_VERIFY_CTX_set_imprint(ctx.get(), imprint, 32);  // owned by the context
  TS_VERIFY_CTS_set_certs(ctx.get(), untrusted.release());
  TS_VERIFY_CTX_set_flags(ctx.get(),
                          TS_VFY_VERSION | TS_VFY_SIGNATURE | TS_VFY_SIGNER | TS_VFY_IMPRINT);
  if (TS_RESP_verify_token(ctx.get(), token.get()) != 1) {
    return Unauthenticated(internal::TakeOpenSslErrors("time-stamp token does not verify"));
  }
  return Describe(token.get());
}

}  // namespace ow::crypto
