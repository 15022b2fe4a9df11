#include "core/ip_address.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <vector>

namespace vigil {
namespace {

TEST(IpAddressTest, ParsesBothFamiliesAndRoundTrips) {
  auto v4 = IpAddress::parse("192.168.200.16");
  ASSERT_TRUE(v4);
  EXPECT_TRUE(v4->isV4());
  EXPECT_EQ(v4->toString(), "192.168.200.16");
  auto v6 = IpAddress::parse("2001:DB8::1");
  ASSERT_TRUE(v6);
  EXPECT_TRUE(v6->isV6());
  EXPECT_EQ(v6->toString(), "2001:db8::1");
  EXPECT_EQ(IpAddress::v4(0x0a000001), *IpAddress::parse("10.0.0.1"));
}

TEST(IpAddressTest, Ipv4TextIsInetNtopsForEveryOctet) {
  for (uint32_t octet = 0; octet < 256; ++octet) {
    const uint8_t bytes[4] = {static_cast<uint8_t>(octet), 0, static_cast<uint8_t>(255 - octet),
                              static_cast<uint8_t>(octet / 7)};
    char expected[INET_ADDRSTRLEN];
    ASSERT_NE(inet_ntop(AF_INET, bytes, expected, sizeof expected), nullptr);
    EXPECT_EQ(IpAddress::fromBytes(AF_INET, bytes).toString(), expected);
  }
  EXPECT_EQ(IpAddress::v4(0xffffffff).toString(), "255.255.255.255");
  EXPECT_EQ(IpAddress().toString(), "");
}

TEST(IpAddressTest, RejectsGarbage) {
  for (const char* bad : {"", "1.2.3", "1.2.3.4.5", "300.1.1.1", "::g", "1.2.3.4 ",
                          "0123456789abcdef0123456789abcdef0123456789abcdef"}) {
    EXPECT_FALSE(IpAddress::parse(bad)) << bad;
  }
}

// operator== compares words; it answers as the defaulted comparison does,
// for every pair, the families crossed and bytes differing at each end.
TEST(IpAddressTest, EqualityAgreesWithTheOrdering) {
  std::vector<IpAddress> all = {IpAddress{}};
  for (const char* text :
       {"0.0.0.0", "10.0.0.1", "10.0.0.2", "11.0.0.1", "255.255.255.255", "::", "::1", "::a00:1",
        "::ffff:10.0.0.1", "fe80::1", "fe80::2", "ff02::12", "a00:1::", "2001:db8::1:0:0:1"}) {
    all.push_back(*IpAddress::parse(text));
  }
  size_t equal = 0;
  for (const IpAddress& a : all) {
    for (const IpAddress& b : all) {
      EXPECT_EQ(a == b, (a <=> b) == 0) << a.toString() << " " << b.toString();
      EXPECT_EQ(a != b, !(a == b));
      equal += a == b ? 1 : 0;
    }
  }
  EXPECT_EQ(equal, all.size()) << "each address equals itself only";
}

TEST(IpAddressTest, Classification) {
  EXPECT_TRUE(IpAddress::parse("224.0.0.18")->isMulticast());
  EXPECT_TRUE(IpAddress::parse("ff02::12")->isMulticast());
  EXPECT_TRUE(IpAddress::parse("fe80::1")->isLinkLocal());
  EXPECT_FALSE(IpAddress::parse("10.0.0.1")->isMulticast());
}

TEST(IpPrefixTest, DefaultsToHostLength) {
  EXPECT_EQ(IpPrefix::parse("10.0.0.1")->length, 32u);
  EXPECT_EQ(IpPrefix::parse("fe80::1")->length, 128u);
  EXPECT_EQ(IpPrefix::parse("fe80::1/64")->length, 64u);
  EXPECT_FALSE(IpPrefix::parse("10.0.0.1/"));
  EXPECT_FALSE(IpPrefix::parse("10.0.0.1/x"));
  EXPECT_FALSE(IpPrefix::parse("fe80::1/129"));
}

}  // namespace
}  // namespace vigil
