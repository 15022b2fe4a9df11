#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "config/model_vrrp.h"
#include "core/event_loop.h"
#include "core/log.h"
#include "vrrp/instance_runtime.h"
#include "vrrp/runtime_io.h"
#include "vrrp/state_machine.h"
#include "vrrp/sync_group.h"

// Runs a worker's vrrp_sync_groups: feeds each SyncGroup what its member
// instances do and turns its directives into state-machine events on the
// members' runtimes.
namespace vigil::vrrp {

// A sync group's own state changed: its notify_* scripts and the
// `GROUP "G1" MASTER` FIFO lines. Initialize is reported as STOP.
class GroupNotifier {
 public:
  virtual ~GroupNotifier() = default;
  virtual void notify(const config::VrrpSyncGroup& group, State state) = 0;
};

// keepalived's "VRRP_Group(G1) Syncing instances to MASTER state" line only.
class LoggingGroupNotifier final : public GroupNotifier {
 public:
  void notify(const config::VrrpSyncGroup& group, State state) override;
};

// Also the members' TakeoverGate: a member whose Master_Down_Timer runs out
// takes the group over only when SyncGroup::mayTakeOver says so.
class SyncCoordinator final : public TakeoverGate {
 public:
  SyncCoordinator(EventLoop& loop, GroupNotifier& notifier);
  SyncCoordinator(const SyncCoordinator&) = delete;
  SyncCoordinator& operator=(const SyncCoordinator&) = delete;

  // The groups of a (re)loaded configuration replace the current ones;
  // every member must be attached again. Directives still queued for the
  // old groups are dropped.
  void reset(const config::VrrpModel& model);

  // A running instance. For a group member, its current state and its own
  // tracking fault seed the group without directives, and every attached
  // member is brought to the group's fault, and asks this coordinator before
  // taking over. `runtime` must stay valid until detach() or reset().
  void attach(InstanceRuntime& runtime, bool ownFault);
  void detach(InstanceRuntime& runtime);

  bool mayTakeOver(const InstanceRuntime& runtime) override;
  void masterHeard(const InstanceRuntime& runtime) override;

  // Events from the instance's TrackingState. Non-members step them as
  // they are. For members PriorityChanged is stepped, while FaultRaised and
  // FaultCleared set the member's own fault: every member then steps the
  // group's fault ("any member has its own fault").
  void track(InstanceRuntime& runtime, const std::vector<Event>& events);

  // A member's state machine made a transition (called from the runtime's
  // TransitionNotifier, i.e. from inside a step). The group's directives
  // are posted to the loop, so a member following another never steps
  // re-entrantly and a chain of followers ends once all have moved.
  void transitioned(const std::string& instance, NotifyKind kind);

  // The group's state (Initialize for an unknown name).
  State groupState(const std::string& group) const;

 private:
  struct Group {
    config::VrrpSyncGroup config;
    SyncGroup sync;
    std::map<std::string, InstanceRuntime*> runtimes;  // attached members
  };

  Group* groupOf(const std::string& instance);
  void reconcileFaults(Group& group);
  void follow(Group& group, const SyncResult& result);
  void apply(const std::string& group, const SyncDirective& directive);

  EventLoop& loop_;
  GroupNotifier& notifier_;
  RateLimitedLog heldLog_{5, std::chrono::seconds(10)};
  std::vector<std::unique_ptr<Group>> groups_;
  // Directives posted to the loop run only while this generation lives.
  std::shared_ptr<bool> generation_ = std::make_shared<bool>(true);
};

// Forwards every transition to `inner` (scripts, FIFOs, log) and then to
// the coordinator, so sync groups learn what their members did.
class SyncTransitionNotifier final : public TransitionNotifier {
 public:
  SyncTransitionNotifier(TransitionNotifier& inner, SyncCoordinator& sync)
      : inner_(inner), sync_(sync) {}
  void notify(const config::VrrpInstance& instance, NotifyKind kind, uint8_t priority) override;
  void priorityChanged(const config::VrrpInstance& instance, NotifyKind kind,
                       uint8_t priority) override {
    inner_.priorityChanged(instance, kind, priority);
  }

 private:
  TransitionNotifier& inner_;
  SyncCoordinator& sync_;
};

}  // namespace vigil::vrrp
