#pragma once

#include <map>
#include <memory>

#include "core/event_loop.h"
#include "core/netlink/link_monitor.h"
#include "core/netlink/nl_socket.h"
#include "core/result.h"

struct nl_msg;
struct nl_object;

namespace vigil::netlink {

// LinkMonitor over an rtnetlink socket subscribed to RTNLGRP_LINK and watched
// by the loop. Starts from a dump of every link; if the kernel drops
// notifications (ENOBUFS) it dumps again and reports what changed.
class NetlinkLinkMonitor final : public LinkMonitor {
 public:
  static Result<std::unique_ptr<NetlinkLinkMonitor>> start(EventLoop& loop);

  std::optional<LinkState> linkState(const std::string& name) const override;
  std::optional<LinkState> linkState(int ifindex) const override;
  void setListener(Listener listener) override { listener_ = std::move(listener); }

  // Notifications lost to a full socket buffer and repaired by a dump.
  uint64_t resyncs() const { return resyncs_; }

 private:
  explicit NetlinkLinkMonitor(NlSocket events) : events_(std::move(events)) {}

  Status dump();
  void onReadable();
  void apply(const LinkState& state, bool removed);
  static int onMessage(nl_msg* msg, void* self);

  NlSocket events_;
  std::unique_ptr<FdWatch> watch_;
  std::map<int, LinkState> links_;
  Listener listener_;
  uint64_t resyncs_ = 0;
};

}  // namespace vigil::netlink
