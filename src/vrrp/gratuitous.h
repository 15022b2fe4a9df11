#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "core/ip_address.h"
#include "vrrp/virtual_mac.h"

namespace vigil::vrrp {

// Ethernet header (14) + ARP for IPv4 over Ethernet (28).
inline constexpr size_t kGratuitousArpSize = 42;
// ICMPv6 neighbour advertisement (24) + target link-layer address option (8).
inline constexpr size_t kUnsolicitedNaSize = 32;

inline constexpr MacAddress kBroadcastMac = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

// A gratuitous ARP request (RFC 5227 §3 "ARP Announcement") for `vip`:
// broadcast Ethernet frame from `source`, sender and target protocol address
// both the VIP, target hardware address zero. `vip` must be IPv4.
std::array<uint8_t, kGratuitousArpSize> buildGratuitousArp(const MacAddress& source,
                                                           const IpAddress& vip);

// An unsolicited neighbour advertisement (RFC 4861 §7.2.6) for `target`,
// as the ICMPv6 message a raw socket sends (no IPv6 header): type 136 with
// the Override flag (and Router when `router`), and a target link-layer
// address option carrying `source`. The checksum covers the pseudo-header
// sourceIp -> ff02::1; a raw ICMPv6 socket recomputes it with the address
// the kernel picks, so the sender may pass any source.
std::array<uint8_t, kUnsolicitedNaSize> buildUnsolicitedNa(const MacAddress& source,
                                                           const IpAddress& target,
                                                           const IpAddress& sourceIp,
                                                           bool router = false);

// ff02::1, where unsolicited advertisements go, with hop limit 255.
IpAddress allNodesMulticast();

}  // namespace vigil::vrrp
