#include "vrrp/link_tracking.h"

namespace vigil::vrrp {

LinkTracker::LinkTracker(netlink::LinkMonitor& monitor, Listener listener)
    : monitor_(monitor), listener_(std::move(listener)) {
  monitor_.setListener(
      [this](const netlink::LinkState& state, bool removed) { onChange(state, removed); });
}

bool LinkTracker::up(const std::string& name) const {
  auto state = monitor_.linkState(name);
  return state && state->usable();
}

void LinkTracker::onChange(const netlink::LinkState& state, bool removed) {
  auto old = names_.find(state.ifindex);
  if (old != names_.end() && (removed || old->second != state.name)) {
    // Deleted, or renamed: the old name no longer names a usable link.
    const std::string gone = old->second;
    names_.erase(old);
    report(gone, up(gone));
  }
  if (removed) return;
  names_[state.ifindex] = state.name;
  report(state.name, state.usable());
}

// The monitor reports every flag and operstate change, most of which leave
// usability as it was: only the first report of a name and changes pass.
void LinkTracker::report(const std::string& name, bool up) {
  auto [it, inserted] = reported_.try_emplace(name, up);
  if (!inserted && it->second == up) return;
  it->second = up;
  listener_(name, up);
}

}  // namespace vigil::vrrp
