#include "core/netlink/netlink_rule_manager.h"

#include <linux/rtnetlink.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>

#include <cerrno>
#include <memory>

namespace vigil::netlink {
namespace {

struct MsgFree {
  void operator()(nl_msg* m) const { nlmsg_free(m); }
};
using MsgPtr = std::unique_ptr<nl_msg, MsgFree>;

// Attribute writers; each false when the message is full.
bool putAddress(nl_msg* msg, int type, const IpPrefix& prefix) {
  return nla_put(msg, type, static_cast<int>(prefix.address.size()), prefix.address.bytes()) == 0;
}

bool putRange(nl_msg* msg, int type, const RuleSpec::Range& range) {
  fib_rule_port_range ports{};
  ports.start = static_cast<uint16_t>(range.first);
  ports.end = static_cast<uint16_t>(range.second);
  return nla_put(msg, type, sizeof ports, &ports) == 0;
}

bool putSelectors(nl_msg* msg, const RuleSpec& rule) {
  bool ok = true;
  if (rule.source) ok = ok && putAddress(msg, FRA_SRC, *rule.source);
  if (rule.destination) ok = ok && putAddress(msg, FRA_DST, *rule.destination);
  if (!rule.iif.empty()) ok = ok && nla_put_string(msg, FRA_IIFNAME, rule.iif.c_str()) == 0;
  if (!rule.oif.empty()) ok = ok && nla_put_string(msg, FRA_OIFNAME, rule.oif.c_str()) == 0;
  if (rule.fwmark) ok = ok && nla_put_u32(msg, FRA_FWMARK, *rule.fwmark) == 0;
  if (rule.fwmask) ok = ok && nla_put_u32(msg, FRA_FWMASK, *rule.fwmask) == 0;
  if (rule.realms) ok = ok && nla_put_u32(msg, FRA_FLOW, *rule.realms) == 0;
  if (rule.uidRange) {
    fib_rule_uid_range uids{rule.uidRange->first, rule.uidRange->second};
    ok = ok && nla_put(msg, FRA_UID_RANGE, sizeof uids, &uids) == 0;
  }
  if (rule.ipProto) ok = ok && nla_put_u8(msg, FRA_IP_PROTO, *rule.ipProto) == 0;
  if (rule.sport) ok = ok && putRange(msg, FRA_SPORT_RANGE, *rule.sport);
  if (rule.dport) ok = ok && putRange(msg, FRA_DPORT_RANGE, *rule.dport);
  if (rule.l3mdev) ok = ok && nla_put_u8(msg, FRA_L3MDEV, 1) == 0;
  return ok;
}

bool putAction(nl_msg* msg, const RuleSpec& rule) {
  bool ok = true;
  if (rule.action == FR_ACT_TO_TBL && !rule.l3mdev) {
    ok = ok && nla_put_u32(msg, FRA_TABLE, rule.table) == 0;
  }
  if (rule.action == FR_ACT_GOTO) ok = ok && nla_put_u32(msg, FRA_GOTO, rule.gotoTarget) == 0;
  if (rule.suppressPrefixLength) {
    ok = ok && nla_put_u32(msg, FRA_SUPPRESS_PREFIXLEN, *rule.suppressPrefixLength) == 0;
  }
  if (rule.suppressIfGroup) {
    ok = ok && nla_put_u32(msg, FRA_SUPPRESS_IFGROUP, *rule.suppressIfGroup) == 0;
  }
  if (rule.priority) ok = ok && nla_put_u32(msg, FRA_PRIORITY, *rule.priority) == 0;
  ok = ok && nla_put_u8(msg, FRA_PROTOCOL, rule.protocol) == 0;
  return ok;
}

Result<MsgPtr> buildMessage(int type, int flags, const RuleSpec& rule) {
  MsgPtr msg(nlmsg_alloc_simple(type, flags));
  if (!msg) return Error{ENOMEM, "rule " + rule.describe()};
  fib_rule_hdr hdr{};
  hdr.family = static_cast<uint8_t>(rule.family);
  hdr.src_len = rule.source ? static_cast<uint8_t>(rule.source->length) : 0;
  hdr.dst_len = rule.destination ? static_cast<uint8_t>(rule.destination->length) : 0;
  hdr.tos = rule.tos;
  hdr.action = rule.action;
  // Tables past 255 travel in FRA_TABLE only.
  if (rule.action == FR_ACT_TO_TBL && !rule.l3mdev && rule.table < 256) {
    hdr.table = static_cast<uint8_t>(rule.table);
  }
  if (rule.invert) hdr.flags |= FIB_RULE_INVERT;
  if (nlmsg_append(msg.get(), &hdr, sizeof hdr, NLMSG_ALIGNTO) < 0 ||
      !putSelectors(msg.get(), rule) || !putAction(msg.get(), rule)) {
    return Error{EMSGSIZE, "rule " + rule.describe()};
  }
  return msg;
}

}  // namespace

Result<NetlinkRuleManager> NetlinkRuleManager::create() {
  auto sock = NlSocket::connectRoute();
  if (!sock) return sock.error();
  return NetlinkRuleManager(std::move(*sock));
}

Status NetlinkRuleManager::send(int type, int flags, const RuleSpec& rule, const char* what) {
  auto msg = buildMessage(type, flags, rule);
  if (!msg) return msg.error();
  // nl_send_sync frees the message and waits for the kernel's ack.
  if (int rc = nl_send_sync(sock_.get(), msg->release()); rc < 0) {
    return nlError(rc, std::string(what) + " rule " + rule.describe());
  }
  return {};
}

Status NetlinkRuleManager::create(const RuleSpec& rule) {
  return send(RTM_NEWRULE, NLM_F_CREATE | NLM_F_EXCL, rule, "adding");
}

Status NetlinkRuleManager::remove(const RuleSpec& rule) {
  return send(RTM_DELRULE, 0, rule, "removing");
}

}  // namespace vigil::netlink
