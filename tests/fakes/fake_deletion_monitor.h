#pragma once

#include <cerrno>
#include <cstdint>
#include <utility>

#include "core/netlink/deletion_monitor.h"

namespace vigil::fakes {

// The kernel's deletion notifications as DeletionMonitor: a test deletes
// (deliver), drops notifications (overflow) and refuses joins (failJoins).
class FakeDeletionMonitor final : public netlink::DeletionMonitor {
 public:
  void setListener(Listener listener) override { listener_ = std::move(listener); }
  void setLossListener(LossListener listener) override { lossListener_ = std::move(listener); }
  Status watch(const netlink::NotificationGroups& groups) override {
    if (failJoins && !groups.empty()) return Error{ENOMEM, "netlink: joining notification group"};
    watched = groups;
    return {};
  }
  uint64_t overflows() const override { return overflows_; }

  void deliver(const netlink::DeletedEntry& deleted) {
    if (listener_) listener_(deleted);
  }
  void overflow() {
    ++overflows_;
    if (lossListener_) lossListener_();
  }

  bool failJoins = false;
  netlink::NotificationGroups watched;  // after the last watch() that succeeded

 private:
  Listener listener_;
  LossListener lossListener_;
  uint64_t overflows_ = 0;
};

}  // namespace vigil::fakes
