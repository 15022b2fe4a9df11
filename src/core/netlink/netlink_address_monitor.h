#pragma once

#include <memory>
#include <set>

#include "core/event_loop.h"
#include "core/netlink/address_monitor.h"
#include "core/netlink/nl_socket.h"
#include "core/result.h"

struct nl_msg;

namespace vigil::netlink {

// AddressMonitor over an rtnetlink socket subscribed to RTNLGRP_IPV4_IFADDR
// and RTNLGRP_IPV6_IFADDR and watched by the loop. Starts from a dump of
// every address; if the kernel drops notifications (ENOBUFS) it dumps again
// and reports what changed.
class NetlinkAddressMonitor final : public AddressMonitor {
 public:
  static Result<std::unique_ptr<NetlinkAddressMonitor>> start(EventLoop& loop);

  std::vector<LocalAddress> addresses() const override {
    return {addresses_.begin(), addresses_.end()};
  }
  void setListener(Listener listener) override { listener_ = std::move(listener); }

  // Notifications lost to a full socket buffer and repaired by a dump.
  uint64_t resyncs() const { return resyncs_; }

 private:
  explicit NetlinkAddressMonitor(NlSocket events) : events_(std::move(events)) {}

  Status dump();
  void onReadable();
  void apply(const LocalAddress& address, bool removed);
  static int onMessage(nl_msg* msg, void* self);

  NlSocket events_;
  std::unique_ptr<FdWatch> watch_;
  std::set<LocalAddress> addresses_;
  Listener listener_;
  uint64_t resyncs_ = 0;
};

}  // namespace vigil::netlink
