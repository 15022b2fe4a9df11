#include "vrrp/link_tracking.h"

namespace vigil::vrrp {

LinkTracker::LinkTracker(netlink::LinkMonitor& monitor, Listener listener)
    : monitor_(monitor), listener_(std::move(listener)) {
  monitor_.setListener(
      [this](const netlink::LinkState& state, bool removed) { onChange(state, removed); });
}

LinkTracker::~LinkTracker() = default;

void LinkTracker::setDelays(EventLoop& loop, const std::vector<config::InterfaceDelay>& delays) {
  loop_ = &loop;
  delays_.clear();
  for (const config::InterfaceDelay& delay : delays) delays_[delay.interface] = delay;
  std::vector<std::string> undelayed;
  for (const auto& [name, timer] : pending_) {
    if (!delays_.count(name)) undelayed.push_back(name);
  }
  for (const std::string& name : undelayed) apply(name, !reported_[name]);
}

bool LinkTracker::up(const std::string& name) const {
  auto it = reported_.find(name);
  return it != reported_.end() ? it->second : kernelUp(name);
}

bool LinkTracker::kernelUp(const std::string& name) const {
  auto state = monitor_.linkState(name);
  return state && state->usable();
}

void LinkTracker::onChange(const netlink::LinkState& state, bool removed) {
  auto old = names_.find(state.ifindex);
  if (old != names_.end() && (removed || old->second != state.name)) {
    // Deleted, or renamed: the old name no longer names a usable link.
    const std::string gone = old->second;
    names_.erase(old);
    report(gone, kernelUp(gone));
  }
  if (removed) return;
  names_[state.ifindex] = state.name;
  report(state.name, state.usable());
}

// The monitor reports every flag and operstate change, most of which leave
// usability as it was: only the first report of a name and changes pass,
// after the interface's delay when it has one.
void LinkTracker::report(const std::string& name, bool up) {
  auto [it, inserted] = reported_.try_emplace(name, up);
  if (inserted) {
    listener_(name, up);
    return;
  }
  if (it->second == up) {
    pending_.erase(name);  // bounced back before its delay ran out
    return;
  }
  const Duration delay = delayFor(name, up);
  if (delay <= Duration{0} || loop_ == nullptr) {
    apply(name, up);
    return;
  }
  std::unique_ptr<Timer>& timer = pending_[name];
  if (timer) return;  // already waiting for this change
  timer = loop_->createTimer([this, name, up] { apply(name, up); });
  timer->armAfter(delay);
}

void LinkTracker::apply(std::string name, bool up) {
  // Also from the timer's own callback: a timer may destroy itself.
  pending_.erase(name);
  reported_[name] = up;
  listener_(name, up);
}

Duration LinkTracker::delayFor(const std::string& name, bool up) const {
  auto it = delays_.find(name);
  if (it == delays_.end()) return Duration{0};
  return up ? it->second.up : it->second.down;
}

}  // namespace vigil::vrrp
