#pragma once

#include "core/ip_address.h"

namespace vigil {

// `address` with every bit past the first `prefixLength` set (`ones`: the
// last address of the prefix, an IPv4 broadcast) or cleared (its network
// address, as the kernel keeps a route's destination). Beside IpAddress
// rather than in ip_address.h, which nearly every file includes.
IpAddress withHostBits(const IpAddress& address, unsigned prefixLength, bool ones);

}  // namespace vigil
