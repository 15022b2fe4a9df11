#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "config/model_vrrp.h"
#include "core/netlink/address_manager.h"
#include "core/netlink/deletion_monitor.h"
#include "core/netlink/route_manager.h"
#include "core/netlink/routing_dump.h"
#include "core/netlink/rule_manager.h"
#include "vrrp/deletion_watch.h"
#include "vrrp/routing_resync.h"

namespace vigil::vrrp {

// A static_ipaddress entry as the kernel gets it: on its `dev` (or
// `defaultDev`, global_defs' default_interface), valid forever, preferred
// forever unless preferred_lft says otherwise, and deprecated (preferred 0)
// for an IPv6 /128 without one, as keepalived does.
netlink::AddressSpec staticAddressSpec(const config::VirtualAddress& address,
                                       const std::string& defaultDev);

// The rtnetlink groups whose deletions can name one of these entries: the
// address groups of the families among `addresses`, the route groups of
// those among `routes`, the rule groups of those among `rules`; entries
// marked no_track are not watched. Empty without such entries, so the VRRP
// worker is not woken by the host's address, route and rule changes (its
// own VIP refreshes, a BGP table's churn) for nothing.
netlink::NotificationGroups deletionGroupsFor(const std::vector<config::VirtualAddress>& addresses,
                                              const std::vector<config::VirtualRoute>& routes,
                                              const std::vector<config::VirtualRule>& rules);

// The addresses, routes and policy rules one owner keeps in the kernel: an
// instance's virtual_routes and virtual_rules (through VipRouteInstaller),
// or the static_ipaddress, static_routes and static_rules of the VRRP
// worker. Each entry is built once per configuration (staticAddressSpec /
// routeSpecFor / ruleSpecFor) and known by its `ip addr` / `ip route` / `ip
// rule` text, so a new configuration is diffed against the running one:
// unchanged entries are not touched. An entry that cannot be built or added
// is logged with the owner, once until it is added, and the others go on;
// failures() reports it for the worker's snapshot.
class RoutingEntries {
 public:
  // An entry not installed because its last add failed.
  struct Failing {
    std::string kind;   // "address", "route" or "rule"
    std::string entry;  // its `ip addr` / `ip route` / `ip rule` text, or as configured
    std::string error;  // the kernel's refusal, or why it cannot be built
  };
  // What went wrong since this owner was made. An entry's failure is
  // current until an add succeeds or the entry is removed (a BACKUP
  // removes them all) or dropped by a reload; the counts only grow.
  struct Failures {
    uint64_t addresses = 0;  // address adds that failed (each retry counts)
    uint64_t routes = 0;     // route adds that failed
    uint64_t rules = 0;      // rule adds that failed
    std::vector<Failing> current;
  };
  // Entries reinstate() added again, since this owner was made; only grows.
  struct Restored {
    uint64_t addresses = 0;
    uint64_t routes = 0;
    uint64_t rules = 0;
  };

  // `routes` / `rules` / `addresses` null: those entries are only logged.
  RoutingEntries(netlink::RouteManager* routes, netlink::RuleManager* rules, std::string owner,
                 netlink::AddressManager* addresses = nullptr);
  // Withdraws its groups from the DeletionWatch.
  ~RoutingEntries();
  RoutingEntries(const RoutingEntries&) = delete;
  RoutingEntries& operator=(const RoutingEntries&) = delete;

  // The watch this owner asks for its deletionGroups() (null: none). Set
  // before the first installAll().
  void watchDeletionsWith(DeletionWatch* watch) { watch_ = watch; }
  // The rtnetlink groups whose deletions can name one of its entries
  // (deletionGroupsFor its configuration) from installAll() until
  // uninstallAll(), when its entries may be in the kernel; none otherwise
  // (a BACKUP's virtual routes and rules).
  const netlink::NotificationGroups& deletionGroups() const { return announced_; }

  // The new configuration. Entries no longer configured are removed at once
  // if they may be installed; unchanged ones keep their state; new ones are
  // absent until installAll(). Addresses without `dev` go on `addressDev`.
  void configure(const std::vector<config::VirtualAddress>& addresses,
                 const std::vector<config::VirtualRoute>& routes,
                 const std::vector<config::VirtualRule>& rules, std::string owner,
                 const std::string& addressDev);
  void configure(const std::vector<config::VirtualRoute>& routes,
                 const std::vector<config::VirtualRule>& rules, std::string owner) {
    configure({}, routes, rules, std::move(owner), "");
  }
  // Adds every entry not installed (addresses, then routes, then rules): a
  // refresh retries only those that failed. Asks the watch for its
  // deletionGroups() first.
  void installAll();
  // Removes every entry, rules first, addresses last; one that is not there
  // is skipped quietly (a BACKUP's at start-up, a route the kernel dropped
  // with its address). Then wants no deletion group.
  void uninstallAll();

