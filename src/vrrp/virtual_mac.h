#pragma once

#include <array>
#include <cstdint>

namespace vigil::vrrp {

using MacAddress = std::array<uint8_t, 6>;

// The virtual router MAC address (RFC 5798 §7.3, RFC 3768 §7.3):
// 00-00-5E-00-01-{VRID} for IPv4 and 00-00-5E-00-02-{VRID} for IPv6.
// `family` is AF_INET or AF_INET6.
MacAddress virtualMac(int family, uint8_t vrid);

}  // namespace vigil::vrrp
