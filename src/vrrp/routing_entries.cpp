#include "vrrp/routing_entries.h"

#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <string_view>

#include "core/log.h"
#include "vrrp/route_spec.h"
#include "vrrp/routing_resync.h"
#include "vrrp/rule_spec.h"
#include "vrrp/runtime_netlink.h"

namespace vigil::vrrp {
namespace {

// As `ip addr` writes it, with the lifetime when it is not forever.
std::string describeAddress(const netlink::AddressSpec& spec) {
  std::string out = spec.address.toString() + " dev " + spec.interface.describe();
  if (spec.broadcast) out += " brd " + spec.broadcast->toString();
  out += " scope " + netlink::routeScopeName(spec.scope);
  if (!spec.label.empty()) out += " label " + spec.label;
  if (spec.preferredLifetime != netlink::kForeverLifetime) {
    out += " preferred_lft " + std::to_string(spec.preferredLifetime);
  }
  return out;
}

// A rule without a preference is never named: its copy could be at any.
// Every other field counts: instances' rules often share a preference, and
// one instance removing its own (going BACKUP) must not look to another
// like its rule deleted.
bool sameRule(const netlink::RuleSpec& rule, const netlink::RuleSpec& deleted) {
  return rule.priority && deleted.priority && isKernelRule(deleted, rule);
}

// The group of `family` (both when it is unknown: better woken for nothing
// than a deletion missed).
void addGroupOf(int family, uint32_t v4, uint32_t v6, netlink::NotificationGroups& groups) {
  if (family != AF_INET6) groups.insert(v4);
  if (family != AF_INET) groups.insert(v6);
}

}  // namespace

netlink::NotificationGroups deletionGroupsFor(const std::vector<config::VirtualAddress>& addresses,
                                              const std::vector<config::VirtualRoute>& routes,
                                              const std::vector<config::VirtualRule>& rules) {
  netlink::NotificationGroups groups;
  for (const config::VirtualAddress& address : addresses) {
    addGroupOf(address.prefix.address.family(), RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR, groups);
  }
  for (const config::VirtualRoute& route : routes) {
    if (route.noTrack) continue;
    addGroupOf(route.to.address.family(), RTNLGRP_IPV4_ROUTE, RTNLGRP_IPV6_ROUTE, groups);
  }
  for (const config::VirtualRule& rule : rules) {
    if (rule.noTrack) continue;
    addGroupOf(rule.family(), RTNLGRP_IPV4_RULE, RTNLGRP_IPV6_RULE, groups);
  }
  return groups;
}

netlink::AddressSpec staticAddressSpec(const config::VirtualAddress& address,
                                       const std::string& defaultDev) {
  // Permanent, unlike a VIP's: a static address is not moved by VRRP and,
  // as with keepalived, stays when the VRRP worker dies (the respawned one
  // finds it there). keepalived deprecates an IPv6 /128 unless told
  // otherwise (preferred_lft 0), as it does for VIPs.
  netlink::AddressSpec spec = vipAddressSpec(address, defaultDev, std::nullopt);
  if (!address.preferredLft && address.prefix.address.isV6() && address.prefix.length == 128) {
    spec.preferredLifetime = 0;
  }
  return spec;
}

RoutingEntries::RoutingEntries(netlink::RouteManager* routes, netlink::RuleManager* rules,
                               std::string owner, netlink::AddressManager* addresses)
    : routes_(routes), rules_(rules), addresses_(addresses), owner_(std::move(owner)) {}

RoutingEntries::~RoutingEntries() {
  if (watch_ != nullptr && !announced_.empty()) watch_->want(this, {});
}

void RoutingEntries::announce(const netlink::NotificationGroups& groups) {
  if (groups == announced_) return;
  announced_ = groups;
  if (watch_ != nullptr) watch_->want(this, announced_);
}

std::vector<RoutingEntries::Entry> RoutingEntries::build(
    const std::vector<config::VirtualAddress>& addresses,
    const std::vector<config::VirtualRoute>& routes, const std::vector<config::VirtualRule>& rules,
    const std::string& addressDev) const {
  std::vector<Entry> out;
  for (const config::VirtualAddress& address : addresses) {
    netlink::AddressSpec spec = staticAddressSpec(address, addressDev);
    out.push_back({describeAddress(spec), Spec(std::move(spec)), "address"});
  }
  for (const config::VirtualRoute& route : routes) {
    Result<netlink::RouteSpec> spec = routeSpecFor(route);
    if (!spec) {
      log(LogLevel::Error, "{} will not install route {}: {}", owner_, route.to.toString(),
          spec.error().describe());
      out.push_back({route.to.toString(), std::nullopt, "route", State::Absent,
                     spec.error().describe(), !route.noTrack});
      continue;
    }
    out.push_back({spec->describe(), Spec(*spec), "route", State::Absent, "", !route.noTrack});
  }
  for (const config::VirtualRule& rule : rules) {
    Result<netlink::RuleSpec> spec = ruleSpecFor(rule);
    if (!spec) {
      // Not rule.pos: a configuration's source names need not outlive it.
      log(LogLevel::Error, "{} will not install {}", owner_, spec.error().describe());
      out.push_back({spec.error().describe(), std::nullopt, "rule", State::Absent,
                     spec.error().describe(), !rule.noTrack});
      continue;
    }
    out.push_back({spec->describe(), Spec(*spec), "rule", State::Absent, "", !rule.noTrack});
  }
  return out;
}

void RoutingEntries::configure(const std::vector<config::VirtualAddress>& addresses,
                               const std::vector<config::VirtualRoute>& routes,
                               const std::vector<config::VirtualRule>& rules, std::string owner,
                               const std::string& addressDev) {
  owner_ = std::move(owner);
  ++changes_;
  groups_ = deletionGroupsFor(addresses, routes, rules);
  std::vector<Entry> next = build(addresses, routes, rules, addressDev);
  for (Entry& old : entries_) {
    auto same = std::find_if(next.begin(), next.end(), [&](const Entry& e) {
      return e.spec && old.spec && e.spec->index() == old.spec->index() && e.text == old.text;
    });
    if (same != next.end()) {
      same->state = old.state;
      same->error = old.error;
    } else if (old.state != State::Absent) {
      uninstall(old);
    }
  }
  entries_ = std::move(next);
}

void RoutingEntries::installAll() {
  // Joined before the entries are added, so none is deleted unseen between.
  announce(groups_);
  for (Entry& entry : entries_) {
    if (entry.state != State::Installed) install(entry);
  }
}

void RoutingEntries::uninstallAll() {
  // The reverse of the order they are added in: a route may need an
  // address (its gateway's subnet), a rule a route's table.
  for (size_t index : {size_t{2}, size_t{1}, size_t{0}}) {
    for (Entry& entry : entries_) {
      if ((entry.spec ? entry.spec->index() : size_t{1}) == index) uninstall(entry);
    }
  }
  announce({});
}

size_t RoutingEntries::reinstate(const netlink::DeletedEntry& deleted,
                                 const InterfaceIndexOf& indexOf) {
  using Kind = netlink::DeletedEntry::Kind;
  size_t count = 0;
  for (Entry& entry : entries_) {
    if (entry.state != State::Installed || !entry.spec || !entry.watched) continue;
    bool named = false;
    if (const auto* address = std::get_if<netlink::AddressSpec>(&*entry.spec)) {
      named = deleted.kind == Kind::Address && address->address == deleted.address &&
              (deleted.interface.empty() || address->interface.name == deleted.interface);
    } else if (const auto* spec = std::get_if<netlink::RouteSpec>(&*entry.spec)) {
      named = deleted.kind == Kind::Route && isKernelRoute(deleted.route, *spec, indexOf);
    } else {
      named = deleted.kind == Kind::Rule &&
              sameRule(std::get<netlink::RuleSpec>(*entry.spec), deleted.rule);
    }
    if (!named) continue;
    restore(entry);
    ++count;
  }
  return count;
}

netlink::DumpRequest RoutingEntries::resyncRequest() const {
  return dumpRequestFor(specsAt(watchedEntries()));
}

size_t RoutingEntries::reinstateMissing(const netlink::RoutingDump& kernel,
                                        const InterfaceIndexOf& indexOf) {
  const std::vector<size_t> watched = watchedEntries();
  const std::vector<size_t> missing = missingEntries(specsAt(watched), kernel, indexOf);
  for (size_t index : missing) restore(entries_[watched[index]]);
  return missing.size();
}

std::vector<size_t> RoutingEntries::watchedEntries() const {
  std::vector<size_t> positions;
  for (size_t i = 0; i < entries_.size(); ++i) {
    const Entry& entry = entries_[i];
    if (entry.state == State::Installed && entry.spec && entry.watched) positions.push_back(i);
  }
  return positions;
}

std::vector<const OwnedSpec*> RoutingEntries::specsAt(const std::vector<size_t>& positions) const {
  std::vector<const OwnedSpec*> specs;
  specs.reserve(positions.size());
  for (size_t i : positions) specs.push_back(&*entries_[i].spec);
  return specs;
}

void RoutingEntries::restore(Entry& entry) {
  reinstate(entry);
  if (entry.state != State::Installed) return;  // counted as a failed add
  const std::string_view kind = entry.kind();
  ++(kind == "address" ? restored_.addresses : kind == "rule" ? restored_.rules : restored_.routes);
}

size_t RoutingEntries::reinstateOn(const std::string& interface) {
  size_t count = 0;
  for (Entry& entry : entries_) {
    if (entry.state == State::Absent || !entry.spec) continue;
    const auto* address = std::get_if<netlink::AddressSpec>(&*entry.spec);
    const auto* route = std::get_if<netlink::RouteSpec>(&*entry.spec);
    const bool on = (address && address->interface.name == interface) ||
                    (route && route->device && route->device->name == interface);
    if (!on) continue;
    reinstate(entry);
    ++count;
  }
  return count;
}

void RoutingEntries::reinstate(Entry& entry) {
  log(LogLevel::Notice, "{} restoring deleted {} {}", owner_, entry.kind(), entry.text);
  install(entry);
}

std::vector<std::string> RoutingEntries::installed() const {
  std::vector<std::string> out;
  for (const Entry& entry : entries_) {
    if (entry.state == State::Installed) out.push_back(entry.text);
  }
  return out;
}

RoutingEntries::Failures RoutingEntries::failures() const {
  Failures out{failed_.addresses, failed_.routes, failed_.rules, {}};
  for (const Entry& entry : entries_) {
    if (entry.state == State::Failed)
      out.current.push_back({entry.kind(), entry.text, entry.error});
  }
  return out;
}

void RoutingEntries::fail(Entry& entry, std::string error) {
  const std::string_view kind = entry.kind();
  ++(kind == "address" ? failed_.addresses : kind == "rule" ? failed_.rules : failed_.routes);
  entry.state = State::Failed;
  entry.error = std::move(error);
}

bool RoutingEntries::logsOnly(const Spec& spec) const {
  if (std::holds_alternative<netlink::AddressSpec>(spec)) return addresses_ == nullptr;
  return std::holds_alternative<netlink::RouteSpec>(spec) ? routes_ == nullptr : rules_ == nullptr;
}

Status RoutingEntries::add(const Spec& spec) {
  if (const auto* address = std::get_if<netlink::AddressSpec>(&spec)) {
    return addresses_->add(*address);
  }
  if (const auto* route = std::get_if<netlink::RouteSpec>(&spec)) return routes_->add(*route);
  return rules_->add(std::get<netlink::RuleSpec>(spec));
}

Status RoutingEntries::remove(const Spec& spec) {
  if (const auto* address = std::get_if<netlink::AddressSpec>(&spec)) {
    return addresses_->remove(*address);
  }
  if (const auto* route = std::get_if<netlink::RouteSpec>(&spec)) return routes_->remove(*route);
  return rules_->remove(std::get<netlink::RuleSpec>(spec));
}

void RoutingEntries::install(Entry& entry) {
  if (!entry.spec) {
    // Logged when it was built; `error` holds why.
    fail(entry, entry.error);
    return;
  }
  if (logsOnly(*entry.spec)) {
    log(LogLevel::Info, "{} would add {} {}", owner_, entry.kind(), entry.text);
    markInstalled(entry);
    return;
  }
  Status added = add(*entry.spec);
  if (added) {
    if (entry.state == State::Failed) {
      log(LogLevel::Notice, "{} added {} {} after all", owner_, entry.kind(), entry.text);
    }
    markInstalled(entry);
    entry.error.clear();
    return;
  }
  if (entry.state != State::Failed) {
    log(LogLevel::Error, "{} cannot add {} {}: {}", owner_, entry.kind(), entry.text,
        added.error().describe());
  }
  fail(entry, added.error().describe());
}

void RoutingEntries::markInstalled(Entry& entry) {
  if (entry.state != State::Installed) ++changes_;
  entry.state = State::Installed;
}

void RoutingEntries::uninstall(Entry& entry) {
  const State was = entry.state;
  entry.state = State::Absent;
  if (!entry.spec) return;  // `error` stays: why it can never be added
  entry.error.clear();
  if (logsOnly(*entry.spec)) {
    if (was == State::Installed) {
      log(LogLevel::Info, "{} would remove {} {}", owner_, entry.kind(), entry.text);
    }
    return;
  }
  Status removed = remove(*entry.spec);
  const int code = removed ? 0 : removed.error().code;
  if (!removed && code != ENOENT && code != ESRCH && code != ENODEV && code != EADDRNOTAVAIL) {
    log(LogLevel::Error, "{} cannot remove {} {}: {}", owner_, entry.kind(), entry.text,
        removed.error().describe());
  }
}

}  // namespace vigil::vrrp
