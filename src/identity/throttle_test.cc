#include "identity/throttle.h"

#include <gtest/gtest.h>

namespace ow::identity {
namespace {

using std::chrono::seconds;
const Throttle::TimePoint kT0 = std::chrono::system_clock::time_point{} + std::chrono::hours(1000);

TEST(SlidingWindowTest, FullAfterLimitEventsAndFreesAsTheyAge) {
  SlidingWindow w(3, seconds(60));
  seconds retry{0};
  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE(w.Full("k", kT0 + seconds(i), &retry));
    w.Add("k", kT0 + seconds(i));
  }
  ASSERT_TRUE(w.Full("k", kT0 + seconds(10), &retry));
  EXPECT_EQ(retry, seconds(51));  // the first event leaves at t0+60; one second's margin
  EXPECT_FALSE(w.Full("other", kT0 + seconds(10), &retry));
  EXPECT_FALSE(w.Full("k", kT0 + seconds(60), &retry));
  w.Clear("k");
  w.Add("k", kT0 + seconds(61));
  EXPECT_FALSE(w.Full("k", kT0 + seconds(61), &retry));
}

TEST(SlidingWindowTest, KeepsAtMostItsKeyBound) {
  SlidingWindow w(1, seconds(10));
  seconds retry{0};
  for (size_t i = 0; i < SlidingWindow::kMaxKeys; ++i) w.Add(std::to_string(i), kT0);
  // All live: one arbitrary key goes to make room, the new one is counted.
  w.Add("new", kT0);
  EXPECT_TRUE(w.Full("new", kT0, &retry));
  // All expired: they go first, and the window keeps counting.
  w.Add("later", kT0 + seconds(20));
  EXPECT_TRUE(w.Full("later", kT0 + seconds(20), &retry));
  EXPECT_FALSE(w.Full("0", kT0 + seconds(20), &retry));
}

TEST(ThrottleTest, LoginLimitsPerPairAndPerAddress) {
  Config config;
  config.lockout_threshold = 2;
  config.lockout_minutes = 15;
  config.ip_failure_limit = 3;
  Throttle t(config);
  seconds retry{0};
  bool pair = false;
  t.LoginFailed("10.0.0.1", "zhangsan", kT0);
  EXPECT_FALSE(t.LoginBlocked("10.0.0.1", "zhangsan", kT0, &retry, &pair));
  t.LoginFailed("10.0.0.1", "zhangsan", kT0);
  ASSERT_TRUE(t.LoginBlocked("10.0.0.1", "zhangsan", kT0, &retry, &pair));
  EXPECT_TRUE(pair);
  EXPECT_EQ(retry, seconds(15 * 60 + 1));
  // The same username from elsewhere, and another username from here, are not held.
  EXPECT_FALSE(t.LoginBlocked("10.0.0.2", "zhangsan", kT0, &retry, &pair));
  EXPECT_FALSE(t.LoginBlocked("10.0.0.1", "lisi", kT0, &retry, &pair));
  // A third failure from the address holds every username there.
  t.LoginFailed("10.0.0.1", "lisi", kT0);
  ASSERT_TRUE(t.LoginBlocked("10.0.0.1", "wangwu", kT0, &retry, &pair));
  EXPECT_FALSE(pair);
  // Success clears its pair only.
  t.LoginSucceeded("10.0.0.2", "zhangsan");
  EXPECT_TRUE(t.LoginBlocked("10.0.0.1", "zhangsan", kT0 + seconds(601), &retry, &pair));
  t.LoginSucceeded("10.0.0.1", "zhangsan");
  EXPECT_FALSE(t.LoginBlocked("10.0.0.1", "zhangsan", kT0 + seconds(601), &retry, &pair));
}

TEST(ThrottleTest, RegistrationsAndRealNameAttemptsCountEveryAttempt) {
  Config config;
  config.registration_ip_limit = 2;
  config.realname_attempts = 1;
  Throttle t(config);
  seconds retry{0};
  EXPECT_TRUE(t.AdmitRegistration("10.0.0.1", kT0, &retry));
  EXPECT_TRUE(t.AdmitRegistration("10.0.0.1", kT0, &retry));
  EXPECT_FALSE(t.AdmitRegistration("10.0.0.1", kT0 + seconds(100), &retry));
  EXPECT_EQ(retry, seconds(3600 - 100 + 1));
  EXPECT_TRUE(t.AdmitRegistration("10.0.0.1", kT0 + seconds(3600), &retry));
  EXPECT_TRUE(t.AdmitRealName("acc_1", kT0, &retry));
  EXPECT_FALSE(t.AdmitRealName("acc_1", kT0 + std::chrono::hours(23), &retry));
  EXPECT_TRUE(t.AdmitRealName("acc_2", kT0, &retry));
  EXPECT_TRUE(t.AdmitRealName("acc_1", kT0 + std::chrono::hours(24), &retry));
}

TEST(PasswordHasherTest, HashesAndVerifies) {
  PasswordHasher h(1);
  std::string hash = h.Hash("a long passphrase 2026");
  ASSERT_FALSE(hash.empty());
  EXPECT_TRUE(h.Verify("a long passphrase 2026", hash));
  EXPECT_FALSE(h.Verify("another passphrase 2026", hash));
}

}  // namespace
}  // namespace ow::identity
