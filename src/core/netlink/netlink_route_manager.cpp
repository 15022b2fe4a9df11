#include "core/netlink/netlink_route_manager.h"

#include <linux/netlink.h>
#include <netlink/route/route.h>

#include <cerrno>
#include <memory>

#include "core/netlink/netlink_address_manager.h"

namespace vigil::netlink {

namespace {

struct RouteFree {
  void operator()(rtnl_route* r) const { rtnl_route_put(r); }
};
using RoutePtr = std::unique_ptr<rtnl_route, RouteFree>;

Status addNextHop(rtnl_route* route, const RouteSpec& spec) {
  if (!spec.gateway && !spec.device) {
    return {};
  }
  rtnl_nexthop* nh = rtnl_route_nh_alloc();
  if (nh == nullptr) {
    return Error{ENOMEM, "route " + spec.describe()};
  }
  if (spec.device) {
    auto ifindex = resolve(*spec.device);
    if (!ifindex) {
      rtnl_route_nh_free(nh);
      return Error{ifindex.error().code, "route " + spec.describe() + ": no such device"};
    }
    rtnl_route_nh_set_ifindex(nh, *ifindex);
  }
  if (spec.gateway) {
    NlAddrPtr gw = toNlAddr(*spec.gateway, spec.gateway->maxPrefix());
    rtnl_route_nh_set_gateway(nh, gw.get());
  }
  if (spec.onLink) {
    rtnl_route_nh_set_flags(nh, RTNH_F_ONLINK);
  }
  rtnl_route_add_nexthop(route, nh);  // the route owns nh from here
  return {};
}

Result<RoutePtr> buildRoute(const RouteSpec& spec) {
  RoutePtr route(rtnl_route_alloc());
  NlAddrPtr dst = toNlAddr(spec.destination.address, spec.destination.length);
  if (!route || !dst) {
    return Error{ENOMEM, "route " + spec.describe()};
  }
  rtnl_route_set_family(route.get(), static_cast<uint8_t>(spec.destination.address.family()));
  if (int rc = rtnl_route_set_dst(route.get(), dst.get()); rc < 0) {
    return nlError(rc, "route " + spec.describe());
  }
  rtnl_route_set_table(route.get(), spec.table);
  rtnl_route_set_scope(route.get(), spec.scope);
  rtnl_route_set_type(route.get(), routeTypeNumber(spec.type));
  rtnl_route_set_protocol(route.get(), spec.protocol);
  rtnl_route_set_priority(route.get(), spec.metric);
  rtnl_route_set_tos(route.get(), spec.tos);
  for (const auto& [id, value] : spec.metrics) {
    if (int rc = rtnl_route_set_metric(route.get(), id, value); rc < 0) {
      return nlError(rc, "route " + spec.describe());
    }
  }
  if (spec.source) {
    NlAddrPtr src = toNlAddr(*spec.source, spec.source->maxPrefix());
    if (int rc = rtnl_route_set_pref_src(route.get(), src.get()); rc < 0) {
      return nlError(rc, "route " + spec.describe());
    }
  }
  if (Status st = addNextHop(route.get(), spec); !st) {
    return st.error();
  }
  return route;
}

}  // namespace

Result<NetlinkRouteManager> NetlinkRouteManager::create() {
  auto sock = NlSocket::connectRoute();
  if (!sock) {
    return sock.error();
  }
  return NetlinkRouteManager(std::move(*sock));
}

Status NetlinkRouteManager::add(const RouteSpec& spec) {
  auto route = buildRoute(spec);
  if (!route) {
    return route.error();
  }
  // IPv4 keeps routes that differ only in their next hop apart, and
  // replaces the one at this destination, table, tos and metric. IPv6
  // merges them into one multipath route, whose replacement would drop the
  // other hops (another virtual route's among them, silently: no deletion
  // is announced): a hop is appended there instead, and one already in
  // place (EEXIST) is this route. Only unicast routes with a gateway merge:
  // a device-only or blackhole/unreachable/prohibit/throw IPv6 route added
  // without replace would sit beside the one there, which could keep the
  // traffic, so those still replace it.
  const bool merges =
      spec.destination.address.isV6() && spec.gateway && spec.type == RouteType::Unicast;
  const int flags = merges ? NLM_F_APPEND : NLM_F_REPLACE;  // libnl adds NLM_F_CREATE
  if (int rc = rtnl_route_add(sock_.get(), route->get(), flags); rc < 0) {
    Error error = nlError(rc, "adding route " + spec.describe());
    if (merges && error.code == EEXIST) return {};
    return error;
  }
  return {};
}

Status NetlinkRouteManager::remove(const RouteSpec& spec) {
  auto route = buildRoute(spec);
  if (!route) {
    return route.error();
  }
  if (int rc = rtnl_route_delete(sock_.get(), route->get(), 0); rc < 0) {
    return nlError(rc, "removing route " + spec.describe());
  }
  return {};
}

}  // namespace vigil::netlink
