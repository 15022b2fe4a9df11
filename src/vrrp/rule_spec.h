#pragma once

#include "config/model_vrrp.h"
#include "core/netlink/rule_manager.h"
#include "core/result.h"
#include "vrrp/route_spec.h"

namespace vigil::vrrp {

// The kernel rule of one virtual_rules / static_rules entry, with `ip
// rule`'s defaults: table main for a lookup (none with l3mdev), the family
// of its addresses (IPv4 unless an address or `inet6` says IPv6), proto
// keepalived. The parser has checked every value; what can still fail is a
// table name `tables` does not know, an error naming it.
Result<netlink::RuleSpec> ruleSpecFor(const config::VirtualRule& rule,
                                      const RouteTableLookup& tables = systemRouteTable);

}  // namespace vigil::vrrp
