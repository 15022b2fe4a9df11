#pragma once

#include <memory>

#include "config/config.h"
#include "core/posix_event_loop.h"
#include "core/process_spawner.h"
#include "vrrp/notify.h"
#include "vrrp/runtime_io.h"

namespace vigil::vrrp {

// Transitions to the log and to notify_* scripts and notify FIFOs through
// vrrp::Notifier. The notifier reads global_defs (FIFOs, script_user) from
// the configuration it started with, which it keeps alive; a reload that
// changes them needs a restart.
class ScriptTransitionNotifier final : public TransitionNotifier {
 public:
  ScriptTransitionNotifier(PosixEventLoop& loop, std::shared_ptr<const config::Config> config);
  void notify(const config::VrrpInstance& instance, NotifyKind kind, uint8_t priority) override;
  // A vrrp_sync_group's state changed: its notify_* scripts and FIFO lines,
  // through the same Notifier (one set of FIFOs per worker).
  void group(const config::VrrpSyncGroup& group, NotifyState state) {
    notifier_.group(group, state);
  }

 private:
  std::shared_ptr<const config::Config> config_;
  PosixProcessSpawner spawner_;
  Notifier notifier_;
};

NotifyState notifyStateFor(NotifyKind kind);

}  // namespace vigil::vrrp
