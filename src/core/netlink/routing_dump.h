#pragma once

#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <tuple>
#include <vector>

#include "core/ip_address.h"
#include "core/netlink/address_manager.h"
#include "core/netlink/rule_manager.h"
#include "core/result.h"

namespace vigil::netlink {

// One next hop of a dumped route (RTA_GATEWAY / RTA_OIF, or one entry of
// RTA_MULTIPATH).
struct KernelNextHop {
  std::optional<IpAddress> gateway;
  int ifindex = 0;  // 0: none
};

// A route as RTM_GETROUTE dumps it: the fields its owner matches its own
// routes on.
struct KernelRoute {
  IpPrefix destination;  // 0/0: default
  uint32_t table = RT_TABLE_MAIN;
  uint32_t metric = 0;  // RTA_PRIORITY (IPv6: never 0, the kernel makes it 1024)
  uint8_t tos = 0;
  uint8_t protocol = 0;
  uint8_t type = RTN_UNICAST;  // RTN_*
  std::vector<KernelNextHop> nextHops;
};

// What the kernel holds of the addresses, routes and rules a dump asked for.
// A rule's unset fields are as the kernel reports them: FRA_FWMASK is
// 0xffffffff beside a mark given without a mask, FRA_SUPPRESS_PREFIXLEN
// 0xffffffff when unused (the diff reads both so).
struct RoutingDump {
  std::vector<InstalledAddress> addresses;
  std::vector<KernelRoute> routes;
  std::vector<RuleSpec> rules;
};

// Which dumps to make: addresses and rules per family, routes per family,
// table and protocol (one dump each, the kernel filtering on table and
// protocol where it can, so a BGP full table in another table or of another
// protocol is not read).
struct DumpRequest {
  struct Routes {
    int family = AF_INET;
    uint32_t table = RT_TABLE_MAIN;
    uint8_t protocol = 0;
    auto operator<=>(const Routes&) const = default;
  };
  std::set<int> addressFamilies;
  std::set<Routes> routes;
  std::set<int> ruleFamilies;

  bool empty() const { return addressFamilies.empty() && routes.empty() && ruleFamilies.empty(); }
};

// Reads what the kernel holds without blocking its caller's loop: dump()
// returns at once and `done` is called on the loop later with the whole
// dump, or the error that ended it. One dump at a time; destroying the
// dumper or calling cancel() drops the one in flight without calling
// `done`. An interface so the VRRP worker can be tested with a fake.
class RoutingDumper {
 public:
  using Done = std::function<void(Result<RoutingDump> dump)>;
  virtual ~RoutingDumper() = default;
  // Precondition: no dump in flight.
  virtual void dump(const DumpRequest& request, Done done) = 0;
  virtual void cancel() = 0;
  virtual bool busy() const = 0;
};

}  // namespace vigil::netlink
