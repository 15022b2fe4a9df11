#include "vrrp/gratuitous.h"

#include <gtest/gtest.h>

#include <span>
#include <vector>

namespace vigil::vrrp {
namespace {

std::vector<uint8_t> bytes(std::span<const uint8_t> s) { return {s.begin(), s.end()}; }

TEST(GratuitousArp, GoldenFrame) {
  auto frame = buildGratuitousArp(virtualMac(AF_INET, 51), *IpAddress::parse("192.168.1.10"));
  const std::vector<uint8_t> expected = {
      0xff, 0xff, 0xff, 0xff, 0xff, 0xff,  // Ethernet destination: broadcast
      0x00, 0x00, 0x5e, 0x00, 0x01, 0x33,  // Ethernet source: VRRP MAC, VRID 51
      0x08, 0x06,                          // EtherType ARP
      0x00, 0x01, 0x08, 0x00, 0x06, 0x04,  // Ethernet/IPv4, lengths 6 and 4
      0x00, 0x01,                          // request
      0x00, 0x00, 0x5e, 0x00, 0x01, 0x33,  // sender MAC
      192,  168,  1,    10,                // sender IP = VIP
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // target MAC: zero
      192,  168,  1,    10,                // target IP = VIP
  };
  EXPECT_EQ(bytes(frame), expected);
}

TEST(UnsolicitedNa, GoldenMessageWithChecksum) {
  // Checksum computed independently over the RFC 8200 pseudo-header
  // fe80::1 -> ff02::1, length 32, next header 58.
  auto msg = buildUnsolicitedNa(virtualMac(AF_INET6, 7), *IpAddress::parse("fd00::1"),
                                *IpAddress::parse("fe80::1"));
  const std::vector<uint8_t> expected = {
      0x88, 0x00, 0xfb, 0x14,  // type 136, code 0, checksum
      0x20, 0x00, 0x00, 0x00,  // Override flag
      0xfd, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,  // target fd00::1
      0x02, 0x01,                                      // target link-layer option, 8 bytes
      0x00, 0x00, 0x5e, 0x00, 0x02, 0x07,              // VRRP IPv6 MAC, VRID 7
  };
  EXPECT_EQ(bytes(msg), expected);
}

TEST(UnsolicitedNa, RouterFlagAddsToOverride) {
  auto msg = buildUnsolicitedNa(virtualMac(AF_INET6, 7), *IpAddress::parse("fd00::1"),
                                *IpAddress::parse("fe80::1"), true);
  EXPECT_EQ(msg[4], 0xa0);
}

}  // namespace
}  // namespace vigil::vrrp
