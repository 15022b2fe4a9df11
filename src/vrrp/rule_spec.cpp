#include "vrrp/rule_spec.h"

#include <linux/fib_rules.h>

namespace vigil::vrrp {
namespace {

uint8_t kernelAction(config::VirtualRule::Action action) {
  using Action = config::VirtualRule::Action;
  switch (action) {
    case Action::Goto:
      return FR_ACT_GOTO;
    case Action::Nop:
      return FR_ACT_NOP;
    case Action::Blackhole:
      return FR_ACT_BLACKHOLE;
    case Action::Unreachable:
      return FR_ACT_UNREACHABLE;
    case Action::Prohibit:
      return FR_ACT_PROHIBIT;
    case Action::Lookup:
      break;
  }
  return FR_ACT_TO_TBL;
}

std::optional<netlink::RuleSpec::Range> range(const std::optional<config::RuleRange>& r) {
  if (!r) return std::nullopt;
  return netlink::RuleSpec::Range{r->start, r->end};
}

}  // namespace

Result<netlink::RuleSpec> ruleSpecFor(const config::VirtualRule& rule,
                                      const RouteTableLookup& tables) {
  netlink::RuleSpec spec;
  spec.family = rule.family();
  spec.source = rule.from;
  spec.destination = rule.to;
  spec.invert = rule.invert;
  spec.iif = rule.iif;
  spec.oif = rule.oif;
  spec.fwmark = rule.fwmark;
  spec.fwmask = rule.fwmask;
  spec.tos = rule.tos.value_or(0);
  spec.realms = rule.realms;
  spec.uidRange = range(rule.uidRange);
  spec.ipProto = rule.ipProto;
  spec.sport = range(rule.sport);
  spec.dport = range(rule.dport);
  spec.l3mdev = rule.l3mdev;
  spec.action = kernelAction(rule.action);
  spec.gotoTarget = rule.gotoTarget;
  spec.suppressPrefixLength = rule.suppressPrefixLength;
  spec.suppressIfGroup = rule.suppressIfGroup;
  spec.priority = rule.preference;
  if (rule.protocol) spec.protocol = *rule.protocol;
  if (spec.action == FR_ACT_TO_TBL && !spec.l3mdev) {
    auto table = routeTableId(rule.table, tables);
    if (!table) {
      return Error{EINVAL, "rule " + spec.describe() + ": unknown table '" + rule.table + "'"};
    }
    spec.table = *table;
  }
  return spec;
}

}  // namespace vigil::vrrp
