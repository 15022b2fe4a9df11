#pragma once

#include <linux/rtnetlink.h>

#include <cstdint>
#include <optional>

#include "core/ip_address.h"
#include "core/netlink/address_manager.h"
#include "core/result.h"

namespace vigil::netlink {

enum class RouteType { Unicast, Blackhole, Unreachable, Prohibit, Local };

// One route (ip route add [TYPE] DST [via GW] [dev IF] [src S] [metric M]
// [table T] [scope SC]). Blackhole, unreachable and prohibit routes take no
// gateway or device.
struct RouteSpec {
  IpPrefix destination;
  std::optional<IpAddress> gateway;
  std::optional<InterfaceRef> device;
  std::optional<IpAddress> source;  // preferred source address
  uint32_t metric = 0;
  uint32_t table = RT_TABLE_MAIN;
  uint8_t scope = RT_SCOPE_UNIVERSE;
  RouteType type = RouteType::Unicast;

  std::string describe() const;
};

// Adds and removes routes (virtual_routes). An interface so the VRRP runtime
// can be tested with a fake.
class RouteManager {
 public:
  virtual ~RouteManager() = default;
  // Adds the route or replaces one with the same destination, table and
  // metric.
  virtual Status add(const RouteSpec& route) = 0;
  virtual Status remove(const RouteSpec& route) = 0;
};

}  // namespace vigil::netlink
