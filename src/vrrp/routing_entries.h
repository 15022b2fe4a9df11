#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "config/model_vrrp.h"
#include "core/netlink/route_manager.h"
#include "core/netlink/rule_manager.h"

namespace vigil::vrrp {

// The routes and policy rules one owner keeps in the kernel: an instance's
// virtual_routes and virtual_rules (through VipRouteInstaller), or the
// static_routes and static_rules of the VRRP worker. Each entry is built
// once per configuration (routeSpecFor / ruleSpecFor) and known by its `ip
// route` / `ip rule` text, so a new configuration is diffed against the
// running one: unchanged entries are not touched. An entry that cannot be
// built or added is logged with the owner, once until it is added, and the
// others go on.
class RoutingEntries {
 public:
  // `routes` / `rules` null: the entries are only logged.
  RoutingEntries(netlink::RouteManager* routes, netlink::RuleManager* rules, std::string owner);

  // The new configuration. Entries no longer configured are removed at once
  // if they may be installed; unchanged ones keep their state; new ones are
  // absent until installAll().
  void configure(const std::vector<config::VirtualRoute>& routes,
                 const std::vector<config::VirtualRule>& rules, std::string owner);
  // Adds every entry not installed (routes first, then rules): a refresh
  // retries only those that failed.
  void installAll();
  // Removes every entry, rules first; one that is not there is skipped
  // quietly (a BACKUP's at start-up, a route the kernel dropped with its
  // address).
  void uninstallAll();

  // The entries installed, in their `ip route` / `ip rule` text, for
  // snapshots and tests.
  std::vector<std::string> installed() const;

 private:
  enum class State { Absent, Installed, Failed };
  using Spec = std::variant<netlink::RouteSpec, netlink::RuleSpec>;
  struct Entry {
    std::string text;          // as `ip route` / `ip rule` writes it, or as configured
    std::optional<Spec> spec;  // nullopt: cannot be built (logged)
    State state = State::Absent;
    const char* kind() const;  // "route" or "rule"
  };

  std::vector<Entry> build(const std::vector<config::VirtualRoute>& routes,
                           const std::vector<config::VirtualRule>& rules) const;
  Status add(const Spec& spec);
  Status remove(const Spec& spec);
  bool logsOnly(const Spec& spec) const;
  void install(Entry& entry);
  void uninstall(Entry& entry);

  netlink::RouteManager* routes_;
  netlink::RuleManager* rules_;
  std::string owner_;
  std::vector<Entry> entries_;  // routes, then rules, each in configured order
};

}  // namespace vigil::vrrp
