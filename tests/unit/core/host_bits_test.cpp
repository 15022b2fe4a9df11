#include "core/host_bits.h"

#include <gtest/gtest.h>

namespace vigil {
namespace {

// A prefix's network and last address, bit by bit across a byte.
TEST(HostBitsTest, ClearsOrSetsEveryBitPastThePrefix) {
  const IpAddress v4 = *IpAddress::parse("10.9.200.77");
  EXPECT_EQ(withHostBits(v4, 20, false), IpAddress::parse("10.9.192.0"));
  EXPECT_EQ(withHostBits(v4, 20, true), IpAddress::parse("10.9.207.255"));
  EXPECT_EQ(withHostBits(v4, 32, false), v4);
  EXPECT_EQ(withHostBits(v4, 0, true), IpAddress::parse("255.255.255.255"));
  const IpAddress v6 = *IpAddress::parse("2001:db8:abcd:12ff::1");
  EXPECT_EQ(withHostBits(v6, 52, false), IpAddress::parse("2001:db8:abcd:1000::"));
  EXPECT_EQ(withHostBits(v6, 52, true), IpAddress::parse("2001:db8:abcd:1fff:ffff:ffff:ffff:ffff"));
  EXPECT_EQ(withHostBits(v6, 0, false), IpAddress::parse("::"));
}

}  // namespace
}  // namespace vigil
