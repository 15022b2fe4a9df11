#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "config/model_vrrp.h"
#include "core/event_loop.h"
#include "core/netlink/link_monitor.h"

// track_interface (and an instance's own interface): which interfaces are
// usable for VRRP, from the kernel's link events.
namespace vigil::vrrp {

// Follows a LinkMonitor and reports when an interface, by name, becomes
// usable (up and running, keepalived's test) or stops being so. An
// interface that does not exist, or was deleted or renamed away, is down.
//
// interface_up_down_delays debounce the reports: with a delay set for an
// interface, a change is reported only once it has lasted the interface's
// down (or up) delay, and a link that returns to its reported state before
// then causes no report at all. The first report of a name is never held.
class LinkTracker {
 public:
  using Listener = std::function<void(const std::string& name, bool up)>;

  // Takes over `monitor`'s listener.
  LinkTracker(netlink::LinkMonitor& monitor, Listener listener);
  LinkTracker(const LinkTracker&) = delete;
  LinkTracker& operator=(const LinkTracker&) = delete;
  ~LinkTracker();

  // The delays of a (re)loaded configuration. A change already waiting
  // keeps its deadline; one waiting on an interface that no longer has a
  // delay is reported at once.
  void setDelays(EventLoop& loop, const std::vector<config::InterfaceDelay>& delays);

  // Usable as last reported (so a change still waiting out its delay is not
  // seen yet); the kernel's view for a name never reported.
  bool up(const std::string& name) const;

 private:
  void onChange(const netlink::LinkState& state, bool removed);
  bool kernelUp(const std::string& name) const;
  void report(const std::string& name, bool up);
  // By value: `name` may live in the pending timer being erased.
  void apply(std::string name, bool up);
  Duration delayFor(const std::string& name, bool up) const;

  netlink::LinkMonitor& monitor_;
  Listener listener_;
  EventLoop* loop_ = nullptr;
  std::map<std::string, config::InterfaceDelay> delays_;
  std::map<int, std::string> names_;      // ifindex -> the name last seen
  std::map<std::string, bool> reported_;  // name -> usable, as last reported
  // name -> the timer of a change waiting out its delay (to !reported_).
  std::map<std::string, std::unique_ptr<Timer>> pending_;
};

}  // namespace vigil::vrrp
