#pragma once

#include "config/model_vrrp.h"
#include "core/ip_address.h"
#include "vrrp/instance_params.h"

namespace vigil::vrrp {

// The state machine's view of a validated vrrp_instance. `primaryAddress`
// is the advert source: mcast_src_ip/unicast_src_ip, else the interface's
// primary IPv4 address or its IPv6 link-local address (found by the caller).
// Only VIPs of the instance's family are advertised, as keepalived does.
InstanceParams paramsFor(const config::VrrpInstance& instance, const IpAddress& primaryAddress);

}  // namespace vigil::vrrp
