#pragma once

#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "config/model_vrrp.h"
#include "core/ip_address.h"
#include "core/netlink/route_manager.h"
#include "vrrp/runtime_io.h"

namespace vigil::vrrp {

// One instance's VipInstaller: its addresses go through the worker's shared
// installer, and its virtual_routes follow them. The routes are added after
// the first add() of the instance's addresses (becoming MASTER; the
// addresses first, so a route with `src VIP` or a gateway on the VIP's
// subnet is accepted) and removed before the addresses when a remove()
// leaves none of them installed (BACKUP, FAULT, stop; also at start-up,
// which clears routes a killed run left behind). A refresh (add() again)
// retries only the routes that failed. Nothing here stops a VIP move: a
// route that cannot be built or installed is logged with the instance and
// the route, once per takeover, and the others go on.
class VipRouteInstaller final : public VipInstaller {
 public:
  // `routes` null: the routes are only logged (a worker without netlink).
  VipRouteInstaller(VipInstaller& addresses, netlink::RouteManager* routes,
                    const config::VrrpInstance& instance);

  void add(const std::vector<config::VirtualAddress>& vips, const std::string& defaultDev,
           std::optional<Duration> lifetime) override;
  void remove(const std::vector<config::VirtualAddress>& vips,
              const std::string& defaultDev) override;

  // A reload's routes for the same instance, called before the runtime's
  // reload (a remove() of the dropped addresses, then the re-add). While the
  // addresses are installed, routes no longer configured are removed at once
  // and new ones wait for that add(); unchanged routes are not touched, even
  // when the reload replaces every address.
  void reconfigure(const config::VrrpInstance& instance);

 private:
  enum class RouteState { Absent, Installed, Failed };
  struct Route {
    std::string text;                        // the route as `ip route` writes it, or as configured
    std::optional<netlink::RouteSpec> spec;  // nullopt: cannot be built (logged)
    RouteState state = RouteState::Absent;
  };

  std::vector<Route> build(const config::VrrpInstance& instance) const;
  void install(Route& route);
  void uninstall(Route& route);
  void uninstallAll();

  VipInstaller& addresses_;
  netlink::RouteManager* routes_;
  std::string instance_;
  std::vector<Route> configured_;
  // The addresses added and not removed since, by prefix and device: the
  // routes go when this empties.
  std::set<std::pair<IpPrefix, std::string>> present_;
  // Between a reconfigure() of an instance holding addresses and the re-add:
  // a remove() that empties present_ drops replaced addresses, not the role.
  bool reloading_ = false;
};

}  // namespace vigil::vrrp
