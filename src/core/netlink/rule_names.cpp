#include <linux/rtnetlink.h>

#include <cstdio>

#include "core/netlink/rule_manager.h"

namespace vigil::netlink {
namespace {

std::string hex(uint32_t value) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%x", value);
  return buf;
}

std::string range(const RuleSpec::Range& r) {
  return r.first == r.second ? std::to_string(r.first)
                             : std::to_string(r.first) + "-" + std::to_string(r.second);
}

std::string actionText(const RuleSpec& rule) {
  switch (rule.action) {
    case FR_ACT_TO_TBL:
      if (rule.l3mdev) return "lookup [l3mdev-table]";
      return rule.table == RT_TABLE_MAIN ? "lookup main" : "lookup " + std::to_string(rule.table);
    case FR_ACT_GOTO:
      return "goto " + std::to_string(rule.gotoTarget);
    case FR_ACT_NOP:
      return "nop";
    case FR_ACT_BLACKHOLE:
      return "blackhole";
    case FR_ACT_UNREACHABLE:
      return "unreachable";
    case FR_ACT_PROHIBIT:
      return "prohibit";
    default:
      return "action " + std::to_string(rule.action);
  }
}

}  // namespace

std::string RuleSpec::describe() const {
  std::string out = family == AF_INET6 ? "inet6 " : "";
  if (invert) out += "not ";
  out += "from " + (source ? source->toString() : std::string("all"));
  if (destination) out += " to " + destination->toString();
  if (tos != 0) out += " tos " + hex(tos);
  if (fwmark) out += " fwmark " + hex(*fwmark) + (fwmask ? "/" + hex(*fwmask) : "");
  if (iif.size()) out += " iif " + iif;
  if (oif.size()) out += " oif " + oif;
  if (uidRange)
    out += " uidrange " + std::to_string(uidRange->first) + "-" + std::to_string(uidRange->second);
  if (ipProto) out += " ipproto " + std::to_string(*ipProto);
  if (sport) out += " sport " + range(*sport);
  if (dport) out += " dport " + range(*dport);
  out += " " + actionText(*this);
  if (suppressPrefixLength)
    out += " suppress_prefixlength " + std::to_string(*suppressPrefixLength);
  if (suppressIfGroup) out += " suppress_ifgroup " + std::to_string(*suppressIfGroup);
  if (realms)
    out += " realms " + std::to_string(*realms >> 16) + "/" + std::to_string(*realms & 0xffff);
  if (priority) out += " pref " + std::to_string(*priority);
  if (protocol != kRouteProtocolKeepalived) out += " proto " + routeProtocolName(protocol);
  return out;
}

}  // namespace vigil::netlink
