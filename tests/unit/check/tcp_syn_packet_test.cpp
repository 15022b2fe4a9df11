#include "check/tcp_syn_packet.h"

#include <gtest/gtest.h>
#include <sys/socket.h>

#include <cstdint>
#include <vector>

#include "core/unique_fd.h"

namespace vigil::check {
namespace {

using Bytes = std::vector<uint8_t>;

IpAddress ip(const char* text) { return *IpAddress::parse(text); }

Bytes bytesOf(const SynSegment& s) { return Bytes(s.begin(), s.end()); }

// A reply segment: ports, seq, ack, flags; data offset 5, no options.
Bytes tcpSegment(uint16_t sport, uint16_t dport, uint32_t ack, uint8_t flags) {
  Bytes b(20, 0);
  b[0] = sport >> 8;
  b[1] = sport & 0xff;
  b[2] = dport >> 8;
  b[3] = dport & 0xff;
  b[4] = 0x11;  // the server's own sequence number
  b[8] = ack >> 24;
  b[9] = (ack >> 16) & 0xff;
  b[10] = (ack >> 8) & 0xff;
  b[11] = ack & 0xff;
  b[12] = 0x50;
  b[13] = flags;
  return b;
}

// An IPv4 header of `ihlWords` 32-bit words (options zero) before `tcp`.
Bytes withIpv4(const Bytes& tcp, uint8_t ihlWords = 5) {
  Bytes b(ihlWords * 4U, 0);
  b[0] = static_cast<uint8_t>(0x40 | ihlWords);
  b[9] = 6;  // TCP
  b.insert(b.end(), tcp.begin(), tcp.end());
  return b;
}

// Golden bytes computed independently (Python struct + RFC 1071 over the
// pseudo-header), so the checksum below is not checked against itself.
TEST(TcpSynPacketTest, BuildsAnIpv4SynWithTheChecksumOverThePseudoHeader) {
  SynEndpoints ends{ip("10.0.0.1"), ip("10.0.0.2"), 40000, 80};
  const Bytes expected = {0x9c, 0x40, 0x00, 0x50, 0x01, 0x02, 0x03, 0x04, 0x00, 0x00, 0x00, 0x00,
                          0x60, 0x02, 0xfa, 0xf0, 0xe8, 0x9c, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4};
  SynSegment syn = buildSyn(ends, 0x01020304);
  EXPECT_EQ(bytesOf(syn), expected);
  EXPECT_EQ(tcpChecksum(ends.source, ends.destination, syn), 0);
}

TEST(TcpSynPacketTest, BuildsAnIpv6SynWithTheChecksumOverThePseudoHeader) {
  SynEndpoints ends{ip("2001:db8::1"), ip("2001:db8::2"), 40000, 443};
  const Bytes expected = {0x9c, 0x40, 0x01, 0xbb, 0xfe, 0xdc, 0xba, 0x98, 0x00, 0x00, 0x00, 0x00,
                          0x60, 0x02, 0xfa, 0xf0, 0xea, 0x4f, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4};
  SynSegment syn = buildSyn(ends, 0xfedcba98);
  EXPECT_EQ(bytesOf(syn), expected);
  EXPECT_EQ(tcpChecksum(ends.source, ends.destination, syn), 0);
}

TEST(TcpSynPacketTest, ParsesASynAckAfterAnIpv4HeaderWithOptions) {
  auto reply = parseSynReply(withIpv4(tcpSegment(80, 40000, 0x01020305, 0x12), 6), true);
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->kind, SynReplyKind::SynAck);
  EXPECT_EQ(reply->sourcePort, 80);
  EXPECT_EQ(reply->destinationPort, 40000);
  EXPECT_EQ(judgeSynReply(*reply, 0x01020304), SynVerdict::Open);
}

TEST(TcpSynPacketTest, ARstAcknowledgingOurSynMeansRefused) {
  auto reply = parseSynReply(tcpSegment(443, 40000, 0xfedcba99, 0x14), false);
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->kind, SynReplyKind::Reset);
  EXPECT_EQ(judgeSynReply(*reply, 0xfedcba98), SynVerdict::Refused);
}

TEST(TcpSynPacketTest, RepliesNotAcknowledgingOurSequenceAreUnrelated) {
  auto wrongAck = parseSynReply(tcpSegment(80, 40000, 0x01020306, 0x12), false);
  ASSERT_TRUE(wrongAck);
  EXPECT_EQ(judgeSynReply(*wrongAck, 0x01020304), SynVerdict::Unrelated);
  auto rstWithoutAck = parseSynReply(tcpSegment(80, 40000, 0x01020305, 0x04), false);
  ASSERT_TRUE(rstWithoutAck);
  EXPECT_EQ(judgeSynReply(*rstWithoutAck, 0x01020304), SynVerdict::Unrelated);
  // The sequence number wraps: seq 0xffffffff is acknowledged by 0.
  auto wrapped = parseSynReply(tcpSegment(80, 40000, 0, 0x12), false);
  EXPECT_EQ(judgeSynReply(*wrapped, 0xffffffff), SynVerdict::Open);
}

