#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "core/clock.h"
#include "core/ip_address.h"
#include "core/log.h"
#include "vrrp/instance_runtime.h"
#include "vrrp/reject_reason.h"

namespace vigil::vrrp {

// What a VRRP socket received, decoded and handed to the instance with the
// advert's VRID. Pure (no socket), so malformed input is tested with bytes.
// Rejects are counted on the instance the VRID names, or here when no
// instance can be told (a cut header, an unknown VRID); they are
// rate-limit-logged, never trusted.
class AdvertDispatcher {
 public:
  // Instances are not owned; remove() one before destroying it.
  void add(InstanceRuntime* runtime);
  void remove(InstanceRuntime* runtime);
  bool empty() const { return instances_.empty(); }

  // IPv4 raw sockets deliver the whole IP packet.
  void receiveIpv4(std::span<const uint8_t> ipPacket, TimePoint now);
  // IPv6 raw sockets deliver the payload; the rest comes from ancillary data.
  void receiveIpv6(std::span<const uint8_t> vrrp, const IpAddress& source,
                   const IpAddress& destination, uint8_t hopLimit, TimePoint now);

  uint64_t rejected(RejectReason reason) const { return rejects_[static_cast<size_t>(reason)]; }

 private:
  void dispatch(std::span<const uint8_t> vrrp, RxMeta meta, std::span<const uint8_t> ipPacket,
                TimePoint now);
  InstanceRuntime* findByVrid(std::span<const uint8_t> vrrp, const IpAddress& source) const;
  void reject(InstanceRuntime* target, RejectReason reason, const IpAddress& source, TimePoint now);

  std::vector<InstanceRuntime*> instances_;
  std::array<uint64_t, kRejectReasonCount> rejects_{};
  RateLimitedLog log_{5, std::chrono::seconds(10)};
};

}  // namespace vigil::vrrp
