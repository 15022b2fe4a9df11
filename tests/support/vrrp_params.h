#pragma once

#include <cstdint>

#include "core/ip_address.h"
#include "vrrp/instance_params.h"

// The InstanceParams the state-machine tests step: VRID 51, priority 100,
// 1 s adverts, primary address 10.0.0.2, VIP 10.0.0.100.
namespace vigil::vrrp::test {

inline InstanceParams params(uint8_t version = 3) {
  InstanceParams p;
  p.version = version;
  p.vrid = 51;
  p.priority = 100;
  p.advertInterval = Centiseconds(100);
  p.primaryAddress = *IpAddress::parse("10.0.0.2");
  p.addresses = {*IpAddress::parse("10.0.0.100")};
  return p;
}

}  // namespace vigil::vrrp::test