TEST(TcpSynPacketTest, RejectsOtherSegmentsAndMalformedPackets) {
  EXPECT_FALSE(parseSynReply(tcpSegment(80, 40000, 1, 0x10), false));  // a bare ACK
  EXPECT_FALSE(parseSynReply(tcpSegment(80, 40000, 1, 0x02), false));  // a SYN
  EXPECT_FALSE(parseSynReply(Bytes(19, 0), false));                    // short
  Bytes badOffset = tcpSegment(80, 40000, 1, 0x12);
  badOffset[12] = 0x40;  // data offset 4 words
  EXPECT_FALSE(parseSynReply(badOffset, false));
  Bytes ipv4 = withIpv4(tcpSegment(80, 40000, 1, 0x12));
  ipv4[0] = 0x4f;  // IHL 60 bytes, longer than the packet
  EXPECT_FALSE(parseSynReply(ipv4, true));
  Bytes fragment = withIpv4(tcpSegment(80, 40000, 1, 0x12));
  fragment[7] = 1;  // a non-first fragment holds no TCP header
  EXPECT_FALSE(parseSynReply(fragment, true));
  EXPECT_FALSE(parseSynReply(Bytes{0x45}, true));
}

// The reference vector of the SipHash paper (appendix A): key 00..0f,
// message 00..07; also what `openssl mac -macopt size:8 SIPHASH` prints.
TEST(TcpSynPacketTest, SipHashMatchesTheReferenceVector) {
  EXPECT_EQ(sipHash24({0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL}, 0x0706050403020100ULL),
            0x93f5f5799a932462ULL);
}

// The filter runs in the kernel's own BPF interpreter: attached to one end
// of a datagram socketpair, it decides which sent packets the other end
// receives, the same program a raw socket gets. No root needed.
class SynFilterTest : public ::testing::Test {
 protected:
  bool passes(const std::vector<sock_filter>& program, const Bytes& packet) {
    int fds[2];
    EXPECT_EQ(::socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0, fds), 0);
    UniqueFd a(fds[0]);
    UniqueFd b(fds[1]);
    sock_fprog fprog{static_cast<unsigned short>(program.size()),
                     const_cast<sock_filter*>(program.data())};
    EXPECT_EQ(::setsockopt(b.get(), SOL_SOCKET, SO_ATTACH_FILTER, &fprog, sizeof(fprog)), 0);
    EXPECT_EQ(::send(a.get(), packet.data(), packet.size(), 0),
              static_cast<ssize_t>(packet.size()));
    uint8_t buf[256];
    return ::recv(b.get(), buf, sizeof(buf), 0) > 0;
  }
};

TEST_F(SynFilterTest, Ipv4PassesSynAckAndRstToOurPortOnly) {
  auto filter = synReplyFilter(true, 40000);
  EXPECT_TRUE(passes(filter, withIpv4(tcpSegment(80, 40000, 1, 0x12))));
  EXPECT_TRUE(passes(filter, withIpv4(tcpSegment(80, 40000, 1, 0x12), 8)));  // IP options
  EXPECT_TRUE(passes(filter, withIpv4(tcpSegment(80, 40000, 1, 0x14))));
  EXPECT_TRUE(passes(filter, withIpv4(tcpSegment(80, 40000, 0, 0x04))));
  EXPECT_FALSE(passes(filter, withIpv4(tcpSegment(80, 40001, 1, 0x12))));  // other port
  EXPECT_FALSE(passes(filter, withIpv4(tcpSegment(80, 40000, 1, 0x10))));  // ACK
  EXPECT_FALSE(passes(filter, withIpv4(tcpSegment(80, 40000, 1, 0x18))));  // data
  EXPECT_FALSE(passes(filter, withIpv4(tcpSegment(80, 40000, 1, 0x02))));  // SYN
}

TEST_F(SynFilterTest, Ipv6PassesSynAckAndRstToOurPortOnly) {
  auto filter = synReplyFilter(false, 443);
  EXPECT_TRUE(passes(filter, tcpSegment(80, 443, 1, 0x12)));
  EXPECT_TRUE(passes(filter, tcpSegment(80, 443, 1, 0x14)));
  EXPECT_FALSE(passes(filter, tcpSegment(80, 444, 1, 0x12)));
  EXPECT_FALSE(passes(filter, tcpSegment(80, 443, 1, 0x11)));  // FIN+ACK
}

}  // namespace
}  // namespace vigil::check
