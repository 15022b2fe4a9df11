#include "vrrp/socket_dispatch.h"

#include <algorithm>
#include <utility>

#include "vrrp/ip_header.h"

namespace vigil::vrrp {
namespace {

constexpr size_t kVridOffset = 1;

// The TTL range an advert must arrive with. Multicast: exactly 255
// (RFC 5798 §7.1). Unicast, as keepalived checks it: the peer's
// min_ttl/max_ttl when given, and any TTL otherwise, since a routed peer
// or keepalived's own IPv6 unicast adverts (sent with the kernel's default
// hop limit unless unicast_ttl is set) arrive below 255.
void applyTtlRange(const config::VrrpInstance& config, RxMeta& meta) {
  if (config.unicast && !meta.destination.isMulticast()) {
    meta.minTtl = 0;
    meta.maxTtl = kVrrpTtl;
  }
  for (const config::UnicastPeer& peer : config.unicastPeers) {
    if (peer.address != meta.source) continue;
    if (peer.minTtl) meta.minTtl = *peer.minTtl;
    if (peer.maxTtl) meta.maxTtl = *peer.maxTtl;
  }
}

}  // namespace

void AdvertDispatcher::add(InstanceRuntime* runtime) {
  instances_.push_back(runtime);
  const uint8_t vrid = runtime->params().vrid;
  if (countByVrid_[vrid]++ == 0) firstByVrid_[vrid] = runtime;
}

void AdvertDispatcher::remove(InstanceRuntime* runtime) {
  const size_t removed = std::erase(instances_, runtime);
  if (removed == 0) return;
  const uint8_t vrid = runtime->params().vrid;
  countByVrid_[vrid] = static_cast<uint16_t>(countByVrid_[vrid] - removed);
  if (firstByVrid_[vrid] != runtime) return;
  auto next = std::find_if(instances_.begin(), instances_.end(),
                           [&](const InstanceRuntime* r) { return r->params().vrid == vrid; });
  firstByVrid_[vrid] = next == instances_.end() ? nullptr : *next;
}

void AdvertDispatcher::receiveIpv4(std::span<const uint8_t> ipPacket, TimePoint now) {
  RxMeta meta;
  auto vrrp = readIpv4Advert(ipPacket, meta);
  if (!vrrp) {
    reject(nullptr, vrrp.reject(), IpAddress{}, now);
    return;
  }
  // With AH, the packet up to its Total Length (where the message ends).
  const auto through = static_cast<size_t>(vrrp->data() + vrrp->size() - ipPacket.data());
  const std::span<const uint8_t> ahPacket =
      meta.ahPresent ? ipPacket.first(through) : std::span<const uint8_t>{};
  dispatch(*vrrp, meta, ahPacket, now);
}

void AdvertDispatcher::receiveIpv6(std::span<const uint8_t> vrrp, const IpAddress& source,
                                   const IpAddress& destination, uint8_t hopLimit, TimePoint now) {
  RxMeta meta;
  meta.source = source;
  meta.destination = destination;
  meta.ttl = hopLimit;
  dispatch(vrrp, meta, {}, now);
}

void AdvertDispatcher::dispatch(std::span<const uint8_t> vrrp, RxMeta meta,
                                std::span<const uint8_t> ipPacket, TimePoint now) {
  InstanceRuntime* target = findFor(vrrp, meta.source);
  if (target != nullptr) {
    const config::VrrpInstance& config = target->config();
    if (meta.source == target->params().primaryAddress) return;  // our own, looped back
    applyTtlRange(config, meta);
    meta.v3ChecksumAsV2 = config.v3ChecksumAsV2;
    if (config.unicast && config.oldUnicastChecksum && !config.mcastDst.empty()) {
      meta.legacyPseudoDestination = config.mcastDst;
    }
  }
  auto decoded = decodeInPlace(vrrp, meta, &checksumMemo_);
  if (!decoded) {
    reject(target, decoded.reject(), meta.source, now);
    return;
  }
  if (target == nullptr) {
    reject(nullptr, RejectReason::VridMismatch, meta.source, now);
    return;
  }
  target->receive(decoded->advert, meta.source, meta.ahPresent, ipPacket, now);
}

InstanceRuntime* AdvertDispatcher::findFor(std::span<const uint8_t> vrrp,
                                           const IpAddress& source) const {
  if (vrrp.size() <= kVridOffset) return nullptr;
  return findByVrid(vrrp[kVridOffset], source);
}

InstanceRuntime* AdvertDispatcher::findByVrid(uint8_t vrid, const IpAddress& source) const {
  if (countByVrid_[vrid] <= 1) return firstByVrid_[vrid];
  for (InstanceRuntime* runtime : instances_) {
    if (runtime->params().vrid != vrid) continue;
    // Two unicast instances may share a VRID on one interface: the peer decides.
    const auto& peers = runtime->config().unicastPeers;
    if (std::any_of(peers.begin(), peers.end(), [&](const auto& p) { return p.address == source; }))
      return runtime;
  }
  return firstByVrid_[vrid];
}

void AdvertDispatcher::reject(InstanceRuntime* target, RejectReason reason, const IpAddress& source,
                              TimePoint now) {
  if (target != nullptr) {
    target->countReject(reason);
  } else {
    ++rejects_[static_cast<size_t>(reason)];
  }
  log_.log(now.time_since_epoch(), LogLevel::Warning, "dropped a VRRP packet from {}: {}",
           source.empty() ? std::string("?") : source.toString(), name(reason));
}

}  // namespace vigil::vrrp
