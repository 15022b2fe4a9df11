#pragma once

#include <cerrno>
#include <memory>
#include <string>
#include <vector>

#include "vrrp/lvs_sync_role.h"

namespace vigil::fakes {

// The kernel's two sync daemons as a fake: records every call as
// "start master eth1" / "stop backup" and refuses to start a running daemon
// (EEXIST), as IPVS_CMD_NEW_DAEMON does. What it holds lives in a shared
// State so a test can watch it after handing the fake to a worker.
class FakeLvsSyncControl final : public vrrp::LvsSyncControl {
 public:
  struct State {
    std::vector<std::string> calls;
    vrrp::SyncDaemons kernel;
    std::string error;  // every call fails with it (EPROTONOSUPPORT) when set
  };

  explicit FakeLvsSyncControl(std::shared_ptr<State> state = std::make_shared<State>())
      : state_(std::move(state)) {}

  Status start(vrrp::SyncDaemonRole role, const config::LvsSyncDaemon& daemon) override {
    state_->calls.push_back("start " + std::string(name(role)) + " " + daemon.interface);
    if (!state_->error.empty()) return Error{EPROTONOSUPPORT, state_->error};
    bool& running =
        role == vrrp::SyncDaemonRole::Master ? state_->kernel.master : state_->kernel.backup;
    if (running) return Error{EEXIST, "already running"};
    running = true;
    return {};
  }
  Status stop(vrrp::SyncDaemonRole role) override {
    state_->calls.push_back("stop " + std::string(name(role)));
    if (!state_->error.empty()) return Error{EPROTONOSUPPORT, state_->error};
    (role == vrrp::SyncDaemonRole::Master ? state_->kernel.master : state_->kernel.backup) = false;
    return {};
  }

  State& state() { return *state_; }

 private:
  std::shared_ptr<State> state_;
};

}  // namespace vigil::fakes
