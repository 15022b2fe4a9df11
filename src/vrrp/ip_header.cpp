#include "vrrp/ip_header.h"

#include <algorithm>

#include "vrrp/byte_io.h"
#include "vrrp/checksum.h"

namespace vigil::vrrp {

namespace {

constexpr uint16_t kMoreFragments = 0x2000;
constexpr uint16_t kFragmentOffsetMask = 0x1fff;

bool isFragment(uint16_t flagsFragment) {
  return (flagsFragment & (kMoreFragments | kFragmentOffsetMask)) != 0;
}

Ipv4Header readIpv4Header(std::span<const uint8_t> b) {
  Ipv4Header h;
  h.tos = b[1];
  h.totalLength = wire::readU16(b, 2);
  h.id = wire::readU16(b, 4);
  h.flagsFragment = wire::readU16(b, 6);
  h.ttl = b[8];
  h.protocol = b[9];
  h.checksum = wire::readU16(b, 10);
  h.source = IpAddress::fromBytes(AF_INET, b.data() + 12);
  h.destination = IpAddress::fromBytes(AF_INET, b.data() + 16);
  return h;
}

}  // namespace

namespace {

// parseIpv4()'s checks, in its order, for both of its forms: where the
// header ends, the Total Length and whether an AH header (checked here)
// comes first.
struct Ipv4Layout {
  size_t headerLength;
  uint16_t totalLength;
  bool ah;
};

WireResult<Ipv4Layout> checkIpv4(std::span<const uint8_t> bytes) {
  if (bytes.size() < kIpv4HeaderSize) return RejectReason::TooShort;
  if ((bytes[0] >> 4) != 4) return RejectReason::BadIpHeader;
  const size_t ihl = static_cast<size_t>(bytes[0] & 0x0f) * 4;
  const uint16_t totalLength = wire::readU16(bytes, 2);
  if (ihl < kIpv4HeaderSize || totalLength < ihl || totalLength > bytes.size()) {
    return RejectReason::BadIpHeader;
  }
  // The header checksum is not summed again: see parseIpv4() in the header.
  if (isFragment(wire::readU16(bytes, 6))) return RejectReason::BadIpHeader;
  const uint8_t protocol = bytes[9];
  if (protocol == kIpProtoAh) {
    auto ah = parseAh(bytes.subspan(ihl, totalLength - ihl));
    if (!ah) return ah.reject();
    return Ipv4Layout{ihl, totalLength, true};
  }
  if (protocol != kIpProtoVrrp) return RejectReason::BadIpProtocol;
  return Ipv4Layout{ihl, totalLength, false};
}

std::span<const uint8_t> vrrpOf(std::span<const uint8_t> bytes, const Ipv4Layout& layout) {
  std::span<const uint8_t> payload =
      bytes.subspan(layout.headerLength, layout.totalLength - layout.headerLength);
  return layout.ah ? payload.subspan(kAhHeaderSize) : payload;
}

}  // namespace

WireResult<Ipv4Packet> parseIpv4(std::span<const uint8_t> bytes) {
  auto layout = checkIpv4(bytes);
  if (!layout) return layout.reject();
  Ipv4Packet packet{readIpv4Header(bytes), layout->headerLength, std::nullopt,
                    vrrpOf(bytes, *layout)};
  if (layout->ah) {
    packet.ah =
        parseAh(bytes.subspan(layout->headerLength, layout->totalLength - layout->headerLength))
            .value();
  }
  return packet;
}

WireResult<std::span<const uint8_t>> readIpv4Advert(std::span<const uint8_t> bytes, RxMeta& meta) {
  auto layout = checkIpv4(bytes);
  if (!layout) return layout.reject();
  meta.source = IpAddress::fromBytes(AF_INET, bytes.data() + 12);
  meta.destination = IpAddress::fromBytes(AF_INET, bytes.data() + 16);
  meta.ttl = bytes[8];
  meta.ahPresent = layout->ah;
  return vrrpOf(bytes, *layout);
}

RxMeta rxMetaFor(const Ipv4Packet& packet) {
  RxMeta meta;
  meta.source = packet.header.source;
  meta.destination = packet.header.destination;
  meta.ttl = packet.header.ttl;
  meta.ahPresent = packet.ah.has_value();
  return meta;
}

Result<size_t> encodeIpv4Header(const Ipv4Header& h, std::span<uint8_t> out) {
  if (!h.source.isV4() || !h.destination.isV4())
    return Error{0, "IPv4 header needs IPv4 addresses"};
  if (out.size() < kIpv4HeaderSize) return Error{0, "buffer too small for IPv4 header"};
  out[0] = 0x45;  // version 4, IHL 5
  out[1] = h.tos;
  wire::writeU16(out, 2, h.totalLength);
  wire::writeU16(out, 4, h.id);
  wire::writeU16(out, 6, h.flagsFragment);
  out[8] = h.ttl;
  out[9] = h.protocol;
  wire::writeU16(out, 10, 0);
  std::copy_n(h.source.bytes(), 4, out.begin() + 12);
  std::copy_n(h.destination.bytes(), 4, out.begin() + 16);
  InternetChecksum sum;
  sum.add(out.first(kIpv4HeaderSize));
  wire::writeU16(out, 10, sum.finish());
  return kIpv4HeaderSize;
}

WireResult<AhHeader> parseAh(std::span<const uint8_t> b) {
  if (b.size() < kAhHeaderSize) return RejectReason::TooShort;
  AhHeader ah;
  ah.nextHeader = b[0];
  ah.payloadLength = b[1];
  ah.reserved = wire::readU16(b, 2);
  ah.spi = wire::readU32(b, 4);
  ah.sequence = wire::readU32(b, 8);
  std::copy_n(b.begin() + 12, kAhIcvSize, ah.icv.begin());
  if (ah.nextHeader != kIpProtoVrrp || ah.payloadLength != kAhPayloadLength) {
    return RejectReason::BadAhHeader;
  }
  return ah;
}

Result<size_t> encodeAh(const AhHeader& ah, std::span<uint8_t> out) {
  if (out.size() < kAhHeaderSize) return Error{0, "buffer too small for AH header"};
  out[0] = ah.nextHeader;
  out[1] = ah.payloadLength;
  wire::writeU16(out, 2, ah.reserved);
  wire::writeU32(out, 4, ah.spi);
  wire::writeU32(out, 8, ah.sequence);
  std::copy(ah.icv.begin(), ah.icv.end(), out.begin() + 12);
  return kAhHeaderSize;
}

uint32_t firstAhSequence(std::chrono::seconds sinceEpoch) {
  constexpr std::chrono::seconds k2020{1577836800};  // 2020-01-01T00:00:00Z
  if (sinceEpoch <= k2020) return 0;
  return static_cast<uint32_t>(2 * (sinceEpoch - k2020).count());
}

WireResult<Ipv6Packet> parseIpv6(std::span<const uint8_t> b) {
  if (b.size() < kIpv6HeaderSize) return RejectReason::TooShort;
  if ((b[0] >> 4) != 6) return RejectReason::BadIpHeader;
  Ipv6Header h;
  const uint32_t first = wire::readU32(b, 0);
  h.trafficClass = static_cast<uint8_t>(first >> 20);
  h.flowLabel = first & 0xfffff;
  h.payloadLength = wire::readU16(b, 4);
  h.nextHeader = b[6];
  h.hopLimit = b[7];
  h.source = IpAddress::fromBytes(AF_INET6, b.data() + 8);
  h.destination = IpAddress::fromBytes(AF_INET6, b.data() + 24);
  if (h.payloadLength > b.size() - kIpv6HeaderSize) return RejectReason::BadIpHeader;
  if (h.nextHeader != kIpProtoVrrp) return RejectReason::BadIpProtocol;
  return Ipv6Packet{h, b.subspan(kIpv6HeaderSize, h.payloadLength)};
}

Result<size_t> encodeIpv6Header(const Ipv6Header& h, std::span<uint8_t> out) {
  if (!h.source.isV6() || !h.destination.isV6())
    return Error{0, "IPv6 header needs IPv6 addresses"};
  if (out.size() < kIpv6HeaderSize) return Error{0, "buffer too small for IPv6 header"};
  wire::writeU32(
      out, 0, (6u << 28) | (static_cast<uint32_t>(h.trafficClass) << 20) | (h.flowLabel & 0xfffff));
  wire::writeU16(out, 4, h.payloadLength);
  out[6] = h.nextHeader;
  out[7] = h.hopLimit;
  std::copy_n(h.source.bytes(), 16, out.begin() + 8);
  std::copy_n(h.destination.bytes(), 16, out.begin() + 24);
  return kIpv6HeaderSize;
}

}  // namespace vigil::vrrp
