#include "vrrp/ipv4_advert.h"

#include <algorithm>

#include "vrrp/byte_io.h"

namespace vigil::vrrp {

namespace {

uint32_t hostOrderV4(const IpAddress& a) {
  return wire::readU32(std::span<const uint8_t>(a.bytes(), 4), 0);
}

}  // namespace

Result<size_t> encodeIpv4Advert(Ipv4Header ip, const VrrpPacket& packet, std::span<uint8_t> out,
                                const Ipv4AdvertOptions& options) {
  const bool ah = packet.version == 2 && packet.authType == AuthType::Ah;
  const size_t vrrpAt = kIpv4HeaderSize + (ah ? kAhHeaderSize : 0);
  if (out.size() < vrrpAt) return Error{0, "buffer too small for IPv4 advert"};
  auto vrrpSize = encode(packet, out.subspan(vrrpAt),
                         ChecksumContext{ip.source, ip.destination, options.v3ChecksumAsV2});
  if (!vrrpSize) return vrrpSize.error();
  const size_t total = vrrpAt + *vrrpSize;
  ip.totalLength = static_cast<uint16_t>(total);
  ip.protocol = ah ? kIpProtoAh : kIpProtoVrrp;
  auto ipSize = encodeIpv4Header(ip, out);
  if (!ipSize) return ipSize.error();
  if (!ah) return total;

  AhHeader header;
  header.spi = hostOrderV4(ip.source);
  header.sequence = options.ahSequence;
  auto ahSize = encodeAh(header, out.subspan(kIpv4HeaderSize));
  if (!ahSize) return ahSize.error();
  auto icv = computeAhIcv(out.first(total), options.ahKey);
  if (!icv) return Error{0, "computing the AH ICV failed"};
  std::copy(icv->begin(), icv->end(), out.begin() + kIpv4HeaderSize + 12);
  return total;
}

}  // namespace vigil::vrrp
