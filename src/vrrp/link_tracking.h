#pragma once

#include <functional>
#include <map>
#include <string>

#include "core/netlink/link_monitor.h"

// track_interface (and an instance's own interface): which interfaces are
// usable for VRRP, from the kernel's link events.
namespace vigil::vrrp {

// Follows a LinkMonitor and reports when an interface, by name, becomes
// usable (up and running, keepalived's test) or stops being so. An
// interface that does not exist, or was deleted or renamed away, is down.
class LinkTracker {
 public:
  using Listener = std::function<void(const std::string& name, bool up)>;

  // Takes over `monitor`'s listener.
  LinkTracker(netlink::LinkMonitor& monitor, Listener listener);
  LinkTracker(const LinkTracker&) = delete;
  LinkTracker& operator=(const LinkTracker&) = delete;

  // Usable now.
  bool up(const std::string& name) const;

 private:
  void onChange(const netlink::LinkState& state, bool removed);
  void report(const std::string& name, bool up);

  netlink::LinkMonitor& monitor_;
  Listener listener_;
  std::map<int, std::string> names_;      // ifindex -> the name last seen
  std::map<std::string, bool> reported_;  // name -> usable, as last reported
};

}  // namespace vigil::vrrp
