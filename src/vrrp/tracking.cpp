#include "vrrp/tracking.h"

#include <algorithm>

namespace vigil::vrrp {
namespace {

// keepalived's bound on what one weighted object can move the priority by.
constexpr int64_t kMaxDelta = 253;
constexpr int64_t kMinPriority = 1;
constexpr int64_t kMaxPriority = 254;
constexpr uint8_t kOwnerPriority = 255;

TrackedObject fromRef(TrackKind kind, const config::TrackRef& ref, int64_t defaultWeight,
                      bool defaultReverse) {
  TrackedObject object;
  object.kind = kind;
  object.name = ref.name;
  // A weight written on the reference replaces the object's weight and
  // direction; without one the object's own apply.
  object.weight = ref.weight ? *ref.weight : defaultWeight;
  object.reverse = ref.weight ? ref.reverse : (defaultReverse || ref.reverse);
  return object;
}

void addSet(const config::TrackingSet& set, const config::VrrpModel& model,
            std::vector<TrackedObject>& out) {
  for (const auto& ref : set.interfaces) {
    out.push_back(fromRef(TrackKind::Interface, ref, 0, false));
  }
  for (const auto& ref : set.scripts) {
    const config::VrrpScript* script = model.findScript(ref.name);
    TrackedObject object = fromRef(TrackKind::Script, ref, script ? script->weight : 0,
                                   script && script->weightReverse);
    object.up = !(script && script->initFail);
    out.push_back(std::move(object));
  }
  for (const auto& ref : set.files) {
    auto it = std::find_if(model.trackFiles.begin(), model.trackFiles.end(),
                           [&](const config::TrackFile& f) { return f.name == ref.name; });
    bool found = it != model.trackFiles.end();
    out.push_back(
        fromRef(TrackKind::File, ref, found ? it->weight : 1, found && it->weightReverse));
  }
  for (const auto& ref : set.processes) {
    auto it = std::find_if(model.trackProcesses.begin(), model.trackProcesses.end(),
                           [&](const config::TrackProcess& p) { return p.name == ref.name; });
    bool found = it != model.trackProcesses.end();
    out.push_back(
        fromRef(TrackKind::Process, ref, found ? it->weight : 1, found && it->weightReverse));
  }
}

bool inGroup(const std::string& instance, const std::string& group,
             const config::VrrpModel& model) {
  if (group.empty()) return false;
  return std::any_of(
      model.trackGroups.begin(), model.trackGroups.end(), [&](const config::TrackGroup& g) {
        return g.name == group &&
               std::any_of(g.members.begin(), g.members.end(),
                           [&](const config::NameRef& m) { return m.name == instance; });
      });
}

}  // namespace

std::vector<std::string> trackGroupInterfaces(const std::string& instance,
                                              const config::VrrpModel& model,
                                              const std::string& defaultInterface) {
  std::vector<std::string> out;
  auto add = [&](const std::string& group, const std::string& interface) {
    if (interface.empty() || !inGroup(instance, group, model)) return;
    if (std::find(out.begin(), out.end(), interface) == out.end()) out.push_back(interface);
  };
  for (const config::VirtualAddress& a : model.staticAddresses) {
    add(a.trackGroup, a.dev.empty() ? defaultInterface : a.dev);
  }
  for (const config::VirtualRoute& r : model.staticRoutes) add(r.trackGroup, r.dev);
  for (const config::VirtualRule& r : model.staticRules) add(r.trackGroup, r.iif);
  return out;
}

TrackContribution statusContribution(bool up, int64_t weight, bool reverse) {
  if (weight == 0) {
    return {0, up == reverse};
  }
  int64_t sign = reverse ? -1 : 1;
  bool applies = weight > 0 ? up : !up;
  if (!applies) {
    return {};
  }
  return {static_cast<int32_t>(std::clamp(weight * sign, -kMaxDelta, kMaxDelta)), false};
}

TrackContribution fileContribution(int64_t value, int64_t weight, bool reverse) {
  if (weight == 0) {
    return {0, (value != 0) != reverse};
  }
  // Both factors are bounded to 32 bits so the product cannot overflow.
  constexpr int64_t kBound = int64_t{1} << 31;
  int64_t product =
      std::clamp(value, -kBound, kBound) * std::clamp(weight, -kBound, kBound) * (reverse ? -1 : 1);
  if (product < -kMaxDelta) {
    return {0, true};
  }
  return {static_cast<int32_t>(std::min(product, kMaxDelta)), false};
}

TrackContribution TrackedObject::contribution() const {
  return kind == TrackKind::File ? fileContribution(value, weight, reverse)
                                 : statusContribution(up, weight, reverse);
}

TrackingState::TrackingState(uint8_t basePriority, std::vector<TrackedObject> objects)
    : base_(basePriority), objects_(std::move(objects)) {
  recompute();
}

TrackingState TrackingState::forInstance(const config::VrrpInstance& instance,
                                         const config::VrrpModel& model,
                                         const std::string& defaultInterface) {
  std::vector<TrackedObject> objects;
  if (!instance.dontTrackPrimary && !instance.interface.empty()) {
    objects.push_back({TrackKind::Interface, instance.interface, 0, false, true, 0});
  }
  if (instance.unicastFaultNoPeer && instance.unicastPeers.empty()) {
    objects.push_back({TrackKind::UnicastPeers, "unicast_peer", 0, false, false, 0});
  }
  addSet(instance.tracking, model, objects);
  for (const auto& group : model.syncGroups) {
    if (!instance.syncGroup.empty() && group.name == instance.syncGroup) {
      addSet(group.tracking, model, objects);
    }
  }
  for (const std::string& interface :
       trackGroupInterfaces(instance.name, model, defaultInterface)) {
    const bool faultsAlready =
        std::any_of(objects.begin(), objects.end(), [&](const TrackedObject& o) {
          return o.kind == TrackKind::Interface && o.name == interface && o.weight == 0 &&
                 !o.reverse;
        });
    if (!faultsAlready) objects.push_back({TrackKind::Interface, interface, 0, false, true, 0});
  }
  return TrackingState(instance.priority, std::move(objects));
}

std::vector<Event> TrackingState::setInterface(std::string_view name, bool up) {
  return update(TrackKind::Interface, name, up, 0);
}
std::vector<Event> TrackingState::setScript(std::string_view name, bool ok) {
  return update(TrackKind::Script, name, ok, 0);
}
std::vector<Event> TrackingState::setProcess(std::string_view name, bool up) {
  return update(TrackKind::Process, name, up, 0);
}
std::vector<Event> TrackingState::setFile(std::string_view name, int64_t value) {
  return update(TrackKind::File, name, true, value);
}

bool TrackingState::tracks(TrackKind kind, std::string_view name) const {
  return std::any_of(objects_.begin(), objects_.end(),
                     [&](const TrackedObject& o) { return o.kind == kind && o.name == name; });
}

std::vector<Event> TrackingState::update(TrackKind kind, std::string_view name, bool up,
                                         int64_t value) {
  for (auto& object : objects_) {
    if (object.kind == kind && object.name == name) {
      object.up = up;
      object.value = value;
    }
  }
  uint8_t oldPriority = priority_;
  bool oldFault = fault_;
  recompute();
  std::vector<Event> events;
  if (fault_ && !oldFault) {
    events.emplace_back(FaultRaised{});
  }
  if (priority_ != oldPriority) {
    events.emplace_back(PriorityChanged{priority_});
  }
  if (!fault_ && oldFault) {
    events.emplace_back(FaultCleared{});
  }
  return events;
}

void TrackingState::recompute() {
  int64_t sum = 0;
  bool fault = false;
  for (const auto& object : objects_) {
    TrackContribution c = object.contribution();
    sum += c.delta;
    fault = fault || c.fault;
  }
  fault_ = fault;
  priority_ = base_ == kOwnerPriority
                  ? kOwnerPriority
                  : static_cast<uint8_t>(std::clamp(base_ + sum, kMinPriority, kMaxPriority));
}

}  // namespace vigil::vrrp
