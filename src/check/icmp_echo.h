#pragma once

#include <cstdint>
#include <span>
#include <vector>

// ICMP echo request and reply (RFC 792, RFC 4443 section 4) for
// PING_CHECK. Pure.
namespace vigil::check {

inline constexpr uint8_t kIcmpEchoRequest = 8;
inline constexpr uint8_t kIcmpEchoReply = 0;
inline constexpr uint8_t kIcmp6EchoRequest = 128;
inline constexpr uint8_t kIcmp6EchoReply = 129;

// The RFC 1071 Internet checksum of `bytes`.
uint16_t internetChecksum(std::span<const uint8_t> bytes);

// type, code 0, checksum, identifier, sequence (network byte order), then
// `data`. The checksum is filled for ICMPv4; for ICMPv6 it covers a
// pseudo-header only the kernel knows, so it is left 0 for the kernel to
// fill (it always does for ICMPv6 sockets).
std::vector<uint8_t> buildEchoRequest(bool ipv6, uint16_t identifier, uint16_t sequence,
                                      std::span<const uint8_t> data);

struct EchoMatch {
  bool ipv6 = false;
  // Raw ICMPv4 sockets receive the IPv4 header too; ICMPv6 and ping
  // (SOCK_DGRAM) sockets do not.
  bool withIpHeader = false;
  // Ping sockets rewrite the identifier (it is the socket's "port") and
  // only deliver replies carrying it; raw sockets see every echo reply.
  bool checkIdentifier = true;
  uint16_t identifier = 0;
  uint16_t sequence = 0;
};

// Whether `packet` is the echo reply `match` waits for.
bool isEchoReply(std::span<const uint8_t> packet, const EchoMatch& match);

}  // namespace vigil::check
