#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "core/ip_address.h"
#include "core/result.h"
#include "vrrp/packet.h"
#include "vrrp/wire_result.h"

// The IP layers around a VRRP message. An IPv4 raw socket hands the IP
// header to the reader (and keepalived sends with IP_HDRINCL), so IPv4 is
// parsed and built here; IPv6 raw sockets never see their header, so the
// IPv6 codec serves captures and tests.
namespace vigil::vrrp {

inline constexpr uint8_t kIpProtoAh = 51;
inline constexpr size_t kIpv4HeaderSize = 20;  // without options
inline constexpr size_t kIpv6HeaderSize = 40;
inline constexpr size_t kAhHeaderSize = 24;  // RFC 2402 header with a 96-bit ICV
inline constexpr size_t kAhIcvSize = 12;
// AH Payload Len: the header's length in 32-bit words minus 2.
inline constexpr uint8_t kAhPayloadLength = kAhHeaderSize / 4 - 2;

using AhIcv = std::array<uint8_t, kAhIcvSize>;

struct Ipv4Header {
  uint8_t tos = 0xc0;  // what keepalived sends: precedence "internetwork control"
  uint16_t totalLength = 0;
  uint16_t id = 0;
  uint16_t flagsFragment = 0;  // flags (3 bits) and fragment offset
  uint8_t ttl = kVrrpTtl;
  uint8_t protocol = kIpProtoVrrp;
  uint16_t checksum = 0;  // as received; encodeIpv4Header computes its own
  IpAddress source;
  IpAddress destination;
};

// IPsec Authentication Header (RFC 2402 §2) as keepalived puts it in front
// of a v2 advert with auth_type AH: SPI = the sender's IPv4 address, a
// sequence number counting adverts, and HMAC-MD5-96 as the ICV.
struct AhHeader {
  uint8_t nextHeader = kIpProtoVrrp;
  uint8_t payloadLength = kAhPayloadLength;
  uint16_t reserved = 0;
  uint32_t spi = 0;
  uint32_t sequence = 0;
  AhIcv icv{};

  bool operator==(const AhHeader&) const = default;
};

struct Ipv4Packet {
  Ipv4Header header;
  size_t headerLength = 0;        // IHL * 4
  std::optional<AhHeader> ah;     // present when protocol is 51
  std::span<const uint8_t> vrrp;  // the VRRP message (up to Total Length)
};

// Validates version, IHL, Total Length, no fragmentation and protocol (112,
// or 51 with an AH header whose Next Header is 112), and hands over the VRRP
// payload. The spans point into `bytes`. The header checksum is not
// verified: a raw socket only sees packets that passed the kernel's
// ip_rcv, which drops a header whose checksum is wrong (RFC 1122 §3.2.1.2)
// before any socket is looked up, so summing it again on every advert
// received would find nothing.
WireResult<Ipv4Packet> parseIpv4(std::span<const uint8_t> bytes);

// RxMeta for decode() from a parsed IPv4 packet (TTL range left at 255).
RxMeta rxMetaFor(const Ipv4Packet& packet);

// The receive path's form of parseIpv4() then rxMetaFor(): the same checks
// and rejects, the VRRP message, and `meta`'s source, destination, TTL and
// ahPresent set as rxMetaFor() sets them (nothing else of `meta` is
// touched; nothing on a reject), without the header and AH structs
// (~120 instructions an advert received).
WireResult<std::span<const uint8_t>> readIpv4Advert(std::span<const uint8_t> bytes, RxMeta& meta);

// Writes a 20-byte header (no options) with its checksum computed.
Result<size_t> encodeIpv4Header(const Ipv4Header& header, std::span<uint8_t> out);

WireResult<AhHeader> parseAh(std::span<const uint8_t> bytes);
Result<size_t> encodeAh(const AhHeader& ah, std::span<uint8_t> out);

// HMAC-MD5-96 over an IPv4 packet carrying AH (`ipPacket` up to Total
// Length). Like keepalived, the mutable TOS, flags/fragment offset and
// header checksum are summed as zero, and so is the ICV field; unlike
// RFC 2402, the TTL is summed as sent (it is always 255). The key is the
// zero-padded auth_pass. nullopt when `ipPacket` holds no AH header.
std::optional<AhIcv> computeAhIcv(std::span<const uint8_t> ipPacket, const AuthData& key);

// Constant-time check of the ICV carried in `ipPacket`.
bool verifyAh(std::span<const uint8_t> ipPacket, const AuthData& key);

// The AH sequence number a sender starts from at `sinceEpoch` (wall-clock
// time). keepalived drops an AH advert whose sequence number is not above
// the last one it accepted from that SPI, for as long as it runs, so a
// router restarting from 1 goes unheard (and both are master) until it
// has re-sent as many adverts as it did before. Starting from twice the
// seconds since 2020-01-01 keeps each run above the previous one while
// adverts average at most two a second (v2 sends one per advert_int of at
// least 1 s, plus one at each transition), until 2088.
uint32_t firstAhSequence(std::chrono::seconds sinceEpoch);

struct Ipv6Header {
  uint8_t trafficClass = 0;
  uint32_t flowLabel = 0;  // 20 bits
  uint16_t payloadLength = 0;
  uint8_t nextHeader = kIpProtoVrrp;
  uint8_t hopLimit = kVrrpTtl;
  IpAddress source;
  IpAddress destination;
};

struct Ipv6Packet {
  Ipv6Header header;
  std::span<const uint8_t> vrrp;
};

// The fixed IPv6 header followed directly by VRRP (no extension headers).
WireResult<Ipv6Packet> parseIpv6(std::span<const uint8_t> bytes);
Result<size_t> encodeIpv6Header(const Ipv6Header& header, std::span<uint8_t> out);

}  // namespace vigil::vrrp
