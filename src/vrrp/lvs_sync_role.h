#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/model_global.h"
#include "core/result.h"
#include "vrrp/runtime_io.h"
#include "vrrp/state_machine.h"

// `lvs_sync_daemon`: which of the kernel's two IPVS connection-sync daemons
// run, following the VRRP role as keepalived does. With a VRRP instance
// named, the master daemon runs while that instance is MASTER and the backup
// daemon otherwise (from start-up, in BACKUP and FAULT, after a STOP).
// Without one, both run for as long as the worker does. At shutdown both
// stop.
namespace vigil::vrrp {

enum class SyncDaemonRole : uint8_t { Master, Backup };
std::string_view name(SyncDaemonRole role);  // "master", "backup"

// Which daemons run (or should).
struct SyncDaemons {
  bool master = false;
  bool backup = false;
  bool operator==(const SyncDaemons&) const = default;
};

struct SyncDaemonOp {
  enum class Kind : uint8_t { Start, Stop };
  Kind kind = Kind::Start;
  SyncDaemonRole role = SyncDaemonRole::Backup;
  bool operator==(const SyncDaemonOp&) const = default;
};

// keepalived's rule for `daemon` when its instance is (or is not) MASTER.
SyncDaemons wantedSyncDaemons(const config::LvsSyncDaemon& daemon, bool instanceIsMaster);

// Whether the VRRP worker must run for `daemon` even with no vrrp_instance:
// one that names no instance runs both daemons "as long as keepalived is
// running" (keepalived.conf(5)), and the worker is what runs them.
bool syncDaemonNeedsVrrpWorker(const std::optional<config::LvsSyncDaemon>& daemon);

// From `running` to `wanted`: stops first, so a role change frees the sync
// port before the other daemon binds it.
std::vector<SyncDaemonOp> syncDaemonOps(SyncDaemons running, SyncDaemons wanted);

// Whether the kernel must be told again: anything it was started with
// changed (the instance name only changes the role, not the daemon).
bool sameSyncDaemon(const config::LvsSyncDaemon& a, const config::LvsSyncDaemon& b);

// Starts and stops the kernel's daemons. stop() of a daemon that is not
// running succeeds. Calls return within a bounded time (the VRRP loop waits
// on them).
class LvsSyncControl {
 public:
  virtual ~LvsSyncControl() = default;
  virtual Status start(SyncDaemonRole role, const config::LvsSyncDaemon& daemon) = 0;
  virtual Status stop(SyncDaemonRole role) = 0;
};

// Applies the rule through an LvsSyncControl as the VRRP worker's instances
// change state. A failed start leaves that daemon marked stopped, so the
// next transition tries again; a failed stop leaves it marked running.
// Failures are counted and each distinct error is logged once.
class LvsSyncFollower {
 public:
  // `control` must outlive this; null: no daemon is ever controlled.
  explicit LvsSyncFollower(LvsSyncControl* control) : control_(control) {}

  // The worker starts (or a reload brings a new `lvs_sync_daemon`):
  // daemons left by an earlier run are stopped, then the wanted ones
  // started. `instanceIsMaster`: the named instance's current state.
  void start(const std::optional<config::LvsSyncDaemon>& daemon, bool instanceIsMaster);
  // A reload: an unchanged daemon keeps running in its role; a changed or
  // removed one is stopped and the new one started.
  void reconfigure(const std::optional<config::LvsSyncDaemon>& daemon, bool instanceIsMaster);
  // An instance made a transition (from its TransitionNotifier).
  void transitioned(const std::string& instance, NotifyKind kind);
  // Stops both; later transitions are ignored until start().
  void stop();

  SyncDaemons running() const { return running_; }
  uint64_t failures() const { return failures_; }
  // The configured daemon, if any.
  const std::optional<config::LvsSyncDaemon>& daemon() const { return daemon_; }

 private:
  void moveTo(SyncDaemons wanted);  // needs control_ and daemon_ for starts
  void apply(const SyncDaemonOp& op);
  void failed(const Error& error);

  LvsSyncControl* control_;
  std::optional<config::LvsSyncDaemon> daemon_;
  SyncDaemons running_;
  bool stopped_ = true;
  uint64_t failures_ = 0;
  std::string lastError_;  // logged already
};

// Hands every transition to `follower`, then to `next` (keepalived, too,
// switches the sync daemon before it runs the notify scripts).
class LvsSyncNotifier final : public TransitionNotifier {
 public:
  LvsSyncNotifier(TransitionNotifier& next, LvsSyncFollower& follower)
      : next_(next), follower_(follower) {}
  void notify(const config::VrrpInstance& instance, NotifyKind kind, uint8_t priority) override {
    follower_.transitioned(instance.name, kind);
    next_.notify(instance, kind, priority);
  }
  void priorityChanged(const config::VrrpInstance& instance, NotifyKind kind,
                       uint8_t priority) override {
    next_.priorityChanged(instance, kind, priority);
  }

 private:
  TransitionNotifier& next_;
  LvsSyncFollower& follower_;
};

}  // namespace vigil::vrrp
