#include "check/tcp_syn_packet.h"

#include <netinet/in.h>

#include <bit>

#include "core/inet_checksum.h"

namespace vigil::check {
namespace {

constexpr uint8_t kFlagSyn = 0x02;
constexpr uint8_t kFlagRst = 0x04;
constexpr uint8_t kFlagAck = 0x10;
constexpr uint16_t kWindow = 64240;
constexpr uint16_t kMss = 1460;
constexpr size_t kTcpHeaderMin = 20;
constexpr size_t kIpv4HeaderMin = 20;
// Enough of a reply for the largest IPv4 header (60) and TCP header (60).
constexpr uint32_t kFilterSnap = 128;

void putU16(uint8_t* at, uint16_t v) {
  at[0] = static_cast<uint8_t>(v >> 8);
  at[1] = static_cast<uint8_t>(v);
}

void putU32(uint8_t* at, uint32_t v) {
  putU16(at, static_cast<uint16_t>(v >> 16));
  putU16(at + 2, static_cast<uint16_t>(v));
}

uint16_t getU16(const uint8_t* at) { return static_cast<uint16_t>(at[0] << 8 | at[1]); }

uint32_t getU32(const uint8_t* at) {
  return static_cast<uint32_t>(getU16(at)) << 16 | getU16(at + 2);
}

void sipRound(uint64_t& v0, uint64_t& v1, uint64_t& v2, uint64_t& v3) {
  v0 += v1;
  v1 = std::rotl(v1, 13) ^ v0;
  v0 = std::rotl(v0, 32);
  v2 += v3;
  v3 = std::rotl(v3, 16) ^ v2;
  v0 += v3;
  v3 = std::rotl(v3, 21) ^ v0;
  v2 += v1;
  v1 = std::rotl(v1, 17) ^ v2;
  v2 = std::rotl(v2, 32);
}

}  // namespace

uint16_t tcpChecksum(const IpAddress& source, const IpAddress& destination,
                     std::span<const uint8_t> segment) {
  InternetChecksum sum;
  sum.add({source.bytes(), source.size()});
  sum.add({destination.bytes(), destination.size()});
  // IPv4: zero, protocol, 16-bit length; IPv6: 32-bit length, three zero
  // bytes, next header. Both sum to the same words.
  sum.addU16(IPPROTO_TCP);
  sum.addU32(static_cast<uint32_t>(segment.size()));
  sum.add(segment);
  return sum.finish();
}

SynSegment buildSyn(const SynEndpoints& ends, uint32_t seq) {
  SynSegment s{};
  putU16(&s[0], ends.sourcePort);
  putU16(&s[2], ends.destinationPort);
  putU32(&s[4], seq);
  // s[8..11]: acknowledgment number 0 (no ACK flag).
  s[12] = static_cast<uint8_t>((kSynSize / 4) << 4);  // data offset in words
  s[13] = kFlagSyn;
  putU16(&s[14], kWindow);
  // s[16..17]: checksum, summed as zero below; s[18..19]: urgent pointer.
  s[20] = 2;  // MSS option: kind 2, length 4
  s[21] = 4;
  putU16(&s[22], kMss);
  putU16(&s[16], tcpChecksum(ends.source, ends.destination, s));
  return s;
}

std::optional<SynReply> parseSynReply(std::span<const uint8_t> packet, bool withIpv4Header) {
  if (withIpv4Header) {
    if (packet.size() < kIpv4HeaderMin || packet[0] >> 4 != 4 || packet[9] != IPPROTO_TCP) {
      return std::nullopt;
    }
    const size_t ihl = static_cast<size_t>(packet[0] & 0x0f) * 4;
    const bool fragment = (getU16(&packet[6]) & 0x1fff) != 0;
    if (ihl < kIpv4HeaderMin || ihl > packet.size() || fragment) {
      return std::nullopt;
    }
    packet = packet.subspan(ihl);
  }
  if (packet.size() < kTcpHeaderMin || (packet[12] >> 4) * 4U < kTcpHeaderMin) {
    return std::nullopt;
  }
  const uint8_t flags = packet[13];
  SynReply reply;
  if ((flags & kFlagRst) != 0) {
    reply.kind = SynReplyKind::Reset;
  } else if ((flags & (kFlagSyn | kFlagAck)) == (kFlagSyn | kFlagAck)) {
    reply.kind = SynReplyKind::SynAck;
  } else {
    return std::nullopt;
  }
  reply.sourcePort = getU16(&packet[0]);
  reply.destinationPort = getU16(&packet[2]);
  reply.hasAck = (flags & kFlagAck) != 0;
  reply.ack = getU32(&packet[8]);
  return reply;
}

SynVerdict judgeSynReply(const SynReply& reply, uint32_t seq) {
  if (!reply.hasAck || reply.ack != seq + 1) {
    return SynVerdict::Unrelated;
  }
  return reply.kind == SynReplyKind::SynAck ? SynVerdict::Open : SynVerdict::Refused;
}

std::vector<sock_filter> synReplyFilter(bool withIpv4Header, uint16_t port) {
  // X holds the offset of the TCP header: 4 * IHL for IPv4, 0 for IPv6.
  const sock_filter loadOffset = withIpv4Header
                                     ? sock_filter BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 0)
                                     : sock_filter BPF_STMT(BPF_LDX | BPF_W | BPF_IMM, 0);
  return {
      loadOffset,
      BPF_STMT(BPF_LD | BPF_H | BPF_IND, 2),                 // destination port
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, port, 0, 5),       // not ours: drop
      BPF_STMT(BPF_LD | BPF_B | BPF_IND, 13),                // flags
      BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, kFlagRst, 2, 0),  // RST: accept
      BPF_STMT(BPF_ALU | BPF_AND | BPF_K, kFlagSyn | kFlagAck),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, kFlagSyn | kFlagAck, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, kFilterSnap),  // accept
      BPF_STMT(BPF_RET | BPF_K, 0),            // drop
  };
}

uint64_t sipHash24(const std::array<uint64_t, 2>& key, uint64_t word) {
  uint64_t v0 = key[0] ^ 0x736f6d6570736575ULL;
  uint64_t v1 = key[1] ^ 0x646f72616e646f6dULL;
  uint64_t v2 = key[0] ^ 0x6c7967656e657261ULL;
  uint64_t v3 = key[1] ^ 0x7465646279746573ULL;
  auto compress = [&](uint64_t m, int rounds) {
    v3 ^= m;
    for (int i = 0; i < rounds; ++i) {
      sipRound(v0, v1, v2, v3);
    }
    v0 ^= m;
  };
  compress(word, 2);
  compress(uint64_t{8} << 56, 2);  // the last block: the message length, 8
  v2 ^= 0xff;
  for (int i = 0; i < 4; ++i) {
    sipRound(v0, v1, v2, v3);
  }
  return v0 ^ v1 ^ v2 ^ v3;
}

}  // namespace vigil::check
