#pragma once

#include <cerrno>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/netlink/address_manager.h"
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
  // A rule without a preference can be here more than once, as in the
  // kernel (each copy at its own preference).
  std::multiset<std::string> rules;
  std::set<std::string> addresses;  // "ADDR/LEN dev IF"

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

 private:
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

  RoutingJournal& journal_;
};

// The kernel's rule list as RuleManager: create() refuses an identical rule
// with a preference (EEXIST) and adds another copy of one without (the
// kernel picks a free preference before comparing); remove() takes one copy
// or fails with ENOENT.
class FakeRuleManager final : public netlink::RuleManager {
 public:
  explicit FakeRuleManager(RoutingJournal& journal) : journal_(journal) {}
  Status remove(const netlink::RuleSpec& rule) override {
    const std::string text = rule.describe();
    journal_.entries.push_back("rule- " + text);
    auto held = journal_.rules.find(text);
    if (held == journal_.rules.end()) return Error{ENOENT, "removing " + text};
    journal_.rules.erase(held);
    return {};
  }

 protected:
  Status create(const netlink::RuleSpec& rule) override {
    const std::string text = rule.describe();
    journal_.entries.push_back("rule+ " + text);
    if (journal_.failing.contains(text)) return Error{ENETUNREACH, "adding " + text};
    if (rule.priority && journal_.rules.contains(text)) return Error{EEXIST, "adding " + text};
    journal_.rules.insert(text);
    return {};
  }

 private:
  RoutingJournal& journal_;
};

// The kernel's addresses as AddressManager, known by "ADDR/LEN dev IF":
// add replaces, removing one that is not there fails with EADDRNOTAVAIL.
class FakeAddressManager final : public netlink::AddressManager {
 public:
  explicit FakeAddressManager(RoutingJournal& journal) : journal_(journal) {}
  static std::string text(const netlink::AddressSpec& spec) {
    return spec.address.toString() + " dev " + spec.interface.describe();
  }
  Status add(const netlink::AddressSpec& spec) override {
    journal_.entries.push_back("address+ " + text(spec));
    if (journal_.failing.contains(text(spec))) return Error{ENODEV, "adding " + text(spec)};
    journal_.addresses.insert(text(spec));
    lastAdded = spec;
    return {};
  }
  Status remove(const netlink::AddressSpec& spec) override {
    journal_.entries.push_back("address- " + text(spec));
    if (journal_.addresses.erase(text(spec)) == 0) {
      return Error{EADDRNOTAVAIL, "removing " + text(spec)};
    }
    return {};
  }
  Result<std::vector<netlink::InstalledAddress>> list(const netlink::InterfaceRef&, int) override {
    return std::vector<netlink::InstalledAddress>{};
  }

  netlink::AddressSpec lastAdded;

 private:
  RoutingJournal& journal_;
};

}  // namespace vigil::fakes
