#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "core/clock.h"
#include "core/ip_address.h"
#include "core/log.h"
#include "vrrp/instance_runtime.h"
#include "vrrp/packet.h"
#include "vrrp/reject_reason.h"

namespace vigil::vrrp {

// What a VRRP socket received, decoded and handed to the instance with the
// advert's VRID. Pure (no socket), so malformed input is tested with bytes.
// Rejects are counted on the instance the VRID names, or here when no
// instance can be told (a cut header, an unknown VRID); they are
// rate-limit-logged, never trusted.
class AdvertDispatcher {
 public:
  static constexpr size_t kVridCount = 256;  // the 8-bit Virtual Rtr ID

  // Instances are not owned; remove() one before destroying it. An
  // instance's VRID must not change while it is added (a reload that
  // changes it makes a new instance).
  void add(InstanceRuntime* runtime);
  void remove(InstanceRuntime* runtime);
  bool empty() const { return instances_.empty(); }
  const std::vector<InstanceRuntime*>& instances() const { return instances_; }

  // The instance an advert with `vrid` from `source` is for, or null. When
  // several share the VRID (unicast instances on one interface), the one
  // listing `source` as a unicast_peer, else the first added.
  InstanceRuntime* findByVrid(uint8_t vrid, const IpAddress& source) const;

  // `now` is when the packet was received (the loop's clock, read once per
  // receive batch): the instance's timers count from it and log rate limits
  // use it, so nothing on this path reads the clock again.
  // IPv4 raw sockets deliver the whole IP packet.
  void receiveIpv4(std::span<const uint8_t> ipPacket, TimePoint now);
  // IPv6 raw sockets deliver the payload; the rest comes from ancillary data.
  void receiveIpv6(std::span<const uint8_t> vrrp, const IpAddress& source,
                   const IpAddress& destination, uint8_t hopLimit, TimePoint now);

  uint64_t rejected(RejectReason reason) const { return rejects_[static_cast<size_t>(reason)]; }

 private:
  void dispatch(std::span<const uint8_t> vrrp, RxMeta meta, std::span<const uint8_t> ipPacket,
                TimePoint now);
  // findByVrid() for the message's VRID byte; null when it is too short to hold
  // one.
  InstanceRuntime* findFor(std::span<const uint8_t> vrrp, const IpAddress& source) const;
  void reject(InstanceRuntime* target, RejectReason reason, const IpAddress& source, TimePoint now);

  std::vector<InstanceRuntime*> instances_;  // in add() order
  // Per VRID: the first instance added with it, and how many have it. A
  // VRID held by one instance (the usual case) is found without a search.
  std::array<InstanceRuntime*, kVridCount> firstByVrid_{};
  std::array<uint16_t, kVridCount> countByVrid_{};
  std::array<uint64_t, kRejectReasonCount> rejects_{};
  RateLimitedLog log_{5, std::chrono::seconds(10)};
  // The last advert that passed its checksum here: the master's next one
  // is the same bytes and is not summed again.
  ChecksumMemo checksumMemo_;
};

}  // namespace vigil::vrrp