  // keepalived's answer to a static entry deleted behind its back (and
  // vigil's to a MASTER's virtual route or rule): an installed entry that
  // `deleted` names is added again at once, with "restoring deleted"
  // logged; an entry marked no_track is left alone. A route is named when the deleted route is
  // it (isKernelRoute, its device's index from `indexOf`): a multipath
  // route names each route through one of its hops, and a route of the same
  // prefix through other hops names none. A rule without a preference
  // cannot be told from the copies the kernel numbered, so it is left
  // alone. Returns how many were added again; those the kernel took count
  // in restored().
  size_t reinstate(const netlink::DeletedEntry& deleted, const InterfaceIndexOf& indexOf);
  // After the kernel dropped deletion notifications: the dumps that show
  // which installed entries (but no_track ones) are still there (empty:
  // none).
  netlink::DumpRequest resyncRequest() const;
  // Adds again, as reinstate() does, each installed entry (but no_track
  // ones) that `kernel` (the dumps of resyncRequest(), made after the loss)
  // does not hold, and only those (missingEntries). Returns how many were
  // added again.
  size_t reinstateMissing(const netlink::RoutingDump& kernel, const InterfaceIndexOf& indexOf);
  // How many times configure() was called or an add put an entry in the
  // kernel that was not there for this owner (installAll(), a failed entry
  // retried): a dump begun before the last change may lack what it added.
  // Only grows.
  uint64_t changes() const { return changes_; }

  // An interface came up: the addresses and routes on it are added again
  // (the kernel drops routes through a link that goes down, and keeps no
  // notice of it), as keepalived does for its static entries.
  size_t reinstateOn(const std::string& interface);

  // The entries installed, in their `ip route` / `ip rule` text, for
  // snapshots and tests.
  std::vector<std::string> installed() const;
  Failures failures() const;
  const Restored& restored() const { return restored_; }

 private:
  enum class State { Absent, Installed, Failed };
  using Spec = OwnedSpec;
  struct Entry {
    std::string text;          // as `ip addr` / `ip route` / `ip rule` writes it, or as configured
    std::optional<Spec> spec;  // nullopt: cannot be built (logged)
    const char* what = "route";  // "address", "route" or "rule", also when unbuilt
    State state = State::Absent;
    // Why the last add failed, while Failed; for an entry that cannot be
    // built, always why not.
    std::string error;
    // no_track: a deletion of it is not undone (keepalived's dont_track).
    bool watched = true;
    const char* kind() const { return what; }
  };

  std::vector<Entry> build(const std::vector<config::VirtualAddress>& addresses,
                           const std::vector<config::VirtualRoute>& routes,
                           const std::vector<config::VirtualRule>& rules,
                           const std::string& addressDev) const;
  void reinstate(Entry& entry);
  // reinstate(), counted in restored_ when the add succeeds.
  void restore(Entry& entry);
  // The positions in entries_ of the installed entries whose deletions are
  // undone, and their specs.
  std::vector<size_t> watchedEntries() const;
  std::vector<const OwnedSpec*> specsAt(const std::vector<size_t>& positions) const;
  Status add(const Spec& spec);
  Status remove(const Spec& spec);
  bool logsOnly(const Spec& spec) const;
  // deletionGroups() becomes `groups`, the watch told when it changed.
  void announce(const netlink::NotificationGroups& groups);
  void install(Entry& entry);
  // The add succeeded: Installed, a change when it was not.
  void markInstalled(Entry& entry);
  void fail(Entry& entry, std::string error);
  void uninstall(Entry& entry);

  netlink::RouteManager* routes_;
  netlink::RuleManager* rules_;
  netlink::AddressManager* addresses_;
  std::string owner_;
  std::vector<Entry> entries_;  // addresses, routes, then rules, each in configured order
  Failures failed_;             // the counts; `current` is computed by failures()
  Restored restored_;
  uint64_t changes_ = 0;
  DeletionWatch* watch_ = nullptr;
  netlink::NotificationGroups groups_;     // deletionGroupsFor the configuration
  netlink::NotificationGroups announced_;  // deletionGroups()
};

}  // namespace vigil::vrrp
