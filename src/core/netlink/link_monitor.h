#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace vigil::netlink {

// What the kernel says about one network interface.
struct LinkState {
  int ifindex = 0;
  std::string name;
  bool adminUp = false;   // IFF_UP: configured up
  bool running = false;   // IFF_RUNNING: has carrier and is operational
  uint8_t operState = 0;  // IF_OPER_* (RFC 2863)

  // Usable for VRRP: up and running (keepalived's test for track_interface).
  bool usable() const { return adminUp && running; }
  bool operator==(const LinkState&) const = default;
};

// Link up/down information for tracking. An interface so the VRRP runtime can
// be tested with a fake that reports whatever the test says.
class LinkMonitor {
 public:
  // `removed` is true when the interface was deleted; `state` is then its
  // last known state.
  using Listener = std::function<void(const LinkState& state, bool removed)>;

  virtual ~LinkMonitor() = default;
  virtual std::optional<LinkState> linkState(const std::string& name) const = 0;
  virtual std::optional<LinkState> linkState(int ifindex) const = 0;
  // The index of the link named so in this monitor's table; 0 when it is
  // not there (not created yet, or its event not read yet).
  int knownIndex(const std::string& name) const {
    std::optional<LinkState> link = linkState(name);
    return link ? link->ifindex : 0;
  }
  // Called on the loop for every change of name, flags or operstate (not
  // for the initial state, which linkState() already returns).
  virtual void setListener(Listener listener) = 0;
};

}  // namespace vigil::netlink
