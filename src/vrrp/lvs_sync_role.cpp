#include "vrrp/lvs_sync_role.h"

#include "core/log.h"

namespace vigil::vrrp {

std::string_view name(SyncDaemonRole role) {
  return role == SyncDaemonRole::Master ? "master" : "backup";
}

SyncDaemons wantedSyncDaemons(const config::LvsSyncDaemon& daemon, bool instanceIsMaster) {
  if (daemon.vrrpInstance.empty()) return {true, true};
  return {instanceIsMaster, !instanceIsMaster};
}

bool syncDaemonNeedsVrrpWorker(const std::optional<config::LvsSyncDaemon>& daemon) {
  return daemon && daemon->vrrpInstance.empty();
}

std::vector<SyncDaemonOp> syncDaemonOps(SyncDaemons running, SyncDaemons wanted) {
  using Kind = SyncDaemonOp::Kind;
  std::vector<SyncDaemonOp> ops;
  if (running.master && !wanted.master) ops.push_back({Kind::Stop, SyncDaemonRole::Master});
  if (running.backup && !wanted.backup) ops.push_back({Kind::Stop, SyncDaemonRole::Backup});
  if (!running.master && wanted.master) ops.push_back({Kind::Start, SyncDaemonRole::Master});
  if (!running.backup && wanted.backup) ops.push_back({Kind::Start, SyncDaemonRole::Backup});
  return ops;
}

bool sameSyncDaemon(const config::LvsSyncDaemon& a, const config::LvsSyncDaemon& b) {
  return a.interface == b.interface && a.syncId == b.syncId && a.maxLen == b.maxLen &&
         a.port == b.port && a.ttl == b.ttl && a.group == b.group;
}

void LvsSyncFollower::start(const std::optional<config::LvsSyncDaemon>& daemon,
                            bool instanceIsMaster) {
  daemon_ = daemon;
  stopped_ = false;
  if (!daemon_ || control_ == nullptr) {
    if (daemon_)
      log(LogLevel::Warning, "lvs_sync_daemon: ignored: only `dataplane kernel` runs one");
    return;
  }
  // A worker killed without stopping them leaves the kernel's daemons
  // running, and starting one that runs fails: begin from none.
  for (SyncDaemonRole role : {SyncDaemonRole::Master, SyncDaemonRole::Backup}) {
    if (Status s = control_->stop(role); !s) failed(s.error());
  }
  running_ = {};
  moveTo(wantedSyncDaemons(*daemon_, instanceIsMaster));
}

void LvsSyncFollower::reconfigure(const std::optional<config::LvsSyncDaemon>& daemon,
                                  bool instanceIsMaster) {
  const bool kept = daemon && daemon_ && sameSyncDaemon(*daemon, *daemon_);
  if (!kept) {
    if (control_ != nullptr) moveTo({});
    start(daemon, instanceIsMaster);
    return;
  }
  daemon_ = daemon;
  if (control_ != nullptr && !stopped_) moveTo(wantedSyncDaemons(*daemon_, instanceIsMaster));
}

void LvsSyncFollower::transitioned(const std::string& instance, NotifyKind kind) {
  if (stopped_ || !daemon_ || control_ == nullptr || daemon_->vrrpInstance != instance) return;
  if (kind == NotifyKind::MasterRxLowerPriority) return;
  moveTo(wantedSyncDaemons(*daemon_, kind == NotifyKind::Master));
}

void LvsSyncFollower::stop() {
  if (control_ != nullptr) moveTo({});
  stopped_ = true;
}

void LvsSyncFollower::moveTo(SyncDaemons wanted) {
  for (const SyncDaemonOp& op : syncDaemonOps(running_, wanted)) apply(op);
}

void LvsSyncFollower::apply(const SyncDaemonOp& op) {
  bool& running = op.role == SyncDaemonRole::Master ? running_.master : running_.backup;
  if (op.kind == SyncDaemonOp::Kind::Stop) {
    if (Status s = control_->stop(op.role); !s) return failed(s.error());
    running = false;
    log(LogLevel::Info, "lvs_sync_daemon: {} sync daemon stopped", name(op.role));
    return;
  }
  if (Status s = control_->start(op.role, *daemon_); !s) return failed(s.error());
  running = true;
  lastError_.clear();
  log(LogLevel::Info, "lvs_sync_daemon: {} sync daemon started on {} (sync id {})", name(op.role),
      daemon_->interface, daemon_->syncId);
}

void LvsSyncFollower::failed(const Error& error) {
  ++failures_;
  std::string text = error.describe();
  if (text == lastError_) return;
  log(LogLevel::Error, "lvs_sync_daemon: {}", text);
  lastError_ = std::move(text);
}

}  // namespace vigil::vrrp
