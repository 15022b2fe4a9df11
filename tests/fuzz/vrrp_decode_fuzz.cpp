// libFuzzer target for the VRRP receive path: IPv4 (with AH), IPv6 and bare
// VRRP payloads go through the same parsers the VRRP worker uses on
// untrusted packets. Beyond "never crashes", anything the decoder accepts
// must re-encode and decode to the same packet.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "vrrp/advert_check.h"
#include "vrrp/ip_header.h"
#include "vrrp/packet.h"

namespace {

using namespace vigil;
using namespace vigil::vrrp;

void checkStable(std::span<const uint8_t> payload, const RxMeta& meta) {
  auto decoded = decode(payload, meta);
  auto inPlace = decodeInPlace(payload, meta);
  // The receive path's in-place form takes the same decisions.
  if (decoded.ok() != inPlace.ok()) __builtin_trap();
  // With the checksum memo (kept across inputs, and asked twice so the
  // second answer is the memo's when the first passed): the same decisions.
  static ChecksumMemo memo;
  for (int pass = 0; pass < 2; ++pass) {
    auto remembered = decodeInPlace(payload, meta, &memo);
    if (remembered.ok() != inPlace.ok()) __builtin_trap();
    if (!remembered && remembered.reject() != inPlace.reject()) __builtin_trap();
    if (remembered && remembered->checksum != inPlace->checksum) __builtin_trap();
  }
  if (!decoded) {
    if (decoded.reject() != inPlace.reject()) __builtin_trap();
    return;
  }
  if (!(inPlace->advert.toPacket() == decoded->packet)) __builtin_trap();
  InstanceParams params;
  params.version = decoded->packet.version;
  params.vrid = decoded->packet.vrid;
  // The received list as configured, and reversed: both forms agree.
  params.addresses = decoded->packet.addresses;
  std::reverse(params.addresses.begin(), params.addresses.end());
  ExpectedAddresses expected(params.addresses);
  if (checkAdvert(decoded->packet, params, expected) !=
      checkAdvert(inPlace->advert, params, expected)) {
    __builtin_trap();
  }
  params.addresses = {};
  (void)checkAdvert(decoded->packet, params);
  std::vector<uint8_t> out(4096);
  auto size = encode(decoded->packet, out, {meta.source, meta.destination, meta.v3ChecksumAsV2});
  if (!size) __builtin_trap();
  auto again = decode(std::span<const uint8_t>(out).first(*size), meta);
  if (!again || !(again->packet == decoded->packet)) __builtin_trap();
}

RxMeta bareMeta(bool v6, uint8_t flags) {
  RxMeta meta;
  meta.source = *IpAddress::parse(v6 ? "fe80::1" : "10.0.0.1");
  meta.destination = *IpAddress::parse(v6 ? "ff02::12" : "224.0.0.18");
  meta.ttl = 255;
  meta.ahPresent = (flags & 0x04) != 0;
  meta.v3ChecksumAsV2 = (flags & 0x08) != 0;
  if (flags & 0x10) meta.legacyPseudoDestination = meta.destination;
  return meta;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t flags = data[0];
  std::span<const uint8_t> bytes(data + 1, size - 1);
  switch (flags & 0x03) {
    case 0: {
      RxMeta read;
      auto advert = readIpv4Advert(bytes, read);
      auto p = parseIpv4(bytes);
      // The receive path's form agrees with the parsed packet.
      if (advert.ok() != p.ok()) __builtin_trap();
      if (!p) {
        if (advert.reject() != p.reject()) __builtin_trap();
        break;
      }
      const RxMeta meta = rxMetaFor(*p);
      if (advert->data() != p->vrrp.data() || advert->size() != p->vrrp.size() ||
          read.source != meta.source || read.destination != meta.destination ||
          read.ttl != meta.ttl || read.ahPresent != meta.ahPresent) {
        __builtin_trap();
      }
      checkStable(p->vrrp, meta);
      (void)verifyAh(bytes, authDataFromPassword("fuzzkey"));
      break;
    }
    case 1:
      if (auto p = parseIpv6(bytes)) {
        RxMeta meta;
        meta.source = p->header.source;
        meta.destination = p->header.destination;
        meta.ttl = p->header.hopLimit;
        checkStable(p->vrrp, meta);
      }
      break;
    default:
      checkStable(bytes, bareMeta((flags & 0x03) == 3, flags));
      break;
  }
  return 0;
}
