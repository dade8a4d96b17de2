#include "http/proxies.h"

#include <gtest/gtest.h>

namespace ow::http {
namespace {

TEST(TrustedProxies, ParsesAddressesAndRangesAndNamesAMalformedEntry) {
  auto t = TrustedProxies::Parse(" 10.0.0.5, 10.1.0.0/16 ,::1, fd00::/8,");
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_TRUE(t->Contains("10.0.0.5"));
  EXPECT_FALSE(t->Contains("10.0.0.6"));
  EXPECT_TRUE(t->Contains("10.1.255.7"));
  EXPECT_FALSE(t->Contains("10.2.0.1"));
  EXPECT_TRUE(t->Contains("::1"));
  EXPECT_TRUE(t->Contains("fd12:3456::9"));
  EXPECT_FALSE(t->Contains("fe80::1"));
  EXPECT_TRUE(t->Contains("::ffff:10.0.0.5"));  // IPv4-mapped counts as IPv4
  EXPECT_FALSE(t->Contains("not-an-address"));
  EXPECT_TRUE(TrustedProxies::Parse("")->empty());
  auto odd = TrustedProxies::Parse("127.0.0.1/24/3");
  ASSERT_FALSE(odd);
  EXPECT_NE(odd.error().message.find("'127.0.0.1/24/3'"), std::string::npos);
  for (const char* bad : {"localhost", "10.0.0.0/33", "::/129", "10.0.0.1/", "10.0.0.1/-1"})
    EXPECT_FALSE(TrustedProxies::Parse(bad)) << bad;
  auto narrow = TrustedProxies::Parse("192.168.1.128/25");
  EXPECT_TRUE(narrow->Contains("192.168.1.200"));
  EXPECT_FALSE(narrow->Contains("192.168.1.100"));
}

// The header is believed only from a trusted proxy, and only back to the first hop that
// is not one: an entry a client wrote itself never decides the address.
TEST(ClientAddress, WalksXForwardedForBackThroughTrustedProxiesOnly) {
  auto t = *TrustedProxies::Parse("127.0.0.1, 10.0.0.0/8");
  EXPECT_EQ(ClientAddress("203.0.113.9", "198.51.100.1", t), "203.0.113.9");  // not a proxy
  EXPECT_EQ(ClientAddress("127.0.0.1", "", t), "127.0.0.1");
  EXPECT_EQ(ClientAddress("127.0.0.1", "198.51.100.1", t), "198.51.100.1");
  // The client wrote "1.2.3.4" itself; nginx appended the address it saw.
  EXPECT_EQ(ClientAddress("127.0.0.1", "1.2.3.4, 198.51.100.1", t), "198.51.100.1");
  // Two trusted hops (HAProxy, then nginx).
  EXPECT_EQ(ClientAddress("127.0.0.1", "1.2.3.4, 198.51.100.1, 10.0.0.7", t), "198.51.100.1");
  // Every hop trusted: the leftmost.
  EXPECT_EQ(ClientAddress("127.0.0.1", "10.0.0.8, 10.0.0.7", t), "10.0.0.8");
  // Garbage stops the walk at the last trusted hop.
  EXPECT_EQ(ClientAddress("127.0.0.1", "198.51.100.1, junk, 10.0.0.7", t), "10.0.0.7");
  EXPECT_EQ(ClientAddress("127.0.0.1", " 2001:db8::5 ", t), "2001:db8::5");
  // No trusted proxies: the header is ignored.
  EXPECT_EQ(ClientAddress("127.0.0.1", "198.51.100.1", TrustedProxies{}), "127.0.0.1");
}

}  // namespace
}  // namespace ow::http
