#include "core/netlink/netlink_link_monitor.h"

#include <net/if.h>
#include <netlink/cache.h>
#include <netlink/errno.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <netlink/socket.h>
#include <sys/epoll.h>

#include <set>

#include "core/log.h"

namespace vigil::netlink {

namespace {

struct CacheFree {
  void operator()(nl_cache* c) const { nl_cache_free(c); }
};

LinkState toState(rtnl_link* link) {
  LinkState state;
  state.ifindex = rtnl_link_get_ifindex(link);
  if (const char* name = rtnl_link_get_name(link); name != nullptr) {
    state.name = name;
  }
  unsigned flags = rtnl_link_get_flags(link);
  state.adminUp = (flags & IFF_UP) != 0;
  state.running = (flags & IFF_RUNNING) != 0;
  state.operState = rtnl_link_get_operstate(link);
  return state;
}

struct Parsed {
  LinkState state;
  bool valid = false;
};

void parseLink(nl_object* obj, void* out) {
  auto* parsed = static_cast<Parsed*>(out);
  parsed->state = toState(reinterpret_cast<rtnl_link*>(obj));
  parsed->valid = true;
}

}  // namespace

Result<std::unique_ptr<NetlinkLinkMonitor>> NetlinkLinkMonitor::start(EventLoop& loop) {
  auto sock = NlSocket::connectRoute();
  if (!sock) {
    return sock.error();
  }
  std::unique_ptr<NetlinkLinkMonitor> monitor(new NetlinkLinkMonitor(std::move(*sock)));
  nl_sock* raw = monitor->events_.get();
  // Notifications carry no sequence numbers of ours.
  nl_socket_disable_seq_check(raw);
  nl_socket_modify_cb(raw, NL_CB_VALID, NL_CB_CUSTOM, &NetlinkLinkMonitor::onMessage,
                      monitor.get());
  if (int rc = nl_socket_add_membership(raw, RTNLGRP_LINK); rc < 0) {
    return nlError(rc, "netlink: subscribing to link notifications");
  }
  if (int rc = nl_socket_set_nonblocking(raw); rc < 0) {
    return nlError(rc, "netlink: making the link monitor socket non-blocking");
  }
  // Subscribe first, then dump: a change between the two is seen twice,
  // never missed.
  if (Status st = monitor->dump(); !st) {
    return st.error();
  }
  NetlinkLinkMonitor* self = monitor.get();
  monitor->watch_ =
      loop.watchFd(nl_socket_get_fd(raw), EPOLLIN, [self](uint32_t) { self->onReadable(); });
  return monitor;
}

Status NetlinkLinkMonitor::dump() {
  auto sock = NlSocket::connectRoute();
  if (!sock) {
    return sock.error();
  }
  nl_cache* raw = nullptr;
  if (int rc = rtnl_link_alloc_cache(sock->get(), AF_UNSPEC, &raw); rc < 0) {
    return nlError(rc, "netlink: dumping links");
  }
  std::unique_ptr<nl_cache, CacheFree> cache(raw);
  std::set<int> seen;
  for (nl_object* obj = nl_cache_get_first(raw); obj != nullptr; obj = nl_cache_get_next(obj)) {
    LinkState state = toState(reinterpret_cast<rtnl_link*>(obj));
    seen.insert(state.ifindex);
    apply(state, false);
  }
  for (auto it = links_.begin(); it != links_.end();) {
    auto next = std::next(it);
    if (!seen.contains(it->first)) {
      apply(it->second, true);
    }
    it = next;
  }
  return {};
}

void NetlinkLinkMonitor::onReadable() {
  int rc = nl_recvmsgs_default(events_.get());
  if (rc == -NLE_NOMEM) {
    // ENOBUFS: the kernel dropped notifications; start again from a dump.
    ++resyncs_;
    if (Status st = dump(); !st) {
      log(LogLevel::Warning, "link monitor resync failed: {}", st.error().describe());
    }
  }
}

int NetlinkLinkMonitor::onMessage(nl_msg* msg, void* self) {
  int type = nlmsg_hdr(msg)->nlmsg_type;
  if (type != RTM_NEWLINK && type != RTM_DELLINK) {
    return NL_OK;
  }
  Parsed parsed;
  nl_msg_parse(msg, &parseLink, &parsed);
  if (parsed.valid) {
    static_cast<NetlinkLinkMonitor*>(self)->apply(parsed.state, type == RTM_DELLINK);
  }
  return NL_OK;
}

void NetlinkLinkMonitor::apply(const LinkState& state, bool removed) {
  auto it = links_.find(state.ifindex);
  if (removed) {
    if (it == links_.end()) {
      return;
    }
    LinkState last = it->second;
    links_.erase(it);
    if (listener_) {
      listener_(last, true);
    }
    return;
  }
  if (it != links_.end() && it->second == state) {
    return;
  }
  links_[state.ifindex] = state;
  if (listener_) {
    listener_(state, false);
  }
}

std::optional<LinkState> NetlinkLinkMonitor::linkState(const std::string& name) const {
  for (const auto& [index, state] : links_) {
    if (state.name == name) {
      return state;
    }
  }
  return std::nullopt;
}

std::optional<LinkState> NetlinkLinkMonitor::linkState(int ifindex) const {
  auto it = links_.find(ifindex);
  if (it == links_.end()) {
    return std::nullopt;
  }
  return it->second;
}

}  // namespace vigil::netlink
