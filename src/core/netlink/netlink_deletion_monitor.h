#pragma once

#include <memory>
#include <optional>

#include "core/event_loop.h"
#include "core/netlink/deletion_monitor.h"
#include "core/netlink/nl_socket.h"
#include "core/result.h"

struct nl_msg;
struct nlmsghdr;

namespace vigil::netlink {

// The deletion an RTM_DELADDR, RTM_DELROUTE or RTM_DELRULE message reports;
// nullopt for any other message, or one rtnetlink_messages cannot read.
std::optional<DeletedEntry> parseDeletion(nlmsghdr* header);

// DeletionMonitor over an rtnetlink socket watched by the loop, in the
// address, route and rule groups watch() names (none at start). Only
// deletions are reported; a notification the kernel drops (ENOBUFS) is
// lost, counted, logged and reported to the loss listener.
class NetlinkDeletionMonitor final : public DeletionMonitor {
 public:
  static Result<std::unique_ptr<NetlinkDeletionMonitor>> start(EventLoop& loop);

  void setListener(Listener listener) override { listener_ = std::move(listener); }
  void setLossListener(LossListener listener) override { lossListener_ = std::move(listener); }
  Status watch(const NotificationGroups& groups) override;
  uint64_t overflows() const override { return overflows_; }

 private:
  explicit NetlinkDeletionMonitor(NlSocket events) : events_(std::move(events)) {}

  void onReadable();
  static int onMessage(nl_msg* msg, void* self);

  NlSocket events_;
  std::unique_ptr<FdWatch> watch_;
  Listener listener_;
  LossListener lossListener_;
  NotificationGroups joined_;
  uint64_t overflows_ = 0;
};

}  // namespace vigil::netlink
