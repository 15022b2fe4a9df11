#include "vrrp/route_installer.h"

#include <algorithm>
#include <cerrno>

#include "core/log.h"
#include "vrrp/route_spec.h"

namespace vigil::vrrp {
namespace {

std::pair<IpPrefix, std::string> key(const config::VirtualAddress& vip,
                                     const std::string& defaultDev) {
  return {vip.prefix, vip.dev.empty() ? defaultDev : vip.dev};
}

}  // namespace

VipRouteInstaller::VipRouteInstaller(VipInstaller& addresses, netlink::RouteManager* routes,
                                     const config::VrrpInstance& instance)
    : addresses_(addresses),
      routes_(routes),
      instance_(instance.name),
      configured_(build(instance)) {}

std::vector<VipRouteInstaller::Route> VipRouteInstaller::build(
    const config::VrrpInstance& instance) const {
  std::vector<Route> out;
  for (const config::VirtualRoute& route : instance.routes) {
    Result<netlink::RouteSpec> spec = routeSpecFor(route);
    if (!spec) {
      log(LogLevel::Error, "VRRP_Instance({}) will not install route {}: {}", instance.name,
          route.to.toString(), spec.error().describe());
      out.push_back({route.to.toString(), std::nullopt});
      continue;
    }
    out.push_back({spec->describe(), *spec});
  }
  return out;
}

void VipRouteInstaller::add(const std::vector<config::VirtualAddress>& vips,
                            const std::string& defaultDev, std::optional<Duration> lifetime) {
  addresses_.add(vips, defaultDev, lifetime);
  reloading_ = false;
  for (const config::VirtualAddress& vip : vips) present_.insert(key(vip, defaultDev));
  for (Route& route : configured_) {
    if (route.state != RouteState::Installed) install(route);
  }
}

void VipRouteInstaller::remove(const std::vector<config::VirtualAddress>& vips,
                               const std::string& defaultDev) {
  for (const config::VirtualAddress& vip : vips) present_.erase(key(vip, defaultDev));
  if (present_.empty() && !reloading_) uninstallAll();
  addresses_.remove(vips, defaultDev);
}

void VipRouteInstaller::reconfigure(const config::VrrpInstance& instance) {
  std::vector<Route> next = build(instance);
  for (Route& old : configured_) {
    auto same = std::find_if(next.begin(), next.end(), [&](const Route& r) {
      return r.spec && old.spec && r.text == old.text;
    });
    if (same != next.end()) {
      same->state = old.state;
    } else if (old.state != RouteState::Absent) {
      uninstall(old);
    }
  }
  instance_ = instance.name;
  configured_ = std::move(next);
  reloading_ = !present_.empty();
}

void VipRouteInstaller::install(Route& route) {
  if (!route.spec) return;
  if (routes_ == nullptr) {
    log(LogLevel::Info, "VRRP_Instance({}) would add route {}", instance_, route.text);
    route.state = RouteState::Installed;
    return;
  }
  Status added = routes_->add(*route.spec);
  if (added) {
    if (route.state == RouteState::Failed) {
      log(LogLevel::Notice, "VRRP_Instance({}) added route {} after all", instance_, route.text);
    }
    route.state = RouteState::Installed;
    return;
  }
  if (route.state != RouteState::Failed) {
    log(LogLevel::Error, "VRRP_Instance({}) cannot add route {}: {}", instance_, route.text,
        added.error().describe());
  }
  route.state = RouteState::Failed;
}

void VipRouteInstaller::uninstall(Route& route) {
  const RouteState was = route.state;
  route.state = RouteState::Absent;
  if (!route.spec) return;
  if (routes_ == nullptr) {
    if (was == RouteState::Installed)
      log(LogLevel::Info, "VRRP_Instance({}) would remove route {}", instance_, route.text);
    return;
  }
  // Not there is the common case: a BACKUP's routes at start-up, or one the
  // kernel dropped with the address it used as `src`.
  Status removed = routes_->remove(*route.spec);
  const int code = removed ? 0 : removed.error().code;
  if (!removed && code != ENOENT && code != ESRCH && code != ENODEV) {
    log(LogLevel::Error, "VRRP_Instance({}) cannot remove route {}: {}", instance_, route.text,
        removed.error().describe());
  }
}

void VipRouteInstaller::uninstallAll() {
  for (Route& route : configured_) uninstall(route);
}

}  // namespace vigil::vrrp
