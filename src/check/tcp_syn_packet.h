#pragma once

#include <linux/filter.h>

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "core/ip_address.h"

// The pure part of the half-open ("SYN") TCP_CHECK: the SYN segment it
// sends, what a reply to it means, the classic BPF filter that keeps every
// other TCP packet out of the raw socket, and the keyed hash that picks
// unpredictable sequence numbers. No I/O; tcp_syn_prober.h does that.
namespace vigil::check {

// The ends of one probe, as the TCP pseudo-header (RFC 9293 section 3.1)
// sees them.
struct SynEndpoints {
  IpAddress source;
  IpAddress destination;
  uint16_t sourcePort = 0;
  uint16_t destinationPort = 0;
};

// A 20-byte TCP header plus one option, MSS (kind 2, length 4): some
// middleboxes drop a SYN without options.
inline constexpr size_t kSynSize = 24;
using SynSegment = std::array<uint8_t, kSynSize>;

// The SYN for `ends` with initial sequence number `seq`, its checksum
// computed over the pseudo-header of the family of ends.source (which must
// match that of ends.destination). Raw sockets send it as given: IPv4 raw
// TCP sockets never fill in the TCP checksum, and IPv6 ones only with
// IPV6_CHECKSUM, which vigil does not set.
SynSegment buildSyn(const SynEndpoints& ends, uint32_t seq);

// The RFC 1071 checksum of the TCP pseudo-header for (source, destination,
// `segment`'s length) followed by `segment`: the value for the checksum
// field while it is zero, or 0 when `segment` already holds a correct one.
uint16_t tcpChecksum(const IpAddress& source, const IpAddress& destination,
                     std::span<const uint8_t> segment);

enum class SynReplyKind : uint8_t { SynAck, Reset };

// What a raw TCP socket delivered, reduced to what matching needs.
struct SynReply {
  SynReplyKind kind = SynReplyKind::Reset;
  uint16_t sourcePort = 0;  // the real server's port
  uint16_t destinationPort = 0;
  uint32_t ack = 0;  // the acknowledgment number (valid only with the ACK flag)
  bool hasAck = false;
};

// Parses `packet` as a raw socket hands it over: IPv4 raw sockets include
// the IP header (of variable length), IPv6 ones start at the TCP header.
// nullopt for anything that is neither a SYN-ACK nor a RST, or is short or
// malformed. The TCP checksum is not verified: a segment sent over a local
// veth may arrive with only the pseudo-header part summed (checksum
// offload); the unpredictable sequence number is what makes a reply ours.
std::optional<SynReply> parseSynReply(std::span<const uint8_t> packet, bool withIpv4Header);

enum class SynVerdict : uint8_t {
  Open,     // SYN-ACK acknowledging our SYN: something listens
  Refused,  // RST acknowledging our SYN: nothing listens
  Unrelated,
};

// What `reply` says about the probe whose SYN carried `seq`. A RST sent in
// answer to a SYN acknowledges it (RFC 9293 section 3.10.7.1), so both
// kinds must carry ack = seq + 1.
SynVerdict judgeSynReply(const SynReply& reply, uint32_t seq);

// A classic BPF program that passes only TCP segments to `port` with SYN
// and ACK set, or RST set, so a raw socket on a busy director does not copy
// every TCP packet to userspace. For IPv4 the packet starts at the IP
// header (the TCP header is found from its IHL); for IPv6 at the TCP header.
std::vector<sock_filter> synReplyFilter(bool withIpv4Header, uint16_t port);

// SipHash-2-4 (Aumasson and Bernstein, 2012) of one 64-bit word (its 8
// little-endian bytes) under a 128-bit key: sequence numbers are
// siphash(secret, counter), unpredictable without the secret.
uint64_t sipHash24(const std::array<uint64_t, 2>& key, uint64_t word);

}  // namespace vigil::check
