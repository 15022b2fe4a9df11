#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <variant>
#include <vector>

#include "core/netlink/address_manager.h"
#include "core/netlink/route_manager.h"
#include "core/netlink/routing_dump.h"
#include "core/netlink/rule_manager.h"

namespace vigil::vrrp {

// One address, route or rule an owner (RoutingEntries) keeps in the kernel.
using OwnedSpec = std::variant<netlink::AddressSpec, netlink::RouteSpec, netlink::RuleSpec>;

// The index of the interface named so; 0 when there is none.
using InterfaceIndexOf = std::function<int(const std::string& name)>;

// The metric the kernel gives `route`: IPv6 makes 0 into 1024
// (IP6_RT_PRIO_USER), so a deletion or a dump reports that.
uint32_t kernelMetric(const netlink::RouteSpec& route);

// Whether the kernel's route `held` (dumped, or reported deleted) is
// `route`: the same destination, table, metric (kernelMetric), tos,
// protocol and type, with a next hop through its gateway and device when it
// names them (any hop of a multipath route: the kernel merges routes into
// one, and reports a multipath route's hops without a top-level device).
bool isKernelRoute(const netlink::KernelRoute& held, const netlink::RouteSpec& route,
                   const InterfaceIndexOf& indexOf);

// Whether the kernel's rule `held` (dumped, or reported deleted) is `rule`:
// all its selectors, action and protocol, at its preference when it has one.
bool isKernelRule(const netlink::RuleSpec& held, const netlink::RuleSpec& rule);

// The dumps that show whether `owned` are in the kernel: addresses and rules
// of their families, routes of their (family, table, protocol).
netlink::DumpRequest dumpRequestFor(const std::vector<const OwnedSpec*>& owned);

// After the kernel dropped deletion notifications (ENOBUFS): the positions
// in `owned` of the entries `kernel` (a dump made after the loss) does not
// hold, to add again. Never more: a rule has no "already there" answer when
// it has no preference, so adding one blindly would stack a copy.
//  - an address is held when one with its address, prefix length and
//    interface is;
//  - a route when one is it (isKernelRoute);
//  - a rule when one with all its selectors, action and protocol is, at its
//    preference when it has one (at any otherwise: the kernel picked it).
// Each entry is matched alone: a copy held twice satisfies it, and two
// owned entries may be satisfied by one held entry.
std::vector<size_t> missingEntries(const std::vector<const OwnedSpec*>& owned,
                                   const netlink::RoutingDump& kernel,
                                   const InterfaceIndexOf& indexOf);

}  // namespace vigil::vrrp
