#pragma once

#include <memory>

#include "core/event_loop.h"
#include "core/netlink/deletion_monitor.h"
#include "core/netlink/nl_socket.h"
#include "core/result.h"

struct nl_msg;

namespace vigil::netlink {

// DeletionMonitor over an rtnetlink socket subscribed to the IPv4 and IPv6
// address, route and rule groups and watched by the loop. Only deletions
// are reported; a notification the kernel drops (ENOBUFS) is lost, counted
// and logged.
class NetlinkDeletionMonitor final : public DeletionMonitor {
 public:
  static Result<std::unique_ptr<NetlinkDeletionMonitor>> start(EventLoop& loop);

  void setListener(Listener listener) override { listener_ = std::move(listener); }
  uint64_t overflows() const { return overflows_; }

 private:
  explicit NetlinkDeletionMonitor(NlSocket events) : events_(std::move(events)) {}

  void onReadable();
  static int onMessage(nl_msg* msg, void* self);

  NlSocket events_;
  std::unique_ptr<FdWatch> watch_;
  Listener listener_;
  uint64_t overflows_ = 0;
};

}  // namespace vigil::netlink
