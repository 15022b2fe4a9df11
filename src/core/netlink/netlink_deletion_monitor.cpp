#include "core/netlink/netlink_deletion_monitor.h"

#include <netlink/errno.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>
#include <sys/epoll.h>

#include <optional>
#include <string>
#include <utility>

#include "core/log.h"
#include "core/netlink/rtnetlink_messages.h"

namespace vigil::netlink {
namespace {

std::optional<DeletedEntry> parseAddress(nlmsghdr* header) {
  std::optional<InstalledAddress> address = parseAddressMessage(header);
  if (!address) return std::nullopt;
  DeletedEntry out;
  out.kind = DeletedEntry::Kind::Address;
  out.ifindex = address->ifindex;
  out.address = address->address;
  return out;
}

std::optional<DeletedEntry> parseRoute(nlmsghdr* header) {
  std::optional<KernelRoute> route = parseRouteMessage(header);
  if (!route) return std::nullopt;
  DeletedEntry out;
  out.kind = DeletedEntry::Kind::Route;
  out.route = std::move(*route);
  return out;
}

std::optional<DeletedEntry> parseRule(nlmsghdr* header) {
  std::optional<RuleSpec> rule = parseRuleMessage(header);
  if (!rule) return std::nullopt;
  DeletedEntry out;
  out.kind = DeletedEntry::Kind::Rule;
  out.rule = std::move(*rule);
  return out;
}

}  // namespace

std::optional<DeletedEntry> parseDeletion(nlmsghdr* header) {
  switch (header->nlmsg_type) {
    case RTM_DELADDR:
      return parseAddress(header);
    case RTM_DELROUTE:
      return parseRoute(header);
    case RTM_DELRULE:
      return parseRule(header);
    default:
      return std::nullopt;
  }
}

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
    if ((overflows_ & (overflows_ - 1)) == 0) {
      log(LogLevel::Warning,
          "netlink: deletion notifications lost ({} times); what was deleted meanwhile is found "
          "by reading the kernel's tables again",
          overflows_);
    }
    if (lossListener_) lossListener_();
  }
}

int NetlinkDeletionMonitor::onMessage(nl_msg* msg, void* self) {
  std::optional<DeletedEntry> deleted = parseDeletion(nlmsg_hdr(msg));
  auto* monitor = static_cast<NetlinkDeletionMonitor*>(self);
  if (deleted && monitor->listener_) monitor->listener_(*deleted);
  return NL_OK;
}

}  // namespace vigil::netlink
