#pragma once

#include <memory>

#include "config/config.h"
#include "core/posix_event_loop.h"
#include "core/process_spawner.h"
#include "vrrp/notify.h"
#include "vrrp/runtime_io.h"

namespace vigil::vrrp {

NotifyState notifyStateFor(NotifyKind kind);

// Transitions to the log and to notify_* scripts and notify FIFOs through
// vrrp::Notifier. The notifier reads global_defs (FIFOs, script_user) from
// the configuration it started with, which it keeps alive; a reload that
// changes them needs a restart.
class ScriptTransitionNotifier final : public TransitionNotifier {
 public:
  ScriptTransitionNotifier(PosixEventLoop& loop, std::shared_ptr<const config::Config> config);
  // Scripts through `spawner` (the component tests' fake).
  ScriptTransitionNotifier(EventLoop& loop, std::unique_ptr<ProcessSpawner> spawner,
                           std::shared_ptr<const config::Config> config);
  void notify(const config::VrrpInstance& instance, NotifyKind kind, uint8_t priority) override;
  // notify_priority_changes: MASTER_PRIORITY / BACKUP_PRIORITY FIFO lines.
  void priorityChanged(const config::VrrpInstance& instance, NotifyKind kind,
                       uint8_t priority) override {
    notifier_.priorityChanged(instance, notifyStateFor(kind), priority);
  }
  // A vrrp_sync_group's state changed: its notify_* scripts and FIFO lines,
  // through the same Notifier (one set of FIFOs per worker).
  void group(const config::VrrpSyncGroup& group, NotifyState state) {
    notifier_.group(group, state);
  }

 private:
  std::shared_ptr<const config::Config> config_;
  std::unique_ptr<ProcessSpawner> spawner_;
  Notifier notifier_;
};

}  // namespace vigil::vrrp
