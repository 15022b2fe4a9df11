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
// (RTM_DELADDR / RTM_DELROUTE / RTM_DELRULE), in the form a dump reads it
// (rtnetlink_messages.h), so an owner matches it as it matches a dump. The
// half of `kind` is set; the others stay empty.
struct DeletedEntry {
  enum class Kind { Address, Route, Rule };

  Kind kind = Kind::Route;
  // An address: the interface it was on (0: none) and its name, when the
  // receiver knows it ("" otherwise).
  int ifindex = 0;
  std::string interface;
  IpPrefix address;
  // A route, its next hops as reported: one (RTA_GATEWAY and RTA_OIF), or
  // those of RTA_MULTIPATH when the kernel deleted a merged IPv6 route
  // whole (deleting one of its hops reports that hop alone).
  KernelRoute route;
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
