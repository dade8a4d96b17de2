#include "crypto/password.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace ow::crypto {
namespace {

const PasswordParams kCheap = PasswordParams::InsecureForTests();

TEST(CryptoPassword, HashVerifyAndReject) {
  auto hash = HashPassword("correct horse battery staple", kCheap);
  ASSERT_TRUE(hash) << hash.error().message;
  EXPECT_EQ(hash->rfind("$argon2id$v=19$m=8,t=1,p=1$", 0), 0u) << *hash;
  EXPECT_TRUE(VerifyPassword(*hash, "correct horse battery staple"));
  for (const char* wrong : {"correct horse battery stapl", "Correct horse battery staple", "",
                            "correct horse battery staple "}) {
    auto r = VerifyPassword(*hash, wrong);
    ASSERT_FALSE(r) << wrong;
    EXPECT_EQ(r.error().code, Code::kUnauthenticated);
  }
  // A fresh salt every time.
  auto again = HashPassword("correct horse battery staple", kCheap);
  ASSERT_TRUE(again);
  EXPECT_NE(*again, *hash);
  EXPECT_TRUE(VerifyPassword(*again, "correct horse battery staple"));
}

TEST(CryptoPassword, PasswordsAreExactByteStrings) {
  const std::string with_nul("pass\0word", 9);
  auto hash = HashPassword(with_nul, kCheap);
  ASSERT_TRUE(hash);
  EXPECT_TRUE(VerifyPassword(*hash, with_nul));
  EXPECT_FALSE(VerifyPassword(*hash, "pass"));
  auto empty = HashPassword("", kCheap);
  ASSERT_TRUE(empty);
  EXPECT_TRUE(VerifyPassword(*empty, ""));
  EXPECT_FALSE(VerifyPassword(*empty, " "));
  auto chinese = HashPassword("密码123", kCheap);
  ASSERT_TRUE(chinese);
  EXPECT_TRUE(VerifyPassword(*chinese, "密码123"));
}

TEST(CryptoPassword, OwaspDefaults) {
  EXPECT_EQ(PasswordParams::Owasp().ops_limit, 2u);
  EXPECT_EQ(PasswordParams::Owasp().mem_limit, 19u * 1024 * 1024);
  auto hash = HashPassword("hunter2");
  ASSERT_TRUE(hash) << hash.error().message;
  EXPECT_EQ(hash->rfind("$argon2id$v=19$m=19456,t=2,p=1$", 0), 0u) << *hash;
  EXPECT_TRUE(VerifyPassword(*hash, "hunter2"));
  EXPECT_FALSE(NeedsRehash(*hash));
  EXPECT_TRUE(NeedsRehash(*hash, kCheap));
}

TEST(CryptoPassword, NeedsRehashWhenParametersChange) {
  const std::string hash = HashPassword("pw", kCheap).value();
  EXPECT_FALSE(NeedsRehash(hash, kCheap));
  EXPECT_TRUE(NeedsRehash(hash, PasswordParams::Owasp()));
  EXPECT_TRUE(NeedsRehash(hash, {2, kCheap.mem_limit}));
  EXPECT_TRUE(NeedsRehash(hash, {1, size_t{16} * 1024}));
  EXPECT_TRUE(NeedsRehash("not a hash", kCheap));
  EXPECT_TRUE(NeedsRehash("", kCheap));
  // argon2i (not id) must be upgraded.
  EXPECT_TRUE(NeedsRehash("$argon2i$v=19$m=8,t=1,p=1$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG",
                          kCheap));
}

TEST(CryptoPassword, MalformedHashesAreInvalidArgument) {
  const std::string good = HashPassword("pw", kCheap).value();
  const std::string bad[] = {
      "",
      "plaintext",
      "$argon2i$v=19$m=8,t=1,p=1$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG",
      "$2b$12$abcdefghijklmnopqrstuuFh4dCJrJbGyYkQOtvi1rqRnV4lmw0ie",
      good.substr(0, good.size() / 2),
      good.substr(0, 10) + std::string(1, '\0') + good.substr(11),
      "$argon2id$v=19$m=8,t=1,p=1$!!!!$!!!!",
      std::string(200, 'a'),
  };
  for (const std::string& h : bad) {
    auto r = VerifyPassword(h, "pw");
    ASSERT_FALSE(r) << h;
    EXPECT_EQ(r.error().code, Code::kInvalidArgument) << h;
  }
}

TEST(CryptoPassword, ParametersOutOfRangeAreInvalidArgument) {
  for (PasswordParams p : {PasswordParams{0, size_t{8} * 1024}, PasswordParams{1, 1024}}) {
    auto r = HashPassword("pw", p);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Code::kInvalidArgument);
  }
}

TEST(CryptoPassword, ConcurrentFirstUse) {
  std::vector<std::thread> threads;
  threads.reserve(8);
  std::vector<int> ok(8, 0);
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&ok, i] {
      const std::string pw = "pw" + std::to_string(i);
      auto h = HashPassword(pw, PasswordParams::InsecureForTests());
      ok[static_cast<size_t>(i)] = h && VerifyPassword(*h, pw) && !VerifyPassword(*h, "x") ? 1 : 0;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok, std::vector<int>(8, 1));
}

}  // namespace
}  // namespace ow::crypto
