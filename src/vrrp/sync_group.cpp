#include "vrrp/sync_group.h"

#include <algorithm>

namespace vigil::vrrp {

SyncGroup::SyncGroup(std::string name, std::vector<std::string> members) : name_(std::move(name)) {
  for (auto& m : members) {
    members_.push_back(Member{std::move(m)});
  }
}

SyncGroup::SyncGroup(const config::VrrpSyncGroup& group) : name_(group.name) {
  for (const auto& ref : group.members) {
    members_.push_back(Member{ref.name});
  }
}

SyncGroup::Member* SyncGroup::find(std::string_view member) {
  auto it = std::find_if(members_.begin(), members_.end(),
                         [&](const Member& m) { return m.name == member; });
  return it == members_.end() ? nullptr : &*it;
}

const SyncGroup::Member* SyncGroup::find(std::string_view member) const {
  return const_cast<SyncGroup*>(this)->find(member);
}

bool SyncGroup::faulted() const {
  return std::any_of(members_.begin(), members_.end(), [](const Member& m) { return m.ownFault; });
}

SyncResult SyncGroup::setMemberFault(std::string_view member, bool fault) {
  SyncResult result;
  Member* m = find(member);
  if (m == nullptr || m->ownFault == fault) {
    return result;
  }
  bool before = faulted();
  m->ownFault = fault;
  bool after = faulted();
  if (before != after) {
    for (const auto& each : members_) {
      result.directives.push_back(
          {each.name, after ? SyncTarget::Fault : SyncTarget::FaultCleared});
    }
  }
  return result;
}

SyncResult SyncGroup::memberStateChanged(std::string_view member, State state) {
  SyncResult result;
  Member* m = find(member);
  if (m == nullptr) {
    return result;
  }
  State previous = m->state;
  m->state = state;
  // Wanting is a Backup's wish; any transition settles it.
  if (state != previous) m->wantsMaster = false;
  if (state == State::Master && !faulted()) {
    for (const auto& each : members_) {
      if (each.state == State::Backup) {
        result.directives.push_back({each.name, SyncTarget::Master});
      }
    }
  } else if (state == State::Backup && previous == State::Master) {
    for (const auto& each : members_) {
      if (each.state == State::Master) {
        result.directives.push_back({each.name, SyncTarget::Backup});
      }
    }
  }
  result.groupChanged = recomputeGroupState();
  return result;
}

bool SyncGroup::mayTakeOver(std::string_view member) {
  Member* m = find(member);
  if (m == nullptr) return true;
  m->wantsMaster = true;
  const auto faultedMember = [](const Member& each) {
    return each.ownFault || each.state == State::Fault;
  };
  if (std::any_of(members_.begin(), members_.end(), faultedMember)) return false;
  // A member already Master takes the others along anyway.
  const auto master = [](const Member& each) { return each.state == State::Master; };
  if (std::any_of(members_.begin(), members_.end(), master)) return true;
  return std::all_of(members_.begin(), members_.end(),
                     [](const Member& each) { return each.wantsMaster; });
}

void SyncGroup::masterHeard(std::string_view member) {
  if (Member* m = find(member)) m->wantsMaster = false;
}

bool SyncGroup::wantsMaster(std::string_view member) const {
  const Member* m = find(member);
  return m != nullptr && m->wantsMaster;
}

std::optional<State> SyncGroup::recomputeGroupState() {
  auto all = [&](State s) {
    return std::all_of(members_.begin(), members_.end(),
                       [s](const Member& m) { return m.state == s; });
  };
  auto any = [&](State s) {
    return std::any_of(members_.begin(), members_.end(),
                       [s](const Member& m) { return m.state == s; });
  };
  State next = any(State::Fault)        ? State::Fault
               : all(State::Master)     ? State::Master
               : all(State::Initialize) ? State::Initialize
                                        : State::Backup;
  if (next == groupState_) {
    return std::nullopt;
  }
  groupState_ = next;
  return next;
}

}  // namespace vigil::vrrp
