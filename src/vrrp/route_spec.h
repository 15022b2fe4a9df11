#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>

#include "config/model_vrrp.h"
#include "core/netlink/route_manager.h"
#include "core/result.h"

namespace vigil::vrrp {

// A routing table's id by name, for `table NAME` beyond main, local and
// default (iproute2's rt_tables).
using RouteTableLookup = std::function<std::optional<uint32_t>(std::string_view name)>;

// A table's id: empty or main, local, default, a number (decimal or 0x), or
// a name `tables` knows.
std::optional<uint32_t> routeTableId(std::string_view name, const RouteTableLookup& tables);

// The ids of the table names iproute2 reads (config::systemRouteNames:
// rt_tables and rt_tables.d), read at each call, so a name the load
// accepted and the files have lost since is an error of the install.
std::optional<uint32_t> systemRouteTable(std::string_view name);

// The kernel route of one virtual_routes / static_routes entry, with
// `ip route`'s defaults: scope link for a unicast route with no gateway,
// host for local, link for broadcast/anycast/multicast, global otherwise;
// table main; proto static. The kept-as-written options vigil applies are
// onlink, tos/dsfield, the numeric metrics (mtu, advmss, hoplimit, window,
// cwnd, ssthresh, reordering, initcwnd, initrwnd, quickack,
// fastopen_no_cookie, each optionally `lock`ed) and `features ecn`; any
// other (nexthop and `or` multipath, realms, rtt, pref, encap, ...) is an
// error naming it, so the route is refused rather than installed without it.
Result<netlink::RouteSpec> routeSpecFor(const config::VirtualRoute& route,
                                        const RouteTableLookup& tables = systemRouteTable);

}  // namespace vigil::vrrp
