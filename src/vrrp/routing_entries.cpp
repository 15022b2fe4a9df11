#include "vrrp/routing_entries.h"

#include <algorithm>
#include <cerrno>

#include "core/log.h"
#include "vrrp/route_spec.h"
#include "vrrp/rule_spec.h"

namespace vigil::vrrp {

RoutingEntries::RoutingEntries(netlink::RouteManager* routes, netlink::RuleManager* rules,
                               std::string owner)
    : routes_(routes), rules_(rules), owner_(std::move(owner)) {}

const char* RoutingEntries::Entry::kind() const {
  return spec && std::holds_alternative<netlink::RuleSpec>(*spec) ? "rule" : "route";
}

std::vector<RoutingEntries::Entry> RoutingEntries::build(
    const std::vector<config::VirtualRoute>& routes,
    const std::vector<config::VirtualRule>& rules) const {
  std::vector<Entry> out;
  for (const config::VirtualRoute& route : routes) {
    Result<netlink::RouteSpec> spec = routeSpecFor(route);
    if (!spec) {
      log(LogLevel::Error, "{} will not install route {}: {}", owner_, route.to.toString(),
          spec.error().describe());
      out.push_back({route.to.toString(), std::nullopt});
      continue;
    }
    out.push_back({spec->describe(), Spec(*spec)});
  }
  for (const config::VirtualRule& rule : rules) {
    Result<netlink::RuleSpec> spec = ruleSpecFor(rule);
    if (!spec) {
      // Not rule.pos: a configuration's source names need not outlive it.
      log(LogLevel::Error, "{} will not install {}", owner_, spec.error().describe());
      out.push_back({spec.error().describe(), std::nullopt});
      continue;
    }
    out.push_back({spec->describe(), Spec(*spec)});
  }
  return out;
}

void RoutingEntries::configure(const std::vector<config::VirtualRoute>& routes,
                               const std::vector<config::VirtualRule>& rules, std::string owner) {
  owner_ = std::move(owner);
  std::vector<Entry> next = build(routes, rules);
  for (Entry& old : entries_) {
    auto same = std::find_if(next.begin(), next.end(), [&](const Entry& e) {
      return e.spec && old.spec && e.spec->index() == old.spec->index() && e.text == old.text;
    });
    if (same != next.end()) {
      same->state = old.state;
    } else if (old.state != State::Absent) {
      uninstall(old);
    }
  }
  entries_ = std::move(next);
}

void RoutingEntries::installAll() {
  for (Entry& entry : entries_) {
    if (entry.state != State::Installed) install(entry);
  }
}

void RoutingEntries::uninstallAll() {
  for (Entry& entry : entries_) {
    if (entry.spec && std::holds_alternative<netlink::RuleSpec>(*entry.spec)) uninstall(entry);
  }
  for (Entry& entry : entries_) {
    if (!entry.spec || std::holds_alternative<netlink::RouteSpec>(*entry.spec)) uninstall(entry);
  }
}

std::vector<std::string> RoutingEntries::installed() const {
  std::vector<std::string> out;
  for (const Entry& entry : entries_) {
    if (entry.state == State::Installed) out.push_back(entry.text);
  }
  return out;
}

bool RoutingEntries::logsOnly(const Spec& spec) const {
  return std::holds_alternative<netlink::RouteSpec>(spec) ? routes_ == nullptr : rules_ == nullptr;
}

Status RoutingEntries::add(const Spec& spec) {
  if (const auto* route = std::get_if<netlink::RouteSpec>(&spec)) return routes_->add(*route);
  return rules_->add(std::get<netlink::RuleSpec>(spec));
}

Status RoutingEntries::remove(const Spec& spec) {
  if (const auto* route = std::get_if<netlink::RouteSpec>(&spec)) return routes_->remove(*route);
  return rules_->remove(std::get<netlink::RuleSpec>(spec));
}

void RoutingEntries::install(Entry& entry) {
  if (!entry.spec) return;
  if (logsOnly(*entry.spec)) {
    log(LogLevel::Info, "{} would add {} {}", owner_, entry.kind(), entry.text);
    entry.state = State::Installed;
    return;
  }
  Status added = add(*entry.spec);
  if (added) {
    if (entry.state == State::Failed) {
      log(LogLevel::Notice, "{} added {} {} after all", owner_, entry.kind(), entry.text);
    }
    entry.state = State::Installed;
    return;
  }
  if (entry.state != State::Failed) {
    log(LogLevel::Error, "{} cannot add {} {}: {}", owner_, entry.kind(), entry.text,
        added.error().describe());
  }
  entry.state = State::Failed;
}

void RoutingEntries::uninstall(Entry& entry) {
  const State was = entry.state;
  entry.state = State::Absent;
  if (!entry.spec) return;
  if (logsOnly(*entry.spec)) {
    if (was == State::Installed) {
      log(LogLevel::Info, "{} would remove {} {}", owner_, entry.kind(), entry.text);
    }
    return;
  }
  Status removed = remove(*entry.spec);
  const int code = removed ? 0 : removed.error().code;
  if (!removed && code != ENOENT && code != ESRCH && code != ENODEV) {
    log(LogLevel::Error, "{} cannot remove {} {}: {}", owner_, entry.kind(), entry.text,
        removed.error().describe());
  }
}

}  // namespace vigil::vrrp
