#include "vrrp/virtual_mac.h"

#include <gtest/gtest.h>
#include <sys/socket.h>

namespace vigil::vrrp {
namespace {

TEST(VirtualMacTest, Ipv4AndIpv6Prefixes) {
  EXPECT_EQ(virtualMac(AF_INET, 51), (MacAddress{0x00, 0x00, 0x5e, 0x00, 0x01, 0x33}));
  EXPECT_EQ(virtualMac(AF_INET6, 1), (MacAddress{0x00, 0x00, 0x5e, 0x00, 0x02, 0x01}));
  EXPECT_EQ(virtualMac(AF_INET6, 255), (MacAddress{0x00, 0x00, 0x5e, 0x00, 0x02, 0xff}));
}

}  // namespace
}  // namespace vigil::vrrp
