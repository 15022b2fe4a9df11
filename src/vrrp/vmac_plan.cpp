#include "vrrp/vmac_plan.h"

namespace vigil::vrrp {

InstanceInterfaces interfacesFor(const config::VrrpInstance& instance,
                                 const std::string& vmacPrefix) {
  auto vmac = vmacFor(instance, vmacPrefix);
  if (!vmac) return {instance.interface, instance.interface};
  return {instance.vmacXmitBase ? instance.interface : vmac->name, vmac->name};
}

std::optional<config::VirtualAddress> vmacLinkLocal(const config::VrrpInstance& instance,
                                                    const std::string& vmacPrefix,
                                                    const IpAddress& source) {
  if (instance.family != AF_INET6 || !instance.useVmac || instance.vmacXmitBase || !source.isV6() ||
      !source.isLinkLocal()) {
    return std::nullopt;
  }
  config::VirtualAddress address;
  address.prefix = IpPrefix{source, 64};
  address.dev = interfacesFor(instance, vmacPrefix).adverts;
  address.scope = "link";
  address.noDad = true;
  return address;
}

std::map<std::string, WantedVmac> wantedVmacs(const config::Config& config) {
  std::map<std::string, WantedVmac> wanted;
  for (const config::VrrpInstance& instance : config.vrrp.instances) {
    auto spec = vmacFor(instance, config.global.vrrp.vmacPrefix);
    if (!spec) continue;
    const std::string name = spec->name;
    wanted.try_emplace(name, WantedVmac{std::move(*spec), instance.interface, instance.family});
  }
  return wanted;
}

VmacPlan planVmacs(const std::map<std::string, WantedVmac>& existing,
                   const std::map<std::string, WantedVmac>& wanted) {
  VmacPlan plan;
  for (const auto& [name, vmac] : existing) {
    auto w = wanted.find(name);
    if (w != wanted.end() && w->second == vmac) {
      plan.keep.push_back(name);
    } else {
      plan.remove.push_back(name);
    }
  }
  for (const auto& [name, vmac] : wanted) {
    auto e = existing.find(name);
    if (e == existing.end() || !(e->second == vmac)) plan.create.push_back(name);
  }
  return plan;
}

}  // namespace vigil::vrrp
