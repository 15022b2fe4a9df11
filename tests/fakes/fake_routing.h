#pragma once

#include <cerrno>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/netlink/route_manager.h"
#include "core/netlink/rule_manager.h"

namespace vigil::fakes {

// What reached the kernel, in order ("route+ TEXT", "rule- TEXT", and what
// a test's own fakes add), and what the kernel holds, by `ip route` /
// `ip rule` text.
struct RoutingJournal {
  std::vector<std::string> entries;
  std::set<std::string> failing;  // entries whose add fails (gateway unreachable, ...)
  std::set<std::string> routes;
  std::set<std::string> rules;

  std::vector<std::string> take() { return std::exchange(entries, {}); }
};

// The kernel's route table as RouteManager: add replaces, removing a route
// that is not there fails with ENOENT.
class FakeRouteManager final : public netlink::RouteManager {
 public:
  explicit FakeRouteManager(RoutingJournal& journal) : journal_(journal) {}
  Status add(const netlink::RouteSpec& route) override {
    return added("route", route.describe(), journal_, journal_.routes);
  }
  Status remove(const netlink::RouteSpec& route) override {
    return removed("route", route.describe(), journal_, journal_.routes);
  }

  // Shared with FakeRuleManager.
  static Status added(const char* kind, const std::string& text, RoutingJournal& journal,
                      std::set<std::string>& held) {
    journal.entries.push_back(std::string(kind) + "+ " + text);
    if (journal.failing.contains(text)) return Error{ENETUNREACH, "adding " + text};
    held.insert(text);
    return {};
  }
  static Status removed(const char* kind, const std::string& text, RoutingJournal& journal,
                        std::set<std::string>& held) {
    journal.entries.push_back(std::string(kind) + "- " + text);
    if (held.erase(text) == 0) return Error{ENOENT, "removing " + text};
    return {};
  }

 private:
  RoutingJournal& journal_;
};

// The kernel's rule list as RuleManager: an identical rule is added once.
class FakeRuleManager final : public netlink::RuleManager {
 public:
  explicit FakeRuleManager(RoutingJournal& journal) : journal_(journal) {}
  Status add(const netlink::RuleSpec& rule) override {
    return FakeRouteManager::added("rule", rule.describe(), journal_, journal_.rules);
  }
  Status remove(const netlink::RuleSpec& rule) override {
    return FakeRouteManager::removed("rule", rule.describe(), journal_, journal_.rules);
  }

 private:
  RoutingJournal& journal_;
};

}  // namespace vigil::fakes
