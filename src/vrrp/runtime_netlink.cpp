#include "vrrp/runtime_netlink.h"

#include <net/if.h>

#include <cerrno>
#include <optional>

#include "core/host_bits.h"
#include "core/log.h"
#include "core/netlink/netlink_address_manager.h"
#include "core/netlink/netlink_deletion_monitor.h"
#include "core/netlink/netlink_route_manager.h"
#include "core/netlink/netlink_rule_manager.h"

namespace vigil::vrrp {
namespace {

uint8_t scopeFor(const std::string& scope) {
  if (scope == "host") return RT_SCOPE_HOST;
  if (scope == "link") return RT_SCOPE_LINK;
  if (scope == "site") return RT_SCOPE_SITE;
  if (scope == "nowhere") return RT_SCOPE_NOWHERE;
  return RT_SCOPE_UNIVERSE;
}

uint32_t seconds(Duration lifetime) {
  const auto s = std::chrono::ceil<std::chrono::seconds>(lifetime).count();
  return s < 1 ? 1u : static_cast<uint32_t>(s);
}

// `brd +` sets the host bits of the address, `brd -` clears them (as
// `ip addr` does). A /31 or /32 has no broadcast address (RFC 3021).
std::optional<IpAddress> broadcastFor(const config::VirtualAddress& vip) {
  using Broadcast = config::VirtualAddress::Broadcast;
  const IpPrefix& prefix = vip.prefix;
  if (vip.broadcastMode == Broadcast::Address) return vip.broadcast;
  if (vip.broadcastMode == Broadcast::None || !prefix.address.isV4() || prefix.length >= 31) {
    return std::nullopt;
  }
  return withHostBits(prefix.address, prefix.length, vip.broadcastMode == Broadcast::SetHostBits);
}

}  // namespace

netlink::AddressSpec vipAddressSpec(const config::VirtualAddress& vip,
                                    const std::string& defaultDev,
                                    std::optional<Duration> lifetime) {
  netlink::AddressSpec spec;
  spec.interface.name = vip.dev.empty() ? defaultDev : vip.dev;
  spec.address = vip.prefix;
  spec.broadcast = broadcastFor(vip);
  spec.scope = scopeFor(vip.scope);
  spec.label = vip.label;
  spec.noDad = vip.noDad || vip.prefix.address.isV6();
  if (lifetime) {
    spec.validLifetime = seconds(*lifetime);
    spec.preferredLifetime = spec.validLifetime;
  }
  if (vip.preferredLft && *vip.preferredLft <= spec.validLifetime) {
    spec.preferredLifetime = *vip.preferredLft;
  }
  return spec;
}

Status NetlinkVipInstaller::onDevice(
    netlink::AddressSpec spec, const std::function<Status(const netlink::AddressSpec&)>& change) {
  spec.interface.index = links_ != nullptr ? links_->knownIndex(spec.interface.name) : 0;
  Status done = change(spec);
  if (!done && done.error().code == ENODEV && spec.interface.index != 0) {
    spec.interface.index = 0;
    done = change(spec);
  }
  return done;
}

void NetlinkVipInstaller::add(const std::vector<config::VirtualAddress>& vips,
                              const std::string& defaultDev, std::optional<Duration> lifetime) {
  auto addSpec = [this](const netlink::AddressSpec& spec) { return addresses_->add(spec); };
  for (const config::VirtualAddress& vip : vips) {
    Status added = onDevice(vipAddressSpec(vip, defaultDev, lifetime), addSpec);
    if (!added) {
      log(LogLevel::Error, "cannot add VIP {}: {}", vip.prefix.toString(),
          added.error().describe());
    }
  }
}

void NetlinkVipInstaller::remove(const std::vector<config::VirtualAddress>& vips,
                                 const std::string& defaultDev) {
  auto removeSpec = [this](const netlink::AddressSpec& spec) { return addresses_->remove(spec); };
  for (const config::VirtualAddress& vip : vips) {
    Status removed = onDevice(vipAddressSpec(vip, defaultDev, std::nullopt), removeSpec);
    const int code = removed ? 0 : removed.error().code;
    if (!removed && code != ENOENT && code != EADDRNOTAVAIL && code != ENODEV) {
      log(LogLevel::Error, "cannot remove VIP {}: {}", vip.prefix.toString(),
          removed.error().describe());
    }
  }
}

void SocketVipAnnouncer::announce(const std::vector<config::VirtualAddress>& vips,
                                  const std::string& defaultDev, GratuitousReason) {
  // The VIPs of one instance nearly always share a device: resolve its index
  // and MAC once per round, not per VIP (each lookup is several syscalls,
  // all spent at the moment of a takeover).
  const std::string* resolvedDev = nullptr;
  int ifindex = 0;
  std::optional<MacAddress> mac;
  for (const config::VirtualAddress& vip : vips) {
    const std::string& dev = vip.dev.empty() ? defaultDev : vip.dev;
    if (resolvedDev == nullptr || *resolvedDev != dev) {
      resolvedDev = &dev;
      ifindex = static_cast<int>(::if_nametoindex(dev.c_str()));
      mac.reset();
      if (ifindex != 0) {
        if (auto found = interfaceMac(ifindex)) mac = *found;
      }
    }
    if (!mac) continue;
    const IpAddress& address = vip.prefix.address;
    Status sent = address.isV4() ? sender_->sendArp(ifindex, *mac, address)
                                 : sender_->sendNa(ifindex, *mac, address);
    if (!sent) {
      log(LogLevel::Warning, "gratuitous ARP/NA for {} on {}: {}", address.toString(), dev,
          sent.error().describe());
    }
  }
}

std::unique_ptr<VipInstaller> makeVipInstaller(const netlink::LinkMonitor* links) {
  auto manager = netlink::NetlinkAddressManager::create();
  if (!manager) {
    log(LogLevel::Error, "VIPs will not be installed: {}", manager.error().describe());
    return std::make_unique<LoggingVipInstaller>();
  }
  return std::make_unique<NetlinkVipInstaller>(
      std::make_unique<netlink::NetlinkAddressManager>(std::move(*manager)), links);
}

std::unique_ptr<netlink::RouteManager> makeRouteManager() {
  auto manager = netlink::NetlinkRouteManager::create();
  if (!manager) {
    log(LogLevel::Error, "virtual_routes will not be installed: {}", manager.error().describe());
    return nullptr;
  }
  return std::make_unique<netlink::NetlinkRouteManager>(std::move(*manager));
}

std::unique_ptr<netlink::RuleManager> makeRuleManager() {
  auto manager = netlink::NetlinkRuleManager::create();
  if (!manager) {
    log(LogLevel::Error, "virtual_rules and static_rules will not be installed: {}",
        manager.error().describe());
    return nullptr;
  }
  return std::make_unique<netlink::NetlinkRuleManager>(std::move(*manager));
}

std::unique_ptr<netlink::AddressManager> makeAddressManager() {
  auto manager = netlink::NetlinkAddressManager::create();
  if (!manager) {
    log(LogLevel::Error, "static_ipaddress will not be installed: {}", manager.error().describe());
    return nullptr;
  }
  return std::make_unique<netlink::NetlinkAddressManager>(std::move(*manager));
}

std::unique_ptr<netlink::DeletionMonitor> makeDeletionMonitor(EventLoop& loop) {
  auto monitor = netlink::NetlinkDeletionMonitor::start(loop);
  if (!monitor) {
    log(LogLevel::Error, "deleted static addresses, routes and rules will not be restored: {}",
        monitor.error().describe());
    return nullptr;
  }
  return std::move(*monitor);
}

std::unique_ptr<VipAnnouncer> makeVipAnnouncer() {
  auto sender = SocketGratuitousSender::create();
  if (!sender) {
    log(LogLevel::Error, "gratuitous ARP/NA will not be sent: {}", sender.error().describe());
    return std::make_unique<LoggingVipAnnouncer>();
  }
  return std::make_unique<SocketVipAnnouncer>(
      std::make_unique<SocketGratuitousSender>(std::move(*sender)));
}

}  // namespace vigil::vrrp
