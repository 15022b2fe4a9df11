#pragma once

#include <functional>
#include <memory>

#include "core/event_loop.h"
#include "core/netlink/address_manager.h"
#include "core/netlink/deletion_monitor.h"
#include "core/netlink/link_monitor.h"
#include "core/netlink/route_manager.h"
#include "core/netlink/rule_manager.h"
#include "vrrp/garp_sender.h"
#include "vrrp/runtime_io.h"

namespace vigil::vrrp {

// The address to install for `vip` (on defaultDev unless it names its own
// `dev`), with its broadcast (`brd ADDR`, or computed for `brd +` / `brd -`),
// scope, label and lifetimes as NetlinkVipInstaller says.
netlink::AddressSpec vipAddressSpec(const config::VirtualAddress& vip,
                                    const std::string& defaultDev,
                                    std::optional<Duration> lifetime);

// VIPs through the netlink AddressManager. A lifetime becomes valid_lft and
// preferred_lft in whole seconds (rounded up, at least 1); add() replaces
// an existing address, which restarts its lifetimes. An address entry's own
// preferred_lft overrides the lifetime. Failures are logged (rate-limited
// by the caller's refresh cadence), never fatal.
//
// With `links`, a device's index comes from the link monitor's table, which
// the link events the worker receives keep current: a Master's lifetime
// refresh then costs one netlink request per VIP, not also the socket,
// ioctl and close of if_nametoindex. A name the table lacks (a VMAC created
// a moment ago) is left to the kernel to resolve, and an index the kernel
// refuses as gone (ENODEV: the device was re-created and the event is not
// read yet) is retried once by name.
class NetlinkVipInstaller final : public VipInstaller {
 public:
  explicit NetlinkVipInstaller(std::unique_ptr<netlink::AddressManager> addresses,
                               const netlink::LinkMonitor* links = nullptr)
      : addresses_(std::move(addresses)), links_(links) {}
  void add(const std::vector<config::VirtualAddress>& vips, const std::string& defaultDev,
           std::optional<Duration> lifetime) override;
  void remove(const std::vector<config::VirtualAddress>& vips,
              const std::string& defaultDev) override;

 private:
  // Applies `change` with the known index, and again by name if the kernel
  // says that index is gone.
  Status onDevice(netlink::AddressSpec spec,
                  const std::function<Status(const netlink::AddressSpec&)>& change);

  std::unique_ptr<netlink::AddressManager> addresses_;
  const netlink::LinkMonitor* links_;  // may be null; outlives this installer's use
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
// `links` (may be null) as NetlinkVipInstaller says.
std::unique_ptr<VipInstaller> makeVipInstaller(const netlink::LinkMonitor* links = nullptr);
std::unique_ptr<VipAnnouncer> makeVipAnnouncer();
// virtual_routes through rtnetlink; null (with an error logged) when the
// socket cannot be opened.
std::unique_ptr<netlink::RouteManager> makeRouteManager();
// virtual_rules and static_rules likewise.
std::unique_ptr<netlink::RuleManager> makeRuleManager();
// static_ipaddress likewise.
std::unique_ptr<netlink::AddressManager> makeAddressManager();
// Deletions of addresses, routes and rules, for the static ones; null (with
// an error logged) when the socket cannot be opened.
std::unique_ptr<netlink::DeletionMonitor> makeDeletionMonitor(EventLoop& loop);

}  // namespace vigil::vrrp
