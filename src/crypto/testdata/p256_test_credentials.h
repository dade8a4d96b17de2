// Test credentials shared by the CMS (crypto/cms_test.cc) and PAdES
// (documents/pades_test.cc) unit tests. Not for production: for tests only.
#ifndef OW_CRYPTO_TESTDATA_P256_TEST_CREDENTIALS_H_
#define OW_CRYPTO_TESTDATA_P256_TEST_CREDENTIALS_H_

#include <string_view>

namespace ow::crypto::testdata {

// Test credentials for CMS and PAdES unit tests: a P-256 CA, a seal certificate it
// issued (digitalSignature, nonRepudiation, emailProtection; valid 2026-12-06 to
// 2126-11-12) with its key, and a P-384 key. Made once with the openssl CLI; secrets of
// nothing.
constexpr std::string_view kTestCaCertPem = R"(-----BEGIN CERTIFICATE-----
MIIB0jCCAXegAwIBAgIUf0ahpHigNveJpCG+xzkcQBBKN80wCgYIKoZIzj0EAwIw
NTEfMB0GA1UEAwwWT25lV2luZG93IFVuaXQgVGVzdCBDQTESMBAGA1UECgwJT25l
V2luZG93MCAXDTI2MTIwNjA0MjYwOFoYDzIxMjYxMTEyMDQyNjA4WjA1MR8wHQYD
VQQDDBZPbmVXaW5kb3cgVW5pdCBUZXN0IENBMRIwEAYDVQQKDAlPbmVXaW5kb3cw
WTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAAT4WvyC+hH5SQy1I17FTpYuo/OfyVig
e+6QX1WRPh/z4ysx+/iY20TmxuCfjlnfZLUqEqgUyfe4hRjmNHnTFiIeo2MwYTAd
BgNVHQ4EFgQUiS12lY6O6dD8HzrdiOeSnEVYerQwHwYDVR0jBBgwFoAUiS12lY6O
6dD8HzrdiOeSnEVYerQwDwYDVR0TAQH/BAUwAwEB/zAOBgNVHQ8BAf8EBAMCAQYw
CgYIKoZIzj0EAwIDSQAwRgIhAPnQiWZ8YgzXUc5wCh/eL4BtqSrx/xXCURvu/s/9
aze4AiEAiqMpS8UPkbaRDrwDvSXUpb6NxwxaVwLDJZqOIILoTIY=
-----END CERTIFICATE-----
)";
constexpr std::string_view kTestSealCertPem = R"(-----BEGIN CERTIFICATE-----
MIIB2zCCAYGgAwIBAgIUV2+PRsnQPdPm8PVQx5xhfA3pQU0wCgYIKoZIzj0EAwIw
NTEfMB0GA1UEAwwWT25lV2luZG93IFVuaXQgVGVzdCBDQTESMBAGA1UECgwJT25l
V2luZG93MCAXDTI2MTIwNjA0MjYwOVoYDzIxMjYxMTEyMDQyNjA5WjAtMRcwFQYD
VQQDDA5Vbml0IFRlc3QgU2VhbDESMBAGA1UECgwJT25lV2luZG93MFkwEwYHKoZI
zj0CAQYIKoZIzj0DAQcDQgAEBauShwb5ObmtYifGY+cHhu8w3Ju49ZeJsBGE7tmt
pQprsqYokBmpeVYV44lS17D1Aycv3quIFUsho0f74XDrIqN1MHMwDAYDVR0TAQH/
BAIwADAOBgNVHQ8BAf8EBAMCBsAwEwYDVR0lBAwwCgYIKwYBBQUHAwQwHQYDVR0O
BBYEFItnqkAgKKb8JX/Pd9MVHp6MpbcuMB8GA1UdIwQYMBaAFIktdpWOjunQ/B86
3YjnkpxFWHq0MAoGCCqGSM49BAMCA0gAMEUCIE0pxG4I9aFY3PUJr7FNKHxIW11b
7mgWsqqkq1AIQtHUAiEAkQzyZ4o1EIvm9MzwCnSEs+W7ccWkHfNLSydOFvvxfAE=
-----END CERTIFICATE-----
)";
constexpr std::string_view kTestSealKeyPem = R"(-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgUDvjQLY4j+oLZXmv
+38fo3EMFPBJnPvrwCol+y9hbcOhRANCAAQFq5KHBvk5ua1iJ8Zj5weG7zDcm7j1
l4mwEYTu2a2lCmuypiiQGal5VhXjiVLXsPUDJy/eq4gVSyGjR/vhcOsi
-----END PRIVATE KEY-----
)";
constexpr std::string_view kTestP384KeyPem = R"(-----BEGIN PRIVATE KEY-----
MIG2AgEAMBAGByqGSM49AgEGBSuBBAAiBIGeMIGbAgEBBDAJ50rxGc1TclK0pSyd
uexxSOPXvix7agBUnjU0bwqVc9mvpusJSCoRmTmEzA4rhIWhZANiAARu6j8MCU71
lhAoCmHuWYWUPHjiAZ6tpjAOAWUUhrvgg2DhOIvZw55ixdgeLHlDve4mOYdFvZtX
y8LF53WGKxlNOFEgynx3Fua2UJLq2qb7VdRJqR/CCO14jJEtwlE1bsg=
-----END PRIVATE KEY-----
)";

}  // namespace ow::crypto::testdata

#endif  // OW_CRYPTO_TESTDATA_P256_TEST_CREDENTIALS_H_
