#include <linux/rtnetlink.h>

#include <array>
#include <charconv>
#include <utility>

#include "core/netlink/route_manager.h"

namespace vigil::netlink {
namespace {

template <typename T>
struct Named {
  std::string_view name;
  T value;
};

constexpr std::array<Named<RouteType>, 9> kTypes{{
    {"unicast", RouteType::Unicast},
    {"blackhole", RouteType::Blackhole},
    {"unreachable", RouteType::Unreachable},
    {"prohibit", RouteType::Prohibit},
    {"local", RouteType::Local},
    {"throw", RouteType::Throw},
    {"broadcast", RouteType::Broadcast},
    {"anycast", RouteType::Anycast},
    {"multicast", RouteType::Multicast},
}};

// The route metrics of <linux/rtnetlink.h> that `ip route` writes as a plain
// number (rtt, rttvar and rto_min take times, scaled: not here).
constexpr std::array<Named<int>, 12> kMetrics{{
    {"mtu", RTAX_MTU},
    {"window", RTAX_WINDOW},
    {"ssthresh", RTAX_SSTHRESH},
    {"cwnd", RTAX_CWND},
    {"advmss", RTAX_ADVMSS},
    {"reordering", RTAX_REORDERING},
    {"hoplimit", RTAX_HOPLIMIT},
    {"initcwnd", RTAX_INITCWND},
    {"initrwnd", RTAX_INITRWND},
    {"quickack", RTAX_QUICKACK},
    {"fastopen_no_cookie", RTAX_FASTOPEN_NO_COOKIE},
    {"features", RTAX_FEATURES},
}};

// The RTPROT_* values of <linux/rtnetlink.h> and their iproute2 names.
constexpr std::array<Named<uint8_t>, 19> kProtocols{{
    {"redirect", RTPROT_REDIRECT},
    {"kernel", RTPROT_KERNEL},
    {"boot", RTPROT_BOOT},
    {"static", RTPROT_STATIC},
    {"gated", 8},
    {"ra", 9},
    {"mrt", 10},
    {"zebra", 11},
    {"bird", 12},
    {"dnrouted", 13},
    {"xorp", 14},
    {"ntk", 15},
    {"dhcp", 16},
    {"keepalived", 18},
    {"babel", 42},
    {"bgp", 186},
    {"isis", 187},
    {"ospf", 188},
    {"rip", 189},
}};

constexpr std::array<Named<uint8_t>, 6> kScopes{{
    {"global", RT_SCOPE_UNIVERSE},
    {"universe", RT_SCOPE_UNIVERSE},
    {"site", RT_SCOPE_SITE},
    {"link", RT_SCOPE_LINK},
    {"host", RT_SCOPE_HOST},
    {"nowhere", RT_SCOPE_NOWHERE},
}};

template <typename T, size_t N>
std::optional<T> byName(const std::array<Named<T>, N>& table, std::string_view name) {
  for (const Named<T>& entry : table) {
    if (entry.name == name) return entry.value;
  }
  return std::nullopt;
}

template <typename T, size_t N>
std::string byValue(const std::array<Named<T>, N>& table, T value) {
  for (const Named<T>& entry : table) {
    if (entry.value == value) return std::string(entry.name);
  }
  return std::to_string(value);
}

// A name from `table`, or a number 0-255.
template <size_t N>
std::optional<uint8_t> byteNamed(const std::array<Named<uint8_t>, N>& table,
                                 std::string_view name) {
  if (auto known = byName(table, name)) return known;
  unsigned value = 0;
  auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), value);
  if (ec != std::errc{} || end != name.data() + name.size() || name.empty() || value > 255) {
    return std::nullopt;
  }
  return static_cast<uint8_t>(value);
}

}  // namespace

std::optional<RouteType> routeTypeNamed(std::string_view name) { return byName(kTypes, name); }

std::string_view routeTypeName(RouteType type) {
  for (const Named<RouteType>& entry : kTypes) {
    if (entry.value == type) return entry.name;
  }
  return "unicast";
}

uint8_t routeTypeNumber(RouteType type) {
  switch (type) {
    case RouteType::Blackhole:
      return RTN_BLACKHOLE;
    case RouteType::Unreachable:
      return RTN_UNREACHABLE;
    case RouteType::Prohibit:
      return RTN_PROHIBIT;
    case RouteType::Local:
      return RTN_LOCAL;
    case RouteType::Throw:
      return RTN_THROW;
    case RouteType::Broadcast:
      return RTN_BROADCAST;
    case RouteType::Anycast:
      return RTN_ANYCAST;
    case RouteType::Multicast:
      return RTN_MULTICAST;
    case RouteType::Unicast:
      break;
  }
  return RTN_UNICAST;
}

std::optional<int> routeMetricNamed(std::string_view name) { return byName(kMetrics, name); }

std::string routeMetricName(int id) { return id == RTAX_LOCK ? "lock" : byValue(kMetrics, id); }

std::optional<uint8_t> routeProtocolNamed(std::string_view name) {
  return byteNamed(kProtocols, name);
}

std::string routeProtocolName(uint8_t protocol) { return byValue(kProtocols, protocol); }

std::optional<uint8_t> routeScopeNamed(std::string_view name) { return byteNamed(kScopes, name); }

std::string routeScopeName(uint8_t scope) { return byValue(kScopes, scope); }

std::string RouteSpec::describe() const {
  std::string out;
  if (type != RouteType::Unicast) {
    out += std::string(routeTypeName(type)) + " ";
  }
  out += destination.toString();
  if (gateway) out += " via " + gateway->toString();
  if (device) out += " dev " + device->describe();
  if (onLink) out += " onlink";
  if (source) out += " src " + source->toString();
  if (table != RT_TABLE_MAIN) out += " table " + std::to_string(table);
  if (metric != 0) out += " metric " + std::to_string(metric);
  if (scope != RT_SCOPE_UNIVERSE) out += " scope " + routeScopeName(scope);
  if (protocol != kRouteProtocolKeepalived) out += " proto " + routeProtocolName(protocol);
  if (tos != 0) out += " tos " + std::to_string(tos);
  for (const auto& [id, value] : metrics) {
    out += " " + routeMetricName(id) + " " + std::to_string(value);
  }
  return out;
}

}  // namespace vigil::netlink
