#pragma once

#include <linux/rtnetlink.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/ip_address.h"
#include "core/netlink/address_manager.h"
#include "core/result.h"

namespace vigil::netlink {

// keepalived's route protocol (RTPROT_KEEPALIVED, "keepalived" in iproute2's
// rt_protos): the default for virtual_routes, so that removing one (which
// matches on the protocol) never takes an identical route another daemon
// (systemd-networkd: static) installed, and `ip route show proto keepalived`
// lists them as with keepalived.
inline constexpr uint8_t kRouteProtocolKeepalived = 18;

enum class RouteType {
  Unicast,
  Blackhole,
  Unreachable,
  Prohibit,
  Local,
  Throw,
  Broadcast,
  Anycast,
  Multicast
};

// One route (ip route add [TYPE] DST [via GW] [dev IF] [onlink] [src S]
// [metric M] [table T] [scope SC] [proto P] [tos T] [mtu N ...]).
// Blackhole, unreachable, prohibit and throw routes take no gateway or
// device.
struct RouteSpec {
  IpPrefix destination;
  std::optional<IpAddress> gateway;
  std::optional<InterfaceRef> device;
  std::optional<IpAddress> source;  // preferred source address
  uint32_t metric = 0;
  uint32_t table = RT_TABLE_MAIN;
  uint8_t scope = RT_SCOPE_UNIVERSE;
  RouteType type = RouteType::Unicast;
  uint8_t protocol = kRouteProtocolKeepalived;
  uint8_t tos = 0;
  bool onLink = false;  // RTNH_F_ONLINK: the gateway is on the link without a covering route
  // RTAX_* id and value (mtu, advmss, ...), in the order given; RTAX_LOCK
  // carries the bit mask of the locked ones.
  std::vector<std::pair<int, uint32_t>> metrics;

  // The route as `ip route` writes it (without `proto keepalived`, the
  // default); two specs with the same text are the same route.
  std::string describe() const;
};

// `ip route`'s words for route attributes, both ways (route_names.cpp).
// Unknown names give nullopt; unknown numbers are written as numbers.
std::optional<RouteType> routeTypeNamed(std::string_view name);
std::string_view routeTypeName(RouteType type);
uint8_t routeTypeNumber(RouteType type);                     // RTN_UNICAST, RTN_BLACKHOLE, ...
std::optional<int> routeMetricNamed(std::string_view name);  // RTAX_MTU for "mtu", ...
std::string routeMetricName(int id);
std::optional<uint8_t> routeProtocolNamed(std::string_view name);  // "static", "18", ...
std::string routeProtocolName(uint8_t protocol);
std::optional<uint8_t> routeScopeNamed(std::string_view name);  // "link", "253", ...
std::string routeScopeName(uint8_t scope);

// Adds and removes routes (virtual_routes). An interface so the VRRP runtime
// can be tested with a fake.
class RouteManager {
 public:
  virtual ~RouteManager() = default;
  // Adds the route. IPv4: replaces one with the same destination, table,
  // tos and metric. IPv6 unicast with a gateway: adds it as one more hop of
  // the route there (the kernel merges gateway routes into one multipath
  // route), and succeeds when that hop is there already; other IPv6 routes
  // replace the one there, as IPv4 does.
  virtual Status add(const RouteSpec& route) = 0;
  virtual Status remove(const RouteSpec& route) = 0;
};

}  // namespace vigil::netlink
