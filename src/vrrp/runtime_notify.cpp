#include "vrrp/runtime_notify.h"

namespace vigil::vrrp {

NotifyState notifyStateFor(NotifyKind kind) {
  switch (kind) {
    case NotifyKind::Master:
      return NotifyState::Master;
    case NotifyKind::Backup:
      return NotifyState::Backup;
    case NotifyKind::Fault:
      return NotifyState::Fault;
    case NotifyKind::Stop:
      return NotifyState::Stop;
    case NotifyKind::MasterRxLowerPriority:
      return NotifyState::MasterRxLowerPri;
  }
  return NotifyState::Fault;
}

ScriptTransitionNotifier::ScriptTransitionNotifier(PosixEventLoop& loop,
                                                   std::shared_ptr<const config::Config> config)
    : ScriptTransitionNotifier(loop, std::make_unique<PosixProcessSpawner>(loop),
                               std::move(config)) {}

ScriptTransitionNotifier::ScriptTransitionNotifier(EventLoop& loop,
                                                   std::unique_ptr<ProcessSpawner> spawner,
                                                   std::shared_ptr<const config::Config> config)
    : config_(std::move(config)),
      spawner_(std::move(spawner)),
      notifier_(loop, *spawner_, config_->global) {
  notifier_.start();
}

void ScriptTransitionNotifier::notify(const config::VrrpInstance& instance, NotifyKind kind,
                                      uint8_t priority) {
  logTransition(instance.name, kind, priority);
  notifier_.instance(instance, notifyStateFor(kind), priority);
}

}  // namespace vigil::vrrp
