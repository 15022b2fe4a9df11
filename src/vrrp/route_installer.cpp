#include "vrrp/route_installer.h"

namespace vigil::vrrp {
namespace {

std::pair<IpPrefix, std::string> key(const config::VirtualAddress& vip,
                                     const std::string& defaultDev) {
  return {vip.prefix, vip.dev.empty() ? defaultDev : vip.dev};
}

std::string ownerName(const config::VrrpInstance& instance) {
  return "VRRP_Instance(" + instance.name + ")";
}

}  // namespace

VipRouteInstaller::VipRouteInstaller(VipInstaller& addresses, netlink::RouteManager* routes,
                                     netlink::RuleManager* rules,
                                     const config::VrrpInstance& instance)
    : addresses_(addresses), entries_(routes, rules, ownerName(instance)) {
  entries_.configure(instance.routes, instance.rules, ownerName(instance));
}

void VipRouteInstaller::add(const std::vector<config::VirtualAddress>& vips,
                            const std::string& defaultDev, std::optional<Duration> lifetime) {
  addresses_.add(vips, defaultDev, lifetime);
  reloading_ = false;
  for (const config::VirtualAddress& vip : vips) present_.insert(key(vip, defaultDev));
  entries_.installAll();
}

void VipRouteInstaller::remove(const std::vector<config::VirtualAddress>& vips,
                               const std::string& defaultDev) {
  for (const config::VirtualAddress& vip : vips) present_.erase(key(vip, defaultDev));
  if (present_.empty() && !reloading_) entries_.uninstallAll();
  addresses_.remove(vips, defaultDev);
}

void VipRouteInstaller::reconfigure(const config::VrrpInstance& instance) {
  entries_.configure(instance.routes, instance.rules, ownerName(instance));
  reloading_ = !present_.empty();
}

}  // namespace vigil::vrrp
