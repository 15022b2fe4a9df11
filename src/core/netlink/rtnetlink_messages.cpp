#include "core/netlink/rtnetlink_messages.h"

#include <linux/fib_rules.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

#include <array>
#include <cstring>

namespace vigil::netlink {
namespace {

std::optional<IpAddress> addressIn(const nlattr* attr, int family) {
  const size_t size = family == AF_INET ? 4 : 16;
  if (attr == nullptr || static_cast<size_t>(nla_len(attr)) < size) return std::nullopt;
  return IpAddress::fromBytes(family, static_cast<const uint8_t*>(nla_data(attr)));
}

IpAddress anyAddress(int family) {
  const std::array<uint8_t, 16> zero{};
  return IpAddress::fromBytes(family, zero.data());
}

std::optional<uint32_t> u32In(const nlattr* attr) {
  if (attr == nullptr || nla_len(attr) < 4) return std::nullopt;
  return nla_get_u32(const_cast<nlattr*>(attr));
}

std::optional<uint8_t> u8In(const nlattr* attr) {
  if (attr == nullptr || nla_len(attr) < 1) return std::nullopt;
  return nla_get_u8(const_cast<nlattr*>(attr));
}

std::string stringIn(const nlattr* attr) {
  if (attr == nullptr || nla_len(attr) < 1) return {};
  const char* text = static_cast<const char*>(nla_data(attr));
  return std::string(text, strnlen(text, static_cast<size_t>(nla_len(attr))));
}

template <typename Range, typename Out>
std::optional<Out> rangeIn(const nlattr* attr) {
  Range range{};
  if (attr == nullptr || static_cast<size_t>(nla_len(attr)) < sizeof range) return std::nullopt;
  std::memcpy(&range, nla_data(attr), sizeof range);
  return Out{range.start, range.end};
}

std::optional<IpPrefix> prefixIn(const nlattr* attr, int family, unsigned length) {
  auto address = addressIn(attr, family);
  if (!address) return std::nullopt;
  return IpPrefix{*address, length};
}

// RTA_MULTIPATH: a struct rtnexthop per hop, its attributes after it.
void nextHopsIn(const nlattr* attr, int family, std::vector<KernelNextHop>& out) {
  auto remaining = static_cast<size_t>(nla_len(attr));
  const auto* bytes = static_cast<const uint8_t*>(nla_data(attr));
  while (remaining >= sizeof(rtnexthop)) {
    rtnexthop hop{};
    std::memcpy(&hop, bytes, sizeof hop);
    if (hop.rtnh_len < sizeof hop || hop.rtnh_len > remaining) return;
    std::array<nlattr*, RTA_MAX + 1> tb{};
    const auto* first = reinterpret_cast<const nlattr*>(bytes + RTNH_LENGTH(0));
    const int length = static_cast<int>(hop.rtnh_len - RTNH_LENGTH(0));
    if (nla_parse(tb.data(), RTA_MAX, const_cast<nlattr*>(first), length, nullptr) < 0) return;
    out.push_back({addressIn(tb[RTA_GATEWAY], family), hop.rtnh_ifindex});
    const size_t step = RTNH_ALIGN(hop.rtnh_len);
    if (step >= remaining) return;
    bytes += step;
    remaining -= step;
  }
}

bool ipFamily(int family) { return family == AF_INET || family == AF_INET6; }

}  // namespace

std::optional<InstalledAddress> parseAddressMessage(nlmsghdr* header) {
  std::array<nlattr*, IFA_MAX + 1> tb{};
  if (nlmsg_parse(header, sizeof(ifaddrmsg), tb.data(), IFA_MAX, nullptr) < 0) return std::nullopt;
  const auto* ifa = static_cast<const ifaddrmsg*>(nlmsg_data(header));
  if (!ipFamily(ifa->ifa_family)) return std::nullopt;
  // IFA_LOCAL is the address itself; IFA_ADDRESS the peer's on a
  // point-to-point link (and the address elsewhere).
  std::optional<IpAddress> address = addressIn(tb[IFA_LOCAL], ifa->ifa_family);
  if (!address) address = addressIn(tb[IFA_ADDRESS], ifa->ifa_family);
  if (!address) return std::nullopt;
  InstalledAddress out;
  out.ifindex = static_cast<int>(ifa->ifa_index);
  out.address = {*address, ifa->ifa_prefixlen};
  out.scope = ifa->ifa_scope;
  out.flags = u32In(tb[IFA_FLAGS]).value_or(ifa->ifa_flags);
  return out;
}

std::optional<KernelRoute> parseRouteMessage(nlmsghdr* header) {
  std::array<nlattr*, RTA_MAX + 1> tb{};
  if (nlmsg_parse(header, sizeof(rtmsg), tb.data(), RTA_MAX, nullptr) < 0) return std::nullopt;
  const auto* rt = static_cast<const rtmsg*>(nlmsg_data(header));
  if (!ipFamily(rt->rtm_family)) return std::nullopt;
  KernelRoute out;
  out.destination = {addressIn(tb[RTA_DST], rt->rtm_family).value_or(anyAddress(rt->rtm_family)),
                     rt->rtm_dst_len};
  out.table = u32In(tb[RTA_TABLE]).value_or(rt->rtm_table);
  out.metric = u32In(tb[RTA_PRIORITY]).value_or(0);
  out.tos = rt->rtm_tos;
  out.protocol = rt->rtm_protocol;
  out.type = rt->rtm_type;
  auto gateway = addressIn(tb[RTA_GATEWAY], rt->rtm_family);
  auto oif = u32In(tb[RTA_OIF]);
  if (gateway || oif) out.nextHops.push_back({gateway, static_cast<int>(oif.value_or(0))});
  if (tb[RTA_MULTIPATH] != nullptr) nextHopsIn(tb[RTA_MULTIPATH], rt->rtm_family, out.nextHops);
  return out;
}

std::optional<RuleSpec> parseRuleMessage(nlmsghdr* header) {
  std::array<nlattr*, FRA_MAX + 1> tb{};
  if (nlmsg_parse(header, sizeof(fib_rule_hdr), tb.data(), FRA_MAX, nullptr) < 0) {
    return std::nullopt;
  }
  const auto* frh = static_cast<const fib_rule_hdr*>(nlmsg_data(header));
  if (!ipFamily(frh->family)) return std::nullopt;
  RuleSpec out;
  out.family = frh->family;
  out.source = prefixIn(tb[FRA_SRC], frh->family, frh->src_len);
  out.destination = prefixIn(tb[FRA_DST], frh->family, frh->dst_len);
  out.invert = (frh->flags & FIB_RULE_INVERT) != 0;
  out.iif = stringIn(tb[FRA_IIFNAME]);
  out.oif = stringIn(tb[FRA_OIFNAME]);
  out.fwmark = u32In(tb[FRA_FWMARK]);
  out.fwmask = u32In(tb[FRA_FWMASK]);
  out.tos = frh->tos;
  out.realms = u32In(tb[FRA_FLOW]);
  out.uidRange = rangeIn<fib_rule_uid_range, RuleSpec::Range>(tb[FRA_UID_RANGE]);
  out.ipProto = u8In(tb[FRA_IP_PROTO]);
  out.sport = rangeIn<fib_rule_port_range, RuleSpec::Range>(tb[FRA_SPORT_RANGE]);
  out.dport = rangeIn<fib_rule_port_range, RuleSpec::Range>(tb[FRA_DPORT_RANGE]);
  out.l3mdev = u8In(tb[FRA_L3MDEV]).value_or(0) != 0;
  out.action = frh->action;
  out.table = u32In(tb[FRA_TABLE]).value_or(frh->table);
  out.gotoTarget = u32In(tb[FRA_GOTO]).value_or(0);
  out.suppressPrefixLength = u32In(tb[FRA_SUPPRESS_PREFIXLEN]);
  out.suppressIfGroup = u32In(tb[FRA_SUPPRESS_IFGROUP]);
  out.priority = u32In(tb[FRA_PRIORITY]);
  out.protocol = u8In(tb[FRA_PROTOCOL]).value_or(0);
  return out;
}

}  // namespace vigil::netlink
