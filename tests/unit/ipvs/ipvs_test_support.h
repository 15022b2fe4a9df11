#pragma once

#include <string_view>

#include "ipvs/model.h"

// Small builders for IPVS tables in tests: services and destinations by name.
namespace vigil::ipvs::test {

inline IpAddress ip(std::string_view text) { return *IpAddress::parse(text); }

inline ServiceKey tcp(std::string_view address, uint16_t port) {
  return ServiceKey::forAddress(Protocol::Tcp, ip(address), port);
}

inline ServiceKey udp(std::string_view address, uint16_t port) {
  return ServiceKey::forAddress(Protocol::Udp, ip(address), port);
}

inline DestinationKey dest(std::string_view address, uint16_t port) { return {ip(address), port}; }

inline Service scheduler(std::string_view name) {
  Service s;
  s.scheduler = std::string(name);
  return s;
}

inline Destination weighted(uint32_t weight, ForwardingMethod forwarding = ForwardingMethod::Nat) {
  Destination d;
  d.weight = weight;
  d.forwarding = forwarding;
  return d;
}

}  // namespace vigil::ipvs::test
