#pragma once

#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "core/ip_address.h"
#include "core/netlink/routing_dump.h"
#include "core/result.h"

namespace vigil::netlink {

// An address, route or policy rule the kernel reports deleted
// (RTM_DELADDR / RTM_DELROUTE / RTM_DELRULE): the fields keepalived matches
// its static entries on.
struct DeletedEntry {
  enum class Kind { Address, Route, Rule };

  Kind kind = Kind::Route;
  int family = AF_INET;
  int ifindex = 0;                 // the address's interface (0: none)
  std::string interface;           // its name, when the receiver knows it ("" otherwise)
  IpPrefix prefix;                 // the address, or the route's destination (0/0: default)
  uint32_t table = RT_TABLE_MAIN;  // route, rule
  uint32_t priority = 0;           // the route's metric, the rule's preference
  bool hasPriority = false;        // a rule without FRA_PRIORITY has none
  uint8_t protocol = 0;            // route, rule (FRA_PROTOCOL; 0 when absent)
  uint8_t tos = 0;                 // route
  uint8_t type = RTN_UNICAST;      // route (RTN_*)
  // The route's next hops: its RTA_GATEWAY and RTA_OIF, or each hop of its
  // RTA_MULTIPATH (a multipath route has no top-level RTA_OIF).
  std::vector<KernelNextHop> nextHops;
  // A rule: everything it was reported with (selectors, action, table,
  // preference, protocol), so an owner matches all of it, not its
  // preference alone.
  RuleSpec rule;
};

// rtnetlink multicast groups (RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_ROUTE, ...).
using NotificationGroups = std::set<uint32_t>;

// Deletions of addresses, routes and rules, as the kernel announces them.
// An interface so the VRRP worker can be tested with a fake.
class DeletionMonitor {
 public:
  using Listener = std::function<void(const DeletedEntry& deleted)>;
  virtual ~DeletionMonitor() = default;
  // Called on the loop for each deletion.
  virtual void setListener(Listener listener) = 0;
  // Listens to exactly `groups` from now on: joins the new ones, leaves the
  // ones not named. A monitor starts in none, so a host's address, route
  // and rule churn wakes its owner only for what it asked for. On error the
  // groups joined so far stay joined.
  [[nodiscard]] virtual Status watch(const NotificationGroups& groups) = 0;
  // Called on the loop each time the kernel is found to have dropped
  // notifications (overflows() grew): the owner reads the kernel's tables
  // again to find what it missed.
  using LossListener = std::function<void()>;
  virtual void setLossListener(LossListener listener) = 0;
  // Times the kernel dropped notifications meant for this monitor (its
  // socket's buffer was full: ENOBUFS); deletions among them went unseen.
  virtual uint64_t overflows() const = 0;
};

}  // namespace vigil::netlink
