#include "vrrp/packet.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "vrrp/byte_io.h"
#include "vrrp/checksum.h"

namespace vigil::vrrp {

namespace {

size_t addressSize(int family) { return family == AF_INET6 ? 16 : 4; }

size_t messageSize(uint8_t version, size_t addressCount, int family) {
  size_t size = kVrrpHeaderSize + addressCount * addressSize(family);
  return version == 2 ? size + kV2AuthDataSize : size;
}

bool usesPseudoHeader(uint8_t version, int family, bool v3ChecksumAsV2) {
  return version == 3 && (family == AF_INET6 || !v3ChecksumAsV2);
}

// RFC 5798 §5.2.8: the IPv4 pseudo-header of RFC 768 / the IPv6 one of
// RFC 8200 §8.1, with protocol 112 and the VRRP message length.
void addPseudoHeader(InternetChecksum& sum, const IpAddress& src, const IpAddress& dst,
                     size_t length) {
  sum.add({src.bytes(), src.size()});
  sum.add({dst.bytes(), dst.size()});
  // Protocol and length in one piece (a message is under 2^16 bytes): this
  // runs for every advert sent and received.
  const auto len = static_cast<uint16_t>(length);
  if (src.isV4()) {
    const uint8_t tail[4] = {0, kIpProtoVrrp, static_cast<uint8_t>(len >> 8),
                             static_cast<uint8_t>(len)};
    sum.add(tail);
  } else {
    const uint8_t tail[8] = {
        0, 0, static_cast<uint8_t>(len >> 8), static_cast<uint8_t>(len), 0, 0, 0, kIpProtoVrrp};
    sum.add(tail);
  }
}

uint16_t checksumOf(std::span<const uint8_t> message, const IpAddress& src,
                    const IpAddress* pseudoDst) {
  InternetChecksum sum;
  if (pseudoDst != nullptr) addPseudoHeader(sum, src, *pseudoDst, message.size());
  sum.add(message);
  return sum.finish();
}

std::optional<Error> checkEncodable(const VrrpPacket& p, int family, size_t outSize) {
  if (family != AF_INET && family != AF_INET6) return Error{0, "VRRP source address not set"};
  if (p.version != 2 && p.version != 3) return Error{0, fmt::format("VRRP version {}", p.version)};
  if (p.version == 2 && family == AF_INET6) return Error{0, "VRRP version 2 is IPv4 only"};
  if (p.addresses.size() > 255) return Error{0, "more than 255 addresses in one advert"};
  for (const IpAddress& a : p.addresses) {
    if (a.family() != family) return Error{0, "advert address of the other IP family"};
  }
  uint32_t cs = p.advertInterval.count();
  if (p.version == 2 && (cs % 100 != 0 || cs / 100 > kV2MaxIntervalSeconds)) {
    return Error{0, "VRRPv2 advert interval must be whole seconds, at most 255"};
  }
  if (p.version == 3 && cs > kV3MaxIntervalCentiseconds) {
    return Error{0, "VRRPv3 advert interval above 40.95 s"};
  }
  if (outSize < encodedSize(p, family)) return Error{0, "buffer too small for VRRP advert"};
  return std::nullopt;
}

void writeHeader(const VrrpPacket& p, std::span<uint8_t> out) {
  out[0] = static_cast<uint8_t>((p.version << 4) | (p.type & 0x0f));
  out[1] = p.vrid;
  out[2] = p.priority;
  out[3] = static_cast<uint8_t>(p.addresses.size());
  if (p.version == 2) {
    out[4] = static_cast<uint8_t>(p.authType);
    out[5] = static_cast<uint8_t>(p.advertInterval.count() / 100);
  } else {
    wire::writeU16(out, 4, static_cast<uint16_t>(p.advertInterval.count() & 0x0fff));  // rsvd = 0
  }
  wire::writeU16(out, 6, 0);  // checksum, filled last
}

}  // namespace

AuthData authDataFromPassword(std::string_view password) {
  AuthData data{};
  std::copy_n(password.begin(), std::min(password.size(), data.size()), data.begin());
  return data;
}

size_t encodedSize(const VrrpPacket& packet, int family) {
  return messageSize(packet.version, packet.addresses.size(), family);
}

Result<size_t> encode(const VrrpPacket& packet, std::span<uint8_t> out,
                      const ChecksumContext& ctx) {
  const int family = ctx.source.family();
  if (auto error = checkEncodable(packet, family, out.size())) return *error;
  if (usesPseudoHeader(packet.version, family, ctx.v3ChecksumAsV2) &&
      ctx.destination.family() != family) {
    return Error{0, "VRRPv3 checksum needs a destination of the source's family"};
  }
  const size_t size = encodedSize(packet, family);
  std::span<uint8_t> msg = out.first(size);
  writeHeader(packet, msg);
  size_t at = kVrrpHeaderSize;
  for (const IpAddress& a : packet.addresses) {
    std::copy_n(a.bytes(), a.size(), msg.begin() + static_cast<ptrdiff_t>(at));
    at += a.size();
  }
  if (packet.version == 2) {
    std::copy(packet.authData.begin(), packet.authData.end(),
              msg.begin() + static_cast<ptrdiff_t>(at));
  }
  const bool pseudo = usesPseudoHeader(packet.version, family, ctx.v3ChecksumAsV2);
  wire::writeU16(msg, 6, checksumOf(msg, ctx.source, pseudo ? &ctx.destination : nullptr));
  return size;
}

namespace {

std::optional<ChecksumKind> matchChecksum(std::span<const uint8_t> msg, uint8_t version,
                                          const RxMeta& meta) {
  const int family = meta.source.family();
  if (!usesPseudoHeader(version, family, meta.v3ChecksumAsV2)) {
    if (checksumOf(msg, meta.source, nullptr) != 0) return std::nullopt;
    return version == 2 ? ChecksumKind::V2 : ChecksumKind::NoPseudoHeader;
  }
  if (meta.destination.family() == family && checksumOf(msg, meta.source, &meta.destination) == 0) {
    return ChecksumKind::PseudoHeader;
  }
  const auto& legacy = meta.legacyPseudoDestination;
  if (legacy && legacy->family() == family && checksumOf(msg, meta.source, &*legacy) == 0) {
    return ChecksumKind::LegacyPseudoHeader;
  }
  return std::nullopt;
}

AdvertView readAdvert(std::span<const uint8_t> msg, int family) {
  AdvertView p;
  p.version = msg[0] >> 4;
  p.type = msg[0] & 0x0f;
  p.vrid = msg[1];
  p.priority = msg[2];
  const size_t count = msg[3];
  if (p.version == 2) {
    p.authType = static_cast<AuthType>(msg[4]);
    p.advertInterval = Centiseconds(msg[5] * 100u);
  } else {
    p.advertInterval = Centiseconds(wire::readU16(msg, 4) & 0x0fffu);
  }
  const size_t listSize = count * addressSize(family);
  p.addresses = AdvertAddresses(msg.subspan(kVrrpHeaderSize, listSize), family);
  if (p.version == 2) {
    std::copy_n(msg.begin() + static_cast<ptrdiff_t>(kVrrpHeaderSize + listSize), kV2AuthDataSize,
                p.authData.begin());
  }
  return p;
}

}  // namespace

std::vector<IpAddress> AdvertAddresses::toVector() const {
  std::vector<IpAddress> out;
  out.reserve(size());
  for (size_t i = 0; i < size(); ++i) out.push_back((*this)[i]);
  return out;
}

VrrpPacket AdvertView::toPacket() const {
  VrrpPacket packet;
  static_cast<AdvertFields&>(packet) = *this;
  packet.addresses = addresses.toVector();
  return packet;
}

namespace {

// Whether the first `size` bytes of `a` and `b` are equal, 8 at a time: a
// call to memcmp costs more than the compare for the ~20 bytes of an
// advert.
bool sameBytes(const uint8_t* a, const uint8_t* b, size_t size) {
  size_t at = 0;
  for (; at + 8 <= size; at += 8) {
    uint64_t x;
    uint64_t y;
    std::memcpy(&x, a + at, sizeof x);
    std::memcpy(&y, b + at, sizeof y);
    if (x != y) return false;
  }
  for (; at < size; ++at) {
    if (a[at] != b[at]) return false;
  }
  return true;
}

}  // namespace

std::optional<ChecksumKind> ChecksumMemo::find(std::span<const uint8_t> message,
                                               const RxMeta& meta) const {
  if (message.size() != size_ || size_ == 0) return std::nullopt;
  if (meta.source != source_ || meta.destination != destination_ ||
      meta.v3ChecksumAsV2 != v3ChecksumAsV2_ ||
      meta.legacyPseudoDestination != legacyDestination_) {
    return std::nullopt;
  }
  if (!sameBytes(message.data(), bytes_.data(), size_)) return std::nullopt;
  return kind_;
}

void ChecksumMemo::remember(std::span<const uint8_t> message, const RxMeta& meta,
                            ChecksumKind kind) {
  if (message.empty() || message.size() > kMaxBytes) {
    size_ = 0;
    return;
  }
  std::memcpy(bytes_.data(), message.data(), message.size());
  size_ = message.size();
  source_ = meta.source;
  destination_ = meta.destination;
  legacyDestination_ = meta.legacyPseudoDestination;
  v3ChecksumAsV2_ = meta.v3ChecksumAsV2;
  kind_ = kind;
}

WireResult<DecodedAdvertView> decodeInPlace(std::span<const uint8_t> payload, const RxMeta& meta,
                                            ChecksumMemo* memo) {
  const int family = meta.source.family();
  if (family != AF_INET && family != AF_INET6) return RejectReason::BadIpHeader;
  if (payload.size() < kVrrpHeaderSize) return RejectReason::TooShort;
  if (meta.ttl < meta.minTtl || meta.ttl > meta.maxTtl) return RejectReason::BadTtl;
  const uint8_t version = payload[0] >> 4;
  if (version != 3 && !(version == 2 && family == AF_INET)) return RejectReason::BadVersion;
  if ((payload[0] & 0x0f) != kAdvertisementType) return RejectReason::BadType;
  const uint16_t interval = version == 2 ? payload[5] : (wire::readU16(payload, 4) & 0x0fff);
  if (interval == 0) return RejectReason::BadInterval;
  if (payload.size() != messageSize(version, payload[3], family)) {
    return RejectReason::AddressCountMismatch;
  }
  std::optional<ChecksumKind> checksum;
  if (memo != nullptr) checksum = memo->find(payload, meta);
  if (!checksum) {
    checksum = matchChecksum(payload, version, meta);
    if (!checksum) return RejectReason::BadChecksum;
    if (memo != nullptr) memo->remember(payload, meta, *checksum);
  }
  if (version == 2) {
    const uint8_t auth = payload[4];
    if (auth > static_cast<uint8_t>(AuthType::Ah)) return RejectReason::BadAuthType;
    if ((auth == static_cast<uint8_t>(AuthType::Ah)) != meta.ahPresent) {
      return RejectReason::BadAuthType;
    }
  } else if (meta.ahPresent) {
    return RejectReason::BadAuthType;
  }
  return DecodedAdvertView{readAdvert(payload, family), *checksum};
}

DecodeResult decode(std::span<const uint8_t> payload, const RxMeta& meta) {
  auto view = decodeInPlace(payload, meta);
  if (!view) return view.reject();
  return DecodedAdvert{view->advert.toPacket(), view->checksum};
}

}  // namespace vigil::vrrp
