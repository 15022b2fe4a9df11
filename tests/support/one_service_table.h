#pragma once

#include <cstdint>

#include "core/ip_address.h"
#include "ipvs/model.h"

// The smallest IPVS table a stats test needs: one TCP service with one
// real server, shared by the StatsPoller tests.
namespace vigil::test {

// TCP 10.0.0.1:80.
inline ipvs::ServiceKey web() {
  return ipvs::ServiceKey::forAddress(ipvs::Protocol::Tcp, *IpAddress::parse("10.0.0.1"), 80);
}

// 10.0.0.2:80, web()'s only real server.
inline ipvs::DestinationKey backend() { return {*IpAddress::parse("10.0.0.2"), 80}; }

// web() with backend() at `weight`.
inline ipvs::IpvsState table(uint32_t weight) {
  ipvs::IpvsState state;
  ipvs::Destination dest;
  dest.weight = weight;
  state.services[web()].destinations[backend()] = dest;
  return state;
}

}  // namespace vigil::test
