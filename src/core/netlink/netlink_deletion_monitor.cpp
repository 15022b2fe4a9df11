#include "core/netlink/netlink_deletion_monitor.h"

#include <linux/fib_rules.h>
#include <linux/if_addr.h>
#include <netlink/errno.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>
#include <sys/epoll.h>

#include <array>
#include <optional>
#include <string>

#include "core/log.h"

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

uint32_t u32In(const nlattr* attr, uint32_t otherwise) {
  return attr != nullptr && nla_len(attr) >= 4 ? nla_get_u32(const_cast<nlattr*>(attr)) : otherwise;
}

std::optional<DeletedEntry> parseAddress(nlmsghdr* header) {
  std::array<nlattr*, IFA_MAX + 1> tb{};
  if (nlmsg_parse(header, sizeof(ifaddrmsg), tb.data(), IFA_MAX, nullptr) < 0) return std::nullopt;
  const auto* ifa = static_cast<const ifaddrmsg*>(nlmsg_data(header));
  if (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6) return std::nullopt;
  // IFA_LOCAL is the address itself; IFA_ADDRESS the peer's on a
  // point-to-point link (and the address elsewhere).
  std::optional<IpAddress> address = addressIn(tb[IFA_LOCAL], ifa->ifa_family);
  if (!address) address = addressIn(tb[IFA_ADDRESS], ifa->ifa_family);
  if (!address) return std::nullopt;
  DeletedEntry out;
  out.kind = DeletedEntry::Kind::Address;
  out.family = ifa->ifa_family;
  out.ifindex = static_cast<int>(ifa->ifa_index);
  out.prefix = {*address, ifa->ifa_prefixlen};
  return out;
}

std::optional<DeletedEntry> parseRoute(nlmsghdr* header) {
  std::array<nlattr*, RTA_MAX + 1> tb{};
  if (nlmsg_parse(header, sizeof(rtmsg), tb.data(), RTA_MAX, nullptr) < 0) return std::nullopt;
  const auto* rt = static_cast<const rtmsg*>(nlmsg_data(header));
  if (rt->rtm_family != AF_INET && rt->rtm_family != AF_INET6) return std::nullopt;
  DeletedEntry out;
  out.kind = DeletedEntry::Kind::Route;
  out.family = rt->rtm_family;
  out.prefix = {addressIn(tb[RTA_DST], rt->rtm_family).value_or(anyAddress(rt->rtm_family)),
                rt->rtm_dst_len};
  out.table = u32In(tb[RTA_TABLE], rt->rtm_table);
  out.priority = u32In(tb[RTA_PRIORITY], 0);
  out.ifindex = static_cast<int>(u32In(tb[RTA_OIF], 0));
  out.protocol = rt->rtm_protocol;
  out.tos = rt->rtm_tos;
  return out;
}

std::optional<DeletedEntry> parseRule(nlmsghdr* header) {
  std::array<nlattr*, FRA_MAX + 1> tb{};
  if (nlmsg_parse(header, sizeof(fib_rule_hdr), tb.data(), FRA_MAX, nullptr) < 0) {
    return std::nullopt;
  }
  const auto* frh = static_cast<const fib_rule_hdr*>(nlmsg_data(header));
  if (frh->family != AF_INET && frh->family != AF_INET6) return std::nullopt;
  DeletedEntry out;
  out.kind = DeletedEntry::Kind::Rule;
  out.family = frh->family;
  out.table = u32In(tb[FRA_TABLE], frh->table);
  out.hasPriority = tb[FRA_PRIORITY] != nullptr;
  out.priority = u32In(tb[FRA_PRIORITY], 0);
  if (tb[FRA_PROTOCOL] != nullptr && nla_len(tb[FRA_PROTOCOL]) >= 1) {
    out.protocol = nla_get_u8(tb[FRA_PROTOCOL]);
  }
  return out;
}

}  // namespace

Result<std::unique_ptr<NetlinkDeletionMonitor>> NetlinkDeletionMonitor::start(EventLoop& loop) {
  auto sock = NlSocket::connectRoute();
  if (!sock) return sock.error();
  std::unique_ptr<NetlinkDeletionMonitor> monitor(new NetlinkDeletionMonitor(std::move(*sock)));
  nl_sock* raw = monitor->events_.get();
  nl_socket_disable_seq_check(raw);  // notifications carry no sequence numbers of ours
  nl_socket_modify_cb(raw, NL_CB_VALID, NL_CB_CUSTOM, &NetlinkDeletionMonitor::onMessage,
                      monitor.get());
  if (int rc = nl_socket_set_nonblocking(raw); rc < 0) {
    return nlError(rc, "netlink: making the deletion monitor socket non-blocking");
  }
  NetlinkDeletionMonitor* self = monitor.get();
  monitor->watch_ =
      loop.watchFd(nl_socket_get_fd(raw), EPOLLIN, [self](uint32_t) { self->onReadable(); });
  return monitor;
}

Status NetlinkDeletionMonitor::watch(const NotificationGroups& groups) {
  nl_sock* raw = events_.get();
  for (uint32_t group : NotificationGroups(joined_)) {
    if (groups.contains(group)) continue;
    if (int rc = nl_socket_drop_memberships(raw, static_cast<int>(group), 0); rc < 0) {
      return nlError(rc, "netlink: leaving notification group " + std::to_string(group));
    }
    joined_.erase(group);
  }
  for (uint32_t group : groups) {
    if (joined_.contains(group)) continue;
    if (int rc = nl_socket_add_memberships(raw, static_cast<int>(group), 0); rc < 0) {
      return nlError(rc, "netlink: joining notification group " + std::to_string(group));
    }
    joined_.insert(group);
  }
  return {};
}

void NetlinkDeletionMonitor::onReadable() {
  if (nl_recvmsgs_default(events_.get()) == -NLE_NOMEM) {
    // ENOBUFS: the kernel dropped notifications, deletions among them. A
    // router whose routes churn can overflow often: logged at the 1st, 2nd,
    // 4th, 8th, ... time only.
    ++overflows_;
    if ((overflows_ & (overflows_ - 1)) != 0) return;
    log(LogLevel::Warning,
        "netlink: deletion notifications lost ({} times); a static entry deleted meanwhile is "
        "added again only when its interface comes up",
        overflows_);
  }
}

int NetlinkDeletionMonitor::onMessage(nl_msg* msg, void* self) {
  nlmsghdr* header = nlmsg_hdr(msg);
  std::optional<DeletedEntry> deleted;
  switch (header->nlmsg_type) {
    case RTM_DELADDR:
      deleted = parseAddress(header);
      break;
    case RTM_DELROUTE:
      deleted = parseRoute(header);
      break;
    case RTM_DELRULE:
      deleted = parseRule(header);
      break;
    default:
      return NL_OK;
  }
  auto* monitor = static_cast<NetlinkDeletionMonitor*>(self);
  if (deleted && monitor->listener_) monitor->listener_(*deleted);
  return NL_OK;
}

}  // namespace vigil::netlink
