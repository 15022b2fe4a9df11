#include "vrrp/vmac_plan.h"

#include "vrrp/vmac_addr_plan.h"

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
  return vmacLinkLocalOn(interfacesFor(instance, vmacPrefix).adverts, source);
}

std::map<std::string, WantedVmac> wantedVmacs(const config::Config& config) {
  std::map<std::string, WantedVmac> wanted;
  for (const config::VrrpInstance& instance : config.vrrp.instances) {
    if (auto spec = vmacFor(instance, config.global.vrrp.vmacPrefix)) {
      const std::string name = spec->name;
      wanted.try_emplace(name, WantedVmac{std::move(*spec), instance.interface, instance.family});
    }
    for (AddressVmac& vmac : addressVmacs(instance, config.global.vrrp)) {
      const std::string name = vmac.spec.name;
      const bool linkLocal = vmac.family == AF_INET6;
      wanted.try_emplace(name, WantedVmac{std::move(vmac.spec), vmac.base, vmac.family, linkLocal});
    }
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
