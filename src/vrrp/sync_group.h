#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/model_vrrp.h"
#include "vrrp/state_machine.h"

// vrrp_sync_group: member instances move together, as keepalived does. If
// one member has a fault, every member goes to FAULT; when one becomes
// MASTER the others follow it; when a MASTER member falls back to BACKUP
// the other masters do too. A member does not start that takeover alone:
// its own Master_Down_Timer running out only makes it *want* mastership,
// and the group goes MASTER when every member wants it (or one already is
// Master), never while any member is faulted (keepalived's rule, so that
// members whose peers have other priorities cannot flip the group back and
// forth). Pure: the runtime reports member facts and performs the returned
// directives.
namespace vigil::vrrp {

enum class SyncTarget : uint8_t {
  Master,        // step MasterDownTimerFired on a Backup member
  Backup,        // a Master member must give up mastership now
  Fault,         // step FaultRaised
  FaultCleared,  // step FaultCleared
};

struct SyncDirective {
  std::string instance;
  SyncTarget target = SyncTarget::Fault;
  bool operator==(const SyncDirective&) const = default;
};

struct SyncResult {
  std::vector<SyncDirective> directives;  // in member order
  // The group's own state when it changed: notify the group (notify_* of
  // the vrrp_sync_group, `GROUP "G1" MASTER` on the FIFOs).
  std::optional<State> groupChanged;
};

class SyncGroup {
 public:
  SyncGroup(std::string name, std::vector<std::string> members);
  explicit SyncGroup(const config::VrrpSyncGroup& group);

  // A member's own fault (its TrackingState) changed. A member's effective
  // fault is "any member has its own fault", so every member whose
  // effective fault flips gets Fault or FaultCleared, the reporting member
  // included: route all tracking faults of members through here instead of
  // stepping them directly.
  SyncResult setMemberFault(std::string_view member, bool fault);

  // A member's state machine entered `state` (from an advert or a timer).
  // Master: the other Backup members are told Master (not while the group
  // is faulted). Backup from Master: the other Master members are told
  // Backup. Fault and Initialize only update the group state.
  SyncResult memberStateChanged(std::string_view member, State state);

  // A Backup member's Master_Down_Timer ran out: it wants mastership, and
  // may take it now if no member is faulted (its own fault or in Fault) and
  // another member is Master already or every other member wants it too. When refused it keeps
  // wanting until it hears a master again (masterHeard) or changes state,
  // and waits another Master_Down_Interval. Unknown members may.
  bool mayTakeOver(std::string_view member);
  // The member accepted an advert from a master it defers to (its
  // Master_Down_Timer restarted): it no longer wants mastership.
  void masterHeard(std::string_view member);
  bool wantsMaster(std::string_view member) const;

  // Fault if any member is in Fault, Master if all are, Initialize while
  // all are, Backup otherwise.
  State state() const { return groupState_; }
  bool faulted() const;
  const std::string& name() const { return name_; }
  bool hasMember(std::string_view member) const { return find(member) != nullptr; }

 private:
  struct Member {
    std::string name;
    State state = State::Initialize;
    bool ownFault = false;
    bool wantsMaster = false;  // its Master_Down_Timer ran out since it last heard a master
  };

  Member* find(std::string_view member);
  const Member* find(std::string_view member) const;
  std::optional<State> recomputeGroupState();

  std::string name_;
  std::vector<Member> members_;
  State groupState_ = State::Initialize;
};

}  // namespace vigil::vrrp
