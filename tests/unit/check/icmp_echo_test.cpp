#include "check/icmp_echo.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace vigil::check {
namespace {

using Bytes = std::vector<uint8_t>;

TEST(IcmpEchoTest, ChecksumFollowsRfc1071) {
  // RFC 1071 section 3's example bytes sum (one's complement) to 0xddf2.
  const Bytes example = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
  EXPECT_EQ(internetChecksum(example), static_cast<uint16_t>(~0xddf2));
  // Odd lengths are padded with a zero byte.
  EXPECT_EQ(internetChecksum(Bytes{0x01}), static_cast<uint16_t>(~0x0100));
}

TEST(IcmpEchoTest, BuildsAnIpv4EchoRequestWithAValidChecksum) {
  const Bytes data = {'a', 'b'};
  Bytes request = buildEchoRequest(false, 0x1234, 0x0005, data);
  EXPECT_EQ(request[0], 8);
  EXPECT_EQ(request[1], 0);
  EXPECT_EQ(Bytes(request.begin() + 4, request.end()), (Bytes{0x12, 0x34, 0x00, 0x05, 'a', 'b'}));
  // A correct checksum makes the whole message sum to zero.
  EXPECT_EQ(internetChecksum(request), 0);
}

TEST(IcmpEchoTest, Ipv6RequestsLeaveTheChecksumToTheKernel) {
  Bytes request = buildEchoRequest(true, 1, 2, Bytes{});
  EXPECT_EQ(request, (Bytes{128, 0, 0, 0, 0, 1, 0, 2}));
}

TEST(IcmpEchoTest, MatchesRepliesByTypeIdentifierAndSequence) {
  EchoMatch match;
  match.identifier = 0x1234;
  match.sequence = 9;
  const Bytes reply = {0, 0, 0xaa, 0xbb, 0x12, 0x34, 0x00, 0x09, 'x'};
  EXPECT_TRUE(isEchoReply(reply, match));
  Bytes otherSeq = reply;
  otherSeq[7] = 8;
  EXPECT_FALSE(isEchoReply(otherSeq, match));
  Bytes otherId = reply;
  otherId[5] = 0x35;
  EXPECT_FALSE(isEchoReply(otherId, match));
  match.checkIdentifier = false;  // a ping socket: the kernel's identifier
  EXPECT_TRUE(isEchoReply(otherId, match));
  Bytes request = reply;
  request[0] = 8;
  EXPECT_FALSE(isEchoReply(request, match));
  EXPECT_FALSE(isEchoReply(Bytes{0, 0, 0}, match));
}

TEST(IcmpEchoTest, RawIpv4RepliesSkipTheIpHeader) {
  EchoMatch match;
  match.withIpHeader = true;
  match.identifier = 1;
  match.sequence = 2;
  Bytes packet(20, 0);
  packet[0] = 0x45;  // version 4, 5 words
  const Bytes icmp = {0, 0, 0, 0, 0, 1, 0, 2};
  packet.insert(packet.end(), icmp.begin(), icmp.end());
  EXPECT_TRUE(isEchoReply(packet, match));
  packet[0] = 0x46;  // says 24 bytes of header: the ICMP part is cut short
  EXPECT_FALSE(isEchoReply(packet, match));
}

TEST(IcmpEchoTest, Ipv6RepliesUseType129) {
  EchoMatch match;
  match.ipv6 = true;
  match.identifier = 1;
  match.sequence = 2;
  EXPECT_TRUE(isEchoReply(Bytes{129, 0, 0, 0, 0, 1, 0, 2}, match));
  EXPECT_FALSE(isEchoReply(Bytes{0, 0, 0, 0, 0, 1, 0, 2}, match));
}

}  // namespace
}  // namespace vigil::check
