#pragma once

#include <linux/fib_rules.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "core/ip_address.h"
#include "core/netlink/route_manager.h"
#include "core/result.h"

namespace vigil::netlink {

// One policy rule (ip rule add [not] [from P] [to P] [iif IF] [oif IF]
// [fwmark M[/MASK]] [tos T] [realms R] [uidrange A-B] [ipproto N]
// [sport A-B] [dport A-B] [l3mdev] [lookup T | goto N | nop | blackhole |
// unreachable | prohibit] [suppress_prefixlength N] [suppress_ifgroup N]
// [pref N] [protocol P]): the fields of struct fib_rule_hdr and the FRA_*
// attributes of <linux/fib_rules.h>, resolved to numbers.
struct RuleSpec {
  using Range = std::pair<uint32_t, uint32_t>;

  int family = AF_INET;
  std::optional<IpPrefix> source;       // from
  std::optional<IpPrefix> destination;  // to
  bool invert = false;                  // FIB_RULE_INVERT
  std::string iif;
  std::string oif;
  std::optional<uint32_t> fwmark;
  std::optional<uint32_t> fwmask;
  uint8_t tos = 0;
  std::optional<uint32_t> realms;  // FRA_FLOW: FROM << 16 | TO
  std::optional<Range> uidRange;
  std::optional<uint8_t> ipProto;
  std::optional<Range> sport;
  std::optional<Range> dport;
  bool l3mdev = false;
  uint8_t action = FR_ACT_TO_TBL;
  uint32_t table = 0;       // FR_ACT_TO_TBL without l3mdev only
  uint32_t gotoTarget = 0;  // FR_ACT_GOTO only
  std::optional<uint32_t> suppressPrefixLength;
  std::optional<uint32_t> suppressIfGroup;
  std::optional<uint32_t> priority;  // unset: the kernel picks one
  uint8_t protocol = kRouteProtocolKeepalived;

  // The rule in `ip rule`'s words (without `proto keepalived`, the
  // default); two specs with the same text are the same rule.
  std::string describe() const;
};

// Adds and removes policy rules (virtual_rules, static_rules). An interface
// so the VRRP runtime can be tested with a fake that behaves as the kernel.
class RuleManager {
 public:
  virtual ~RuleManager() = default;
  // Adds the rule; an identical one already there is success, not a second
  // copy. A rule without a preference is removed first (ENOENT ignored): the
  // kernel gives it a free preference before its NLM_F_EXCL check
  // (net/core/fib_rules.c), so a second add would never see EEXIST and would
  // stack another copy at 32765, 32764, ... (a respawned worker, a restart
  // after SIGKILL).
  Status add(const RuleSpec& rule) {
    if (!rule.priority) {
      Status removed = remove(rule);
      if (!removed && removed.error().code != ENOENT) return removed;
    }
    Status created = create(rule);
    if (!created && created.error().code == EEXIST) return {};
    return created;
  }
  // Removes the first rule matching every field set (the kernel's match:
  // unset preference matches any).
  virtual Status remove(const RuleSpec& rule) = 0;

 protected:
  // RTM_NEWRULE with NLM_F_CREATE | NLM_F_EXCL: EEXIST when an identical rule
  // with the same preference is there; one without a preference is always
  // added.
  virtual Status create(const RuleSpec& rule) = 0;
};

}  // namespace vigil::netlink
