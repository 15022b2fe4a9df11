#include "vrrp/sync_coordinator.h"

#include <optional>

#include "core/log.h"

namespace vigil::vrrp {
namespace {

std::optional<State> stateAfter(NotifyKind kind) {
  switch (kind) {
    case NotifyKind::Master:
      return State::Master;
    case NotifyKind::Backup:
      return State::Backup;
    case NotifyKind::Fault:
      return State::Fault;
    case NotifyKind::Stop:
      return State::Initialize;
    case NotifyKind::MasterRxLowerPriority:
      return std::nullopt;  // still Master
  }
  return std::nullopt;
}

bool isFaultEvent(const Event& event) {
  return std::holds_alternative<FaultRaised>(event) || std::holds_alternative<FaultCleared>(event);
}

}  // namespace

void LoggingGroupNotifier::notify(const config::VrrpSyncGroup& group, State state) {
  log(LogLevel::Info, "VRRP_Group({}) Syncing instances to {} state", group.name, name(state));
}

SyncCoordinator::SyncCoordinator(EventLoop& loop, GroupNotifier& notifier)
    : loop_(loop), notifier_(notifier) {}

void SyncCoordinator::reset(const config::VrrpModel& model) {
  *generation_ = false;
  generation_ = std::make_shared<bool>(true);
  groups_.clear();
  for (const config::VrrpSyncGroup& group : model.syncGroups) {
    groups_.push_back(std::make_unique<Group>(Group{group, SyncGroup(group), {}}));
  }
}

SyncCoordinator::Group* SyncCoordinator::groupOf(const std::string& instance) {
  for (auto& group : groups_) {
    if (group->sync.hasMember(instance)) return group.get();
  }
  return nullptr;
}

State SyncCoordinator::groupState(const std::string& name) const {
  for (const auto& group : groups_) {
    if (group->config.name == name) return group->sync.state();
  }
  return State::Initialize;
}

void SyncCoordinator::attach(InstanceRuntime& runtime, bool ownFault) {
  const std::string& name = runtime.config().name;
  Group* group = groupOf(name);
  if (group == nullptr) return;
  group->runtimes[name] = &runtime;
  runtime.setTakeoverGate(this);
  // Seeding only: a member kept by a reload is where it was, and a new one
  // is in Initialize; neither asks the others to move.
  (void)group->sync.memberStateChanged(name, runtime.state().state);
  (void)group->sync.setMemberFault(name, ownFault);
  reconcileFaults(*group);
}

void SyncCoordinator::detach(InstanceRuntime& runtime) {
  runtime.setTakeoverGate(nullptr);
  for (auto& group : groups_) {
    auto it = group->runtimes.find(runtime.config().name);
    if (it != group->runtimes.end() && it->second == &runtime) group->runtimes.erase(it);
  }
}

bool SyncCoordinator::mayTakeOver(const InstanceRuntime& runtime) {
  const std::string& name = runtime.config().name;
  Group* group = groupOf(name);
  if (group == nullptr || group->sync.mayTakeOver(name)) return true;
  heldLog_.log(loop_.now().time_since_epoch(), LogLevel::Info,
               "VRRP_Instance({}) wants MASTER; VRRP_Group({}) waits until no member is "
               "faulted and every member wants MASTER",
               name, group->config.name);
  return false;
}

void SyncCoordinator::masterHeard(const InstanceRuntime& runtime) {
  const std::string& name = runtime.config().name;
  if (Group* group = groupOf(name)) group->sync.masterHeard(name);
}

void SyncCoordinator::track(InstanceRuntime& runtime, const std::vector<Event>& events) {
  Group* group = groupOf(runtime.config().name);
  if (group == nullptr) {
    runtime.track(events);
    return;
  }
  for (const Event& event : events) {
    if (!isFaultEvent(event)) {
      runtime.track({event});
      continue;
    }
    (void)group->sync.setMemberFault(runtime.config().name,
                                     std::holds_alternative<FaultRaised>(event));
    reconcileFaults(*group);
  }
}

// Idempotent: each attached member steps the group's fault when its state
// machine's fault flag differs. Stepping the first member may post
// follow-ups, never re-enter here.
void SyncCoordinator::reconcileFaults(Group& group) {
  const bool faulted = group.sync.faulted();
  for (auto& [name, runtime] : group.runtimes) {
    if (runtime->state().faulted == faulted) continue;
    if (faulted) {
      runtime->track({FaultRaised{}});
    } else {
      runtime->track({FaultCleared{}});
    }
  }
}

void SyncCoordinator::transitioned(const std::string& instance, NotifyKind kind) {
  const std::optional<State> state = stateAfter(kind);
  Group* group = groupOf(instance);
  if (!state || group == nullptr) return;
  follow(*group, group->sync.memberStateChanged(instance, *state));
}

void SyncCoordinator::follow(Group& group, const SyncResult& result) {
  for (const SyncDirective& directive : result.directives) {
    loop_.post(
        [alive = std::weak_ptr<bool>(generation_), this, name = group.config.name, directive] {
          auto live = alive.lock();
          if (live && *live) apply(name, directive);
        });
  }
  if (result.groupChanged) notifier_.notify(group.config, *result.groupChanged);
}

void SyncCoordinator::apply(const std::string& groupName, const SyncDirective& directive) {
  for (auto& group : groups_) {
    if (group->config.name != groupName) continue;
    auto it = group->runtimes.find(directive.instance);
    if (it == group->runtimes.end()) return;
    switch (directive.target) {
      case SyncTarget::Master:
        it->second->track({MasterDownTimerFired{}});
        break;
      case SyncTarget::Backup:
        it->second->track({StepDown{}});
        break;
      case SyncTarget::Fault:
      case SyncTarget::FaultCleared:
        reconcileFaults(*group);
        break;
    }
    return;
  }
}

void SyncTransitionNotifier::notify(const config::VrrpInstance& instance, NotifyKind kind,
                                    uint8_t priority) {
  inner_.notify(instance, kind, priority);
  sync_.transitioned(instance.name, kind);
}

}  // namespace vigil::vrrp
