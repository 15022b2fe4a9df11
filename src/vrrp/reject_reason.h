#pragma once

#include <cstdint>
#include <string_view>

namespace vigil::vrrp {

// Why a received advertisement was dropped. The codec produces the wire
// reasons (the packet is malformed whoever receives it); checkAdvert()
// produces the protocol reasons (the packet is fine but not for this
// instance). Each value's name() is a metric label, so values are only ever
// added, never renamed.
enum class RejectReason : uint8_t {
  // Wire: the IP layer (parseIpv4 / parseIpv6).
  TooShort,       // fewer bytes than the headers or the address list need
  BadIpHeader,    // IP version, header length, total length, checksum or fragment
  BadIpProtocol,  // neither VRRP (112) nor, for IPv4, AH (51) carrying VRRP
  BadAhHeader,    // AH not followed by VRRP, or an AH length other than 96-bit ICV
  // Wire: the VRRP message (decode).
  BadTtl,                // TTL / Hop Limit outside the accepted range (255 for multicast)
  BadVersion,            // not 2 or 3, or version 2 over IPv6
  BadType,               // not 1 (ADVERTISEMENT)
  BadInterval,           // advertisement interval of 0
  AddressCountMismatch,  // Count IPvX Addrs disagrees with the message length
  BadChecksum,
  BadAuthType,  // v2 auth type above 2, or AH auth without an AH header (or the reverse)
  // Protocol: checkAdvert and the runtime.
  VersionMismatch,      // a v2 advert to a v3 instance or the reverse
  VridMismatch,         // no instance with this VRID
  AuthMismatch,         // auth type, PASS password or AH ICV differs
  IntervalMismatch,     // v2: Adver Int differs from ours (v3 backups learn it instead)
  AddressListMismatch,  // the advertised addresses are not ours (from a non-owner)
};

inline constexpr size_t kRejectReasonCount =
    static_cast<size_t>(RejectReason::AddressListMismatch) + 1;

// snake_case label, e.g. "bad_ttl".
std::string_view name(RejectReason reason);

}  // namespace vigil::vrrp
