#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "core/ip_address.h"
#include "core/result.h"
#include "vrrp/wire_result.h"

// The VRRP advertisement as it travels in an IP packet: version 2
// (RFC 3768, IPv4 only) and version 3 (RFC 5798, IPv4 and IPv6). Pure
// encode/decode; doc/vrrp-wire.md draws the layouts.
namespace vigil::vrrp {

inline constexpr uint8_t kIpProtoVrrp = 112;
inline constexpr uint8_t kVrrpTtl = 255;  // RFC 5798 §5.1.1.3 / §5.1.2.3
inline constexpr uint8_t kAdvertisementType = 1;
inline constexpr size_t kVrrpHeaderSize = 8;
inline constexpr size_t kV2AuthDataSize = 8;
// v2 Adver Int is 8 bits of seconds; v3 Max Adver Int is 12 bits of centiseconds.
inline constexpr uint32_t kV2MaxIntervalSeconds = 255;
inline constexpr uint32_t kV3MaxIntervalCentiseconds = 0x0fff;

using Centiseconds = std::chrono::duration<uint32_t, std::centi>;

// v2 Auth Type (RFC 2338 §5.3.6; RFC 3768 keeps only 0 and reserves 1, 2).
enum class AuthType : uint8_t { None = 0, Pass = 1, Ah = 2 };
using AuthData = std::array<uint8_t, kV2AuthDataSize>;

// auth_pass as keepalived uses it: the first 8 bytes, zero-padded.
AuthData authDataFromPassword(std::string_view password);

// Everything an advert holds but its address list: what the state machine
// reads from one it received (AdvertReceived), with no allocation to copy.
struct AdvertFields {
  uint8_t version = 3;  // 2 or 3
  uint8_t type = kAdvertisementType;
  uint8_t vrid = 0;      // Virtual Rtr ID, 1-255
  uint8_t priority = 0;  // 0: the master is leaving; 255: the address owner
  // v2 "Adver Int" (whole seconds on the wire) or v3 "Max Adver Int"
  // (centiseconds). Held in centiseconds for both; encoding a v2 packet
  // whose interval is not whole seconds fails.
  Centiseconds advertInterval{100};
  AuthType authType = AuthType::None;  // v2 only (v3 has no auth fields)
  AuthData authData{};                 // v2: PASS plaintext; zeros for None and AH

  bool operator==(const AdvertFields&) const = default;
};

struct VrrpPacket : AdvertFields {
  std::vector<IpAddress> addresses;  // all of the packet's IP family

  bool operator==(const VrrpPacket&) const = default;
};

// The address list of a received advert, read in place from the message:
// nothing is copied or allocated per advert (a backup receives 100 a
// second per instance at advert_int 0.01). Valid while the message's bytes
// are.
class AdvertAddresses {
 public:
  AdvertAddresses() = default;
  // `bytes`: whole addresses of `family` (AF_INET or AF_INET6), back to back.
  AdvertAddresses(std::span<const uint8_t> bytes, int family) : bytes_(bytes), family_(family) {}

  int family() const { return family_; }
  size_t width() const { return family_ == AF_INET6 ? 16 : 4; }  // bytes per address
  size_t size() const { return bytes_.size() / width(); }
  std::span<const uint8_t> bytes() const { return bytes_; }
  IpAddress operator[](size_t i) const {
    return IpAddress::fromBytes(family_, bytes_.data() + i * width());
  }
  std::vector<IpAddress> toVector() const;

 private:
  std::span<const uint8_t> bytes_;
  int family_ = AF_INET;
};

// A received advert read in place: its fields, and its address list as a
// view into the message.
struct AdvertView : AdvertFields {
  AdvertAddresses addresses;

