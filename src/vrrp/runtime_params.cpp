#include "vrrp/runtime_params.h"

#include <chrono>

#include "vrrp/vmac_plan.h"

namespace vigil::vrrp {
namespace {

AuthType authTypeFor(config::VrrpAuthType type) {
  switch (type) {
    case config::VrrpAuthType::Pass:
      return AuthType::Pass;
    case config::VrrpAuthType::Ah:
      return AuthType::Ah;
    case config::VrrpAuthType::None:
      break;
  }
  return AuthType::None;
}

}  // namespace

InstanceParams paramsFor(const config::VrrpInstance& instance, const IpAddress& primaryAddress,
                         const config::VrrpGlobalDefaults& defaults) {
  InstanceParams p;
  p.version = static_cast<uint8_t>(instance.version);
  p.vrid = instance.vrid;
  p.priority = instance.priority;
  p.advertInterval = std::chrono::duration_cast<Centiseconds>(instance.advertInterval);
  p.preempt = instance.preempt;
  p.preemptDelay = instance.preemptDelay;
  p.accept = instance.accept;
  p.lowerPrioNoAdvert = instance.lowerPrioNoAdvert;
  p.higherPrioSendAdvert = instance.higherPrioSendAdvert;
  p.downTimerAdverts = instance.downTimerAdverts;
  p.primaryAddress = primaryAddress;
  p.vipDevice = interfacesFor(instance, defaults.vmacPrefix).vips;
  p.useVmac = instance.useVmac;
  p.gratuitousInterval = instance.family == AF_INET6 ? defaults.gnaInterval : defaults.garpInterval;
  if (p.version == 2) {
    p.authType = authTypeFor(instance.auth.type);
    if (p.authType != AuthType::None) p.authData = authDataFromPassword(instance.auth.password);
  }
  for (const config::VirtualAddress& vip : instance.vips) {
    if (vip.prefix.address.family() == instance.family) p.addresses.push_back(vip.prefix.address);
  }
  return p;
}

}  // namespace vigil::vrrp
