#include "core/netlink/netlink_address_monitor.h"

#include <netlink/cache.h>
#include <netlink/errno.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/socket.h>
#include <sys/epoll.h>

#include <optional>

#include "core/log.h"

namespace vigil::netlink {

namespace {

struct CacheFree {
  void operator()(nl_cache* c) const { nl_cache_free(c); }
};

std::optional<LocalAddress> toLocal(rtnl_addr* addr) {
  nl_addr* local = rtnl_addr_get_local(addr);
  if (local == nullptr) {
    return std::nullopt;
  }
  const int family = nl_addr_get_family(local);
  if (family != AF_INET && family != AF_INET6) {
    return std::nullopt;
  }
  return LocalAddress{
      rtnl_addr_get_ifindex(addr),
      IpAddress::fromBytes(family, static_cast<const uint8_t*>(nl_addr_get_binary_addr(local)))};
}

void parseAddr(nl_object* obj, void* out) {
  *static_cast<std::optional<LocalAddress>*>(out) = toLocal(reinterpret_cast<rtnl_addr*>(obj));
}

}  // namespace

Result<std::unique_ptr<NetlinkAddressMonitor>> NetlinkAddressMonitor::start(EventLoop& loop) {
  auto sock = NlSocket::connectRoute();
  if (!sock) {
    return sock.error();
  }
  std::unique_ptr<NetlinkAddressMonitor> monitor(new NetlinkAddressMonitor(std::move(*sock)));
  nl_sock* raw = monitor->events_.get();
  // Notifications carry no sequence numbers of ours.
  nl_socket_disable_seq_check(raw);
  nl_socket_modify_cb(raw, NL_CB_VALID, NL_CB_CUSTOM, &NetlinkAddressMonitor::onMessage,
                      monitor.get());
  if (int rc = nl_socket_add_memberships(raw, RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR, 0);
      rc < 0) {
    return nlError(rc, "netlink: subscribing to address notifications");
  }
  if (int rc = nl_socket_set_nonblocking(raw); rc < 0) {
    return nlError(rc, "netlink: making the address monitor socket non-blocking");
  }
  // Subscribe first, then dump: a change between the two is seen twice,
  // never missed.
  if (Status st = monitor->dump(); !st) {
    return st.error();
  }
  NetlinkAddressMonitor* self = monitor.get();
  monitor->watch_ =
      loop.watchFd(nl_socket_get_fd(raw), EPOLLIN, [self](uint32_t) { self->onReadable(); });
  return monitor;
}

Status NetlinkAddressMonitor::dump() {
  auto sock = NlSocket::connectRoute();
  if (!sock) {
    return sock.error();
  }
  nl_cache* raw = nullptr;
  if (int rc = rtnl_addr_alloc_cache(sock->get(), &raw); rc < 0) {
    return nlError(rc, "netlink: dumping addresses");
  }
  std::unique_ptr<nl_cache, CacheFree> cache(raw);
  std::set<LocalAddress> seen;
  for (nl_object* obj = nl_cache_get_first(raw); obj != nullptr; obj = nl_cache_get_next(obj)) {
    if (auto local = toLocal(reinterpret_cast<rtnl_addr*>(obj))) {
      seen.insert(*local);
      apply(*local, false);
    }
  }
  for (auto it = addresses_.begin(); it != addresses_.end();) {
    auto next = std::next(it);
    if (!seen.contains(*it)) {
      apply(*it, true);
    }
    it = next;
  }
  return {};
}

void NetlinkAddressMonitor::onReadable() {
  int rc = nl_recvmsgs_default(events_.get());
  if (rc == -NLE_NOMEM) {
    // ENOBUFS: the kernel dropped notifications; start again from a dump.
    ++resyncs_;
    if (Status st = dump(); !st) {
      log(LogLevel::Warning, "address monitor resync failed: {}", st.error().describe());
    }
  }
}

int NetlinkAddressMonitor::onMessage(nl_msg* msg, void* self) {
  int type = nlmsg_hdr(msg)->nlmsg_type;
  if (type != RTM_NEWADDR && type != RTM_DELADDR) {
    return NL_OK;
  }
  std::optional<LocalAddress> parsed;
  nl_msg_parse(msg, &parseAddr, &parsed);
  if (parsed) {
    static_cast<NetlinkAddressMonitor*>(self)->apply(*parsed, type == RTM_DELADDR);
  }
  return NL_OK;
}

void NetlinkAddressMonitor::apply(const LocalAddress& address, bool removed) {
  // The kernel repeats RTM_NEWADDR for lifetime refreshes: only a change
  // of presence is reported.
  if (removed ? addresses_.erase(address) == 0 : !addresses_.insert(address).second) {
    return;
  }
  if (listener_) {
    listener_(address, removed);
  }
}

}  // namespace vigil::netlink
