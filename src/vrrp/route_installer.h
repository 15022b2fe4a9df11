#pragma once

#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "config/model_vrrp.h"
#include "core/ip_address.h"
#include "core/netlink/route_manager.h"
#include "core/netlink/rule_manager.h"
#include "vrrp/routing_entries.h"
#include "vrrp/runtime_io.h"

namespace vigil::vrrp {

// One instance's VipInstaller: its addresses go through the worker's shared
// installer, and its virtual_routes and virtual_rules follow them. They are
// added after the first add() of the instance's addresses (becoming MASTER;
// the addresses first, so a route with `src VIP` or a gateway on the VIP's
// subnet is accepted; rules after routes) and removed before the addresses
// when a remove() leaves none of them installed (BACKUP, FAULT, stop; also
// at start-up, which clears what a killed run left behind). A refresh
// (add() again) retries only the entries that failed. Nothing here stops a
// VIP move: see RoutingEntries. The worker adds back an entry deleted behind
// the MASTER's back (routing()).
class VipRouteInstaller final : public VipInstaller {
 public:
  // `routes` / `rules` null: those are only logged (a worker without
  // netlink).
  VipRouteInstaller(VipInstaller& addresses, netlink::RouteManager* routes,
                    netlink::RuleManager* rules, const config::VrrpInstance& instance);

  void add(const std::vector<config::VirtualAddress>& vips, const std::string& defaultDev,
           std::optional<Duration> lifetime) override;
  void remove(const std::vector<config::VirtualAddress>& vips,
              const std::string& defaultDev) override;

  // A reload's routes and rules for the same instance, called before the
  // runtime's reload (a remove() of the dropped addresses, then the re-add).
  // While the addresses are installed, entries no longer configured are
  // removed at once and new ones wait for that add(); unchanged entries are
  // not touched, even when the reload replaces every address.
  void reconfigure(const config::VrrpInstance& instance);

  // The routes and rules, for the worker: what failed to go in and what was
  // restored (for its snapshot), and what it adds back when the kernel
  // reports one deleted or lost the report (only installed entries, so only
  // while the instance holds its addresses: a MASTER's).
  RoutingEntries& routing() { return entries_; }
  const RoutingEntries& routing() const { return entries_; }

 private:
  VipInstaller& addresses_;
  RoutingEntries entries_;
  // The addresses added and not removed since, by prefix and device: the
  // routes and rules go when this empties.
  std::set<std::pair<IpPrefix, std::string>> present_;
  // Between a reconfigure() of an instance holding addresses and the re-add:
  // a remove() that empties present_ drops replaced addresses, not the role.
  bool reloading_ = false;
};

}  // namespace vigil::vrrp
