#pragma once

#include "core/ip_address.h"
#include "core/result.h"
#include "core/unique_fd.h"
#include "vrrp/virtual_mac.h"

namespace vigil::vrrp {

// Puts gratuitous ARPs and unsolicited NAs on the wire. An interface so the
// runtime can be tested with a fake that records what it was asked to send.
class GratuitousSender {
 public:
  virtual ~GratuitousSender() = default;
  // One gratuitous ARP for an IPv4 `vip` out of `ifindex`, from `source`
  // (the interface's MAC, or the virtual MAC with use_vmac).
  virtual Status sendArp(int ifindex, const MacAddress& source, const IpAddress& vip) = 0;
  // One unsolicited NA for an IPv6 `vip` to ff02::1 out of `ifindex`.
  virtual Status sendNa(int ifindex, const MacAddress& source, const IpAddress& vip) = 0;
};

// The real sender: a PF_PACKET socket for ARP frames and a raw ICMPv6 socket
// (hop limit 255, interface chosen per packet) for NAs. Needs CAP_NET_RAW.
class SocketGratuitousSender final : public GratuitousSender {
 public:
  static Result<SocketGratuitousSender> create();

  Status sendArp(int ifindex, const MacAddress& source, const IpAddress& vip) override;
  Status sendNa(int ifindex, const MacAddress& source, const IpAddress& vip) override;

 private:
  SocketGratuitousSender(UniqueFd packet, UniqueFd icmpv6)
      : packet_(std::move(packet)), icmpv6_(std::move(icmpv6)) {}
  UniqueFd packet_;
  UniqueFd icmpv6_;
};

// The hardware address of an interface (SIOCGIFHWADDR).
Result<MacAddress> interfaceMac(int ifindex);

}  // namespace vigil::vrrp