  VrrpPacket toPacket() const;
};

// What the checksum covers besides the message itself (RFC 5798 §5.2.8).
struct ChecksumContext {
  IpAddress source;       // IP source address of the packet; decides the family
  IpAddress destination;  // 224.0.0.18, ff02::12 or the unicast peer
  // v3 over IPv4 only: sum the message alone, like v2, without the
  // pseudo-header (vigil's v3_checksum_as_v2, for peers that do this).
  bool v3ChecksumAsV2 = false;
};

// Bytes the VRRP message takes for `family` (AF_INET / AF_INET6).
size_t encodedSize(const VrrpPacket& packet, int family);

// Writes the VRRP message (not the IP header) into `out` and returns its
// length. Fails on a packet that cannot be represented: wrong version for
// the family, interval out of range, too many addresses or addresses of
// another family, or `out` too small.
Result<size_t> encode(const VrrpPacket& packet, std::span<uint8_t> out, const ChecksumContext& ctx);

// What the receive path knows besides the VRRP payload.
struct RxMeta {
  IpAddress source;       // IP source; its family is the packet's family
  IpAddress destination;  // IP destination (needed for the v3 pseudo-header)
  uint8_t ttl = 0;        // IPv4 TTL, or IPv6 Hop Limit from IPV6_HOPLIMIT
  // Accepted TTL range. RFC: exactly 255; keepalived's unicast_peer
  // min_ttl/max_ttl widen it for unicast.
  uint8_t minTtl = kVrrpTtl;
  uint8_t maxTtl = kVrrpTtl;
  bool ahPresent = false;  // the payload came after an IPsec AH header
  bool v3ChecksumAsV2 = false;
  // old_unicast_checksum: keepalived < 1.3.6 put the multicast group rather
  // than the unicast peer in the v3 pseudo-header. When set, a checksum
  // that only matches with this destination is accepted too.
  std::optional<IpAddress> legacyPseudoDestination;
};

// Which rule the received checksum matched.
enum class ChecksumKind : uint8_t { V2, PseudoHeader, NoPseudoHeader, LegacyPseudoHeader };

struct DecodedAdvert {
  VrrpPacket packet;
  ChecksumKind checksum = ChecksumKind::V2;
};

struct DecodedAdvertView {
  AdvertView advert;  // points into the payload decodeInPlace() was given
  ChecksumKind checksum = ChecksumKind::V2;
};

using DecodeResult = WireResult<DecodedAdvert>;

// The last message whose checksum matched, with everything the match
// depended on (the bytes, source, destinations, v3_checksum_as_v2) and the
// rule it matched. A master sends the same bytes on every advert (they
// change with its priority, addresses or interval only), so at a backup
// the next advert from it is byte-identical and has the same checksum
// result: comparing ~20 bytes and two addresses costs less than summing
// them (~180 instructions an advert). A message that failed is never
// remembered, so a bad checksum is always summed and counted.
class ChecksumMemo {
 public:
  // Messages up to this size are remembered (v3 IPv4 with 30 addresses).
  static constexpr size_t kMaxBytes = 128;

  // The rule `message` matched when it is the remembered one under the
  // same `meta`; nullopt when it is not (sum it).
  std::optional<ChecksumKind> find(std::span<const uint8_t> message, const RxMeta& meta) const;
  // Remembers `message`, which matched `kind` under `meta`.
  void remember(std::span<const uint8_t> message, const RxMeta& meta, ChecksumKind kind);

 private:
  std::array<uint8_t, kMaxBytes> bytes_{};
  size_t size_ = 0;  // 0: nothing remembered
  IpAddress source_;
  IpAddress destination_;
  std::optional<IpAddress> legacyDestination_;
  bool v3ChecksumAsV2_ = false;
  ChecksumKind kind_ = ChecksumKind::V2;
};

// Checks the wire rules (length, TTL, version, type, interval, address
// count, checksum, auth type) in that order and returns the first one
// broken. Protocol rules are checkAdvert()'s. Never reads outside
// `vrrpPayload`, whatever it holds. The receive path's form: the address
// list stays in `vrrpPayload` and nothing is allocated. With `memo`, a
// message identical to the last one that passed there takes that one's
// checksum result instead of being summed, and one that passes is
// remembered; the result is the same either way.
WireResult<DecodedAdvertView> decodeInPlace(std::span<const uint8_t> vrrpPayload,
                                            const RxMeta& meta, ChecksumMemo* memo = nullptr);

// decodeInPlace() with the address list copied out (tests, tools).
DecodeResult decode(std::span<const uint8_t> vrrpPayload, const RxMeta& meta);

}  // namespace vigil::vrrp
