#pragma once

#include <cstdint>
#include <span>

#include "core/result.h"
#include "vrrp/ip_header.h"
#include "vrrp/packet.h"

namespace vigil::vrrp {

struct Ipv4AdvertOptions {
  bool v3ChecksumAsV2 = false;
  // v2 with AuthType::Ah only: this advert's AH sequence number (keepalived
  // counts from 1) and the zero-padded auth_pass keying HMAC-MD5-96.
  uint32_t ahSequence = 0;
  AuthData ahKey{};
};

// A whole IPv4 advert as keepalived sends it with IP_HDRINCL: `ip` (its
// addresses, TTL, TOS, id) with Total Length and Protocol filled in, then
// for v2 AH an AH header (SPI = the source address) with its ICV, then the
// VRRP message. Returns the packet length.
Result<size_t> encodeIpv4Advert(Ipv4Header ip, const VrrpPacket& packet, std::span<uint8_t> out,
                                const Ipv4AdvertOptions& options);

}  // namespace vigil::vrrp
