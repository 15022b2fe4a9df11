#pragma once

#include "config/model_global.h"
#include "config/model_vrrp.h"
#include "core/ip_address.h"
#include "vrrp/instance_params.h"

namespace vigil::vrrp {

// The state machine's view of a validated vrrp_instance. `primaryAddress`
// is the advert source: mcast_src_ip/unicast_src_ip, else the interface's
// primary IPv4 address or its IPv6 link-local address (found by the caller).
// Only VIPs of the instance's family are advertised, as keepalived does.
// `defaults` gives the global vrrp_garp_interval / vrrp_gna_interval.
InstanceParams paramsFor(const config::VrrpInstance& instance, const IpAddress& primaryAddress,
                         const config::VrrpGlobalDefaults& defaults = {});

}  // namespace vigil::vrrp
