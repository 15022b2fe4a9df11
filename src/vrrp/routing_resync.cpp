#include "vrrp/routing_resync.h"

#include <linux/fib_rules.h>

#include <algorithm>

#include "core/host_bits.h"

namespace vigil::vrrp {
namespace {

// IP6_RT_PRIO_USER of <net/ip6_route.h>: the metric of an IPv6 route added
// without one.
constexpr uint32_t kIpv6DefaultMetric = 1024;
// What the kernel reports for an unset FRA_SUPPRESS_PREFIXLEN and
// FRA_SUPPRESS_IFGROUP (-1).
constexpr uint32_t kUnset = 0xFFFFFFFFu;

// The prefix with its host bits cleared: the kernel keeps a route's or a
// rule's prefix so.
IpPrefix network(const IpPrefix& prefix) {
  return {withHostBits(prefix.address, prefix.length, false), prefix.length};
}

// A rule's selector prefix as the kernel holds it: none for length 0.
std::optional<IpPrefix> selector(const std::optional<IpPrefix>& prefix) {
  if (!prefix || prefix->length == 0) return std::nullopt;
  return network(*prefix);
}

int indexOfRef(const netlink::InterfaceRef& ref, const InterfaceIndexOf& indexOf) {
  return ref.index != 0 ? ref.index : indexOf(ref.name);
}

bool holds(const netlink::InstalledAddress& held, const netlink::AddressSpec& address,
           int ifindex) {
  return ifindex != 0 && held.ifindex == ifindex && held.address == address.address;
}

bool holds(const netlink::KernelRoute& held, const netlink::RouteSpec& route, int ifindex) {
  // The one-field comparisons first: a host's other routes (another
  // protocol or table) fail there without their networks worked out.
  if (held.table != route.table || held.protocol != route.protocol ||
      held.metric != kernelMetric(route) || held.tos != route.tos ||
      held.type != netlink::routeTypeNumber(route.type) ||
      held.destination.address.family() != route.destination.address.family() ||
      network(held.destination) != network(route.destination)) {
    return false;
  }
  if (!route.gateway && !route.device) return true;
  return std::any_of(held.nextHops.begin(), held.nextHops.end(), [&](const auto& hop) {
    return (!route.gateway || hop.gateway == route.gateway) &&
           (!route.device || (ifindex != 0 && hop.ifindex == ifindex));
  });
}

// FRA_FWMASK as the kernel keeps it: a mark given without a mask is matched
// whole (0xffffffff), no mark no mask.
uint32_t markMask(const netlink::RuleSpec& rule) {
  if (rule.fwmask) return *rule.fwmask;
  return rule.fwmark.value_or(0) != 0 ? kUnset : 0;
}

// A uid range covering every uid is no selector (the kernel's default).
std::optional<netlink::RuleSpec::Range> uids(const netlink::RuleSpec& rule) {
  if (rule.uidRange == netlink::RuleSpec::Range{0, kUnset}) return std::nullopt;
  return rule.uidRange;
}

bool holds(const netlink::RuleSpec& held, const netlink::RuleSpec& rule) {
  const bool toTable = rule.action == FR_ACT_TO_TBL && !rule.l3mdev;
  const netlink::RuleSpec::Range noPorts{0, 0};
  return held.family == rule.family && selector(held.source) == selector(rule.source) &&
         selector(held.destination) == selector(rule.destination) && held.invert == rule.invert &&
         held.iif == rule.iif && held.oif == rule.oif &&
         held.fwmark.value_or(0) == rule.fwmark.value_or(0) && markMask(held) == markMask(rule) &&
         held.tos == rule.tos && held.realms.value_or(0) == rule.realms.value_or(0) &&
         uids(held) == uids(rule) && held.ipProto.value_or(0) == rule.ipProto.value_or(0) &&
         held.sport.value_or(noPorts) == rule.sport.value_or(noPorts) &&
         held.dport.value_or(noPorts) == rule.dport.value_or(noPorts) &&
         held.l3mdev == rule.l3mdev && held.action == rule.action &&
         (!toTable || held.table == rule.table) &&
         (rule.action != FR_ACT_GOTO || held.gotoTarget == rule.gotoTarget) &&
         held.suppressPrefixLength.value_or(kUnset) == rule.suppressPrefixLength.value_or(kUnset) &&
         held.suppressIfGroup.value_or(kUnset) == rule.suppressIfGroup.value_or(kUnset) &&
         (!rule.priority || held.priority == rule.priority) && held.protocol == rule.protocol;
}

bool isHeld(const OwnedSpec& owned, const netlink::RoutingDump& kernel,
            const InterfaceIndexOf& indexOf) {
  if (const auto* address = std::get_if<netlink::AddressSpec>(&owned)) {
    const int ifindex = indexOfRef(address->interface, indexOf);
    return std::any_of(kernel.addresses.begin(), kernel.addresses.end(),
                       [&](const auto& a) { return holds(a, *address, ifindex); });
  }
  if (const auto* route = std::get_if<netlink::RouteSpec>(&owned)) {
    const int ifindex = route->device ? indexOfRef(*route->device, indexOf) : 0;
    return std::any_of(kernel.routes.begin(), kernel.routes.end(),
                       [&](const auto& r) { return holds(r, *route, ifindex); });
  }
  const auto& rule = std::get<netlink::RuleSpec>(owned);
  return std::any_of(kernel.rules.begin(), kernel.rules.end(),
                     [&](const auto& r) { return holds(r, rule); });
}

}  // namespace

bool isKernelRoute(const netlink::KernelRoute& held, const netlink::RouteSpec& route,
                   const InterfaceIndexOf& indexOf) {
  return holds(held, route, route.device ? indexOfRef(*route.device, indexOf) : 0);
}

bool isKernelRule(const netlink::RuleSpec& held, const netlink::RuleSpec& rule) {
  return holds(held, rule);
}

uint32_t kernelMetric(const netlink::RouteSpec& route) {
  return route.metric == 0 && route.destination.address.isV6() ? kIpv6DefaultMetric : route.metric;
}

netlink::DumpRequest dumpRequestFor(const std::vector<const OwnedSpec*>& owned) {
  netlink::DumpRequest request;
  for (const OwnedSpec* spec : owned) {
    if (const auto* address = std::get_if<netlink::AddressSpec>(spec)) {
      request.addressFamilies.insert(address->address.address.family());
    } else if (const auto* route = std::get_if<netlink::RouteSpec>(spec)) {
      request.routes.insert({route->destination.address.family(), route->table, route->protocol});
    } else {
      request.ruleFamilies.insert(std::get<netlink::RuleSpec>(*spec).family);
    }
  }
  return request;
}

std::vector<size_t> missingEntries(const std::vector<const OwnedSpec*>& owned,
                                   const netlink::RoutingDump& kernel,
                                   const InterfaceIndexOf& indexOf) {
  std::vector<size_t> missing;
  for (size_t i = 0; i < owned.size(); ++i) {
    if (!isHeld(*owned[i], kernel, indexOf)) missing.push_back(i);
  }
  return missing;
}

}  // namespace vigil::vrrp
