#pragma once

#include <memory>

#include "core/netlink/address_manager.h"
#include "vrrp/garp_sender.h"
#include "vrrp/runtime_io.h"

namespace vigil::vrrp {

// VIPs through the netlink AddressManager. A lifetime becomes valid_lft and
// preferred_lft in whole seconds (rounded up, at least 1); add() replaces
// an existing address, which restarts its lifetimes. An address entry's own
// preferred_lft overrides the lifetime. Failures are logged (rate-limited
// by the caller's refresh cadence), never fatal.
class NetlinkVipInstaller final : public VipInstaller {
 public:
  explicit NetlinkVipInstaller(std::unique_ptr<netlink::AddressManager> addresses)
      : addresses_(std::move(addresses)) {}
  void add(const std::vector<config::VirtualAddress>& vips, const std::string& defaultDev,
           std::optional<Duration> lifetime) override;
  void remove(const std::vector<config::VirtualAddress>& vips,
              const std::string& defaultDev) override;

 private:
  std::unique_ptr<netlink::AddressManager> addresses_;
};

// One gratuitous ARP (IPv4 VIP) or unsolicited NA (IPv6 VIP) per VIP from
// the interface's MAC. (garp_master_repeat/_delay/_refresh are not
// scheduled yet: see GarpSchedule.)
class SocketVipAnnouncer final : public VipAnnouncer {
 public:
  explicit SocketVipAnnouncer(std::unique_ptr<GratuitousSender> sender)
      : sender_(std::move(sender)) {}
  void announce(const std::vector<config::VirtualAddress>& vips, const std::string& defaultDev,
                GratuitousReason reason) override;

 private:
  std::unique_ptr<GratuitousSender> sender_;
};

// The real effects: netlink addresses and GARP/NA sockets, each falling back
// to the logging stand-in (with an error logged) when it cannot be opened.
std::unique_ptr<VipInstaller> makeVipInstaller();
std::unique_ptr<VipAnnouncer> makeVipAnnouncer();

}  // namespace vigil::vrrp
