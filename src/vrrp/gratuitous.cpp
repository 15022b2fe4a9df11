#include "vrrp/gratuitous.h"

#include <algorithm>
#include <span>

#include "vrrp/byte_io.h"
#include "vrrp/checksum.h"

namespace vigil::vrrp {

namespace {

constexpr uint16_t kEtherTypeArp = 0x0806;
constexpr uint16_t kEtherTypeIpv4 = 0x0800;
constexpr uint16_t kArpHardwareEthernet = 1;
constexpr uint16_t kArpOpRequest = 1;
constexpr uint8_t kIcmpv6NeighbourAdvert = 136;
constexpr uint8_t kNaFlagRouter = 0x80;
constexpr uint8_t kNaFlagOverride = 0x20;
constexpr uint8_t kOptionTargetLinkLayer = 2;
constexpr uint8_t kIpProtoIcmpv6 = 58;

void put(std::span<uint8_t> out, size_t at, const uint8_t* bytes, size_t n) {
  std::copy(bytes, bytes + n, out.begin() + static_cast<std::ptrdiff_t>(at));
}

}  // namespace

std::array<uint8_t, kGratuitousArpSize> buildGratuitousArp(const MacAddress& source,
                                                           const IpAddress& vip) {
  std::array<uint8_t, kGratuitousArpSize> frame{};
  std::span<uint8_t> out(frame);
  put(out, 0, kBroadcastMac.data(), 6);  // Ethernet destination
  put(out, 6, source.data(), 6);         // Ethernet source
  wire::writeU16(out, 12, kEtherTypeArp);
  wire::writeU16(out, 14, kArpHardwareEthernet);
  wire::writeU16(out, 16, kEtherTypeIpv4);
  out[18] = 6;  // hardware address length
  out[19] = 4;  // protocol address length
  wire::writeU16(out, 20, kArpOpRequest);
  put(out, 22, source.data(), 6);  // sender hardware address
  put(out, 28, vip.bytes(), 4);    // sender protocol address
  // 32..37: target hardware address, zero (ignored in an announcement)
  put(out, 38, vip.bytes(), 4);  // target protocol address
  return frame;
}

IpAddress allNodesMulticast() { return *IpAddress::parse("ff02::1"); }

std::array<uint8_t, kUnsolicitedNaSize> buildUnsolicitedNa(const MacAddress& source,
                                                           const IpAddress& target,
                                                           const IpAddress& sourceIp, bool router) {
  std::array<uint8_t, kUnsolicitedNaSize> msg{};
  std::span<uint8_t> out(msg);
  out[0] = kIcmpv6NeighbourAdvert;
  out[1] = 0;  // code
  // 2..3: checksum, filled below
  out[4] = static_cast<uint8_t>(kNaFlagOverride | (router ? kNaFlagRouter : 0));
  put(out, 8, target.bytes(), 16);
  out[24] = kOptionTargetLinkLayer;
  out[25] = 1;  // option length in units of 8 bytes
  put(out, 26, source.data(), 6);

  // RFC 8200 §8.1 pseudo-header: source, destination, upper-layer length,
  // next header.
  InternetChecksum sum;
  sum.add(std::span<const uint8_t>(sourceIp.bytes(), 16));
  IpAddress dst = allNodesMulticast();
  sum.add(std::span<const uint8_t>(dst.bytes(), 16));
  sum.addU32(kUnsolicitedNaSize);
  sum.addU32(kIpProtoIcmpv6);
  sum.add(msg);
  wire::writeU16(out, 2, sum.finish());
  return msg;
}

}  // namespace vigil::vrrp
