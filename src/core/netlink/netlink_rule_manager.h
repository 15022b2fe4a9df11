#pragma once

#include "core/netlink/nl_socket.h"
#include "core/netlink/rule_manager.h"

namespace vigil::netlink {

// RuleManager over an rtnetlink socket: RTM_NEWRULE / RTM_DELRULE messages
// built attribute by attribute (libnl's rtnl_rule lacks uidrange, not and
// suppress_*), sent and acknowledged synchronously.
class NetlinkRuleManager final : public RuleManager {
 public:
  static Result<NetlinkRuleManager> create();

  Status remove(const RuleSpec& rule) override;

 protected:
  Status create(const RuleSpec& rule) override;

 private:
  explicit NetlinkRuleManager(NlSocket sock) : sock_(std::move(sock)) {}
  Status send(int type, int flags, const RuleSpec& rule, const char* what);
  NlSocket sock_;
};

}  // namespace vigil::netlink
