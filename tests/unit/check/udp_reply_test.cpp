#include "check/udp_reply.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace vigil::check {
namespace {

using Bytes = std::vector<uint8_t>;

config::UdpCheck requiring(std::vector<config::MaskedByte> pattern) {
  config::UdpCheck udp;
  udp.requireReply = true;
  udp.reply = std::move(pattern);
  return udp;
}

TEST(UdpReplyTest, AnyReplyPassesWithoutAPattern) {
  config::UdpCheck udp = requiring({});
  EXPECT_FALSE(udpReplyMismatch(udp, Bytes{1, 2, 3}).has_value());
  EXPECT_FALSE(udpReplyMismatch(udp, Bytes{}).has_value());
}

TEST(UdpReplyTest, ThePatternIsMatchedUpToTheShorterLength) {
  config::UdpCheck udp = requiring({{0xab, 0xff}, {0x12, 0xff}, {0x0f, 0xff}});
  EXPECT_FALSE(udpReplyMismatch(udp, Bytes{0xab, 0x12, 0x0f, 0x99}).has_value());
  EXPECT_FALSE(udpReplyMismatch(udp, Bytes{0xab}).has_value());
  auto why = udpReplyMismatch(udp, Bytes{0xab, 0x13});
  ASSERT_TRUE(why.has_value());
  EXPECT_EQ(*why, "reply byte 1 is 13, expected 12 (mask ff)");
}

TEST(UdpReplyTest, MaskedNibblesAreIgnored) {
  // "x5": the high nibble is anything.
  config::UdpCheck udp = requiring({{0x05, 0x0f}});
  EXPECT_FALSE(udpReplyMismatch(udp, Bytes{0xf5}).has_value());
  EXPECT_FALSE(udpReplyMismatch(udp, Bytes{0x05}).has_value());
  EXPECT_TRUE(udpReplyMismatch(udp, Bytes{0xf6}).has_value());
}

TEST(UdpReplyTest, TheLengthMustBeWithinTheLimits) {
  config::UdpCheck udp = requiring({});
  udp.minReplyLength = 2;
  udp.maxReplyLength = 3;
  EXPECT_TRUE(udpReplyMismatch(udp, Bytes{1}).has_value());
  EXPECT_FALSE(udpReplyMismatch(udp, Bytes{1, 2}).has_value());
  EXPECT_FALSE(udpReplyMismatch(udp, Bytes{1, 2, 3}).has_value());
  EXPECT_TRUE(udpReplyMismatch(udp, Bytes{1, 2, 3, 4}).has_value());
}

}  // namespace
}  // namespace vigil::check
