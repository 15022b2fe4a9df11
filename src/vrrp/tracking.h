#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/model_vrrp.h"
#include "vrrp/state_machine.h"

// How tracked objects move an instance's priority or force it into FAULT,
// with keepalived's rules (keepalived.conf(5), "track_interface",
// "vrrp_script", "track_file"). Pure: the runtime feeds object states in
// and hands the returned events to step().
namespace vigil::vrrp {

// UnicastPeers: unicast_fault_no_peer on a unicast instance without any
// unicast_peer, a fault for as long as the configuration stays so.
enum class TrackKind : uint8_t { Interface, Script, File, Process, UnicastPeers };

// What one tracked object adds to the priority and whether it faults the
// instance.
struct TrackContribution {
  int32_t delta = 0;
  bool fault = false;
  bool operator==(const TrackContribution&) const = default;
};

// An up/down object (interface, script after rise/fall, process):
//   weight 0: FAULT while down (with reverse: while up);
//   weight > 0: +weight while up (reverse: -weight while up);
//   weight < 0: weight while down (reverse: -weight while down).
TrackContribution statusContribution(bool up, int64_t weight, bool reverse);

// A track_file value: weight 0 makes a non-zero value a fault (reverse: a
// zero value); otherwise value * weight (negated by reverse) is added, a
// result below -253 is a fault and one above 253 counts as 253.
TrackContribution fileContribution(int64_t value, int64_t weight, bool reverse);

// The interfaces `instance` tracks through track_group, each once, in the
// order of the static_ipaddress, static_routes and static_rules entries.
std::vector<std::string> trackGroupInterfaces(const std::string& instance,
                                              const config::VrrpModel& model,
                                              const std::string& defaultInterface);

struct TrackedObject {
  TrackKind kind = TrackKind::Interface;
  std::string name;  // interface name, vrrp_script / track_file / process name
  int64_t weight = 0;
  bool reverse = false;
  // Current input: up/down for status objects, the value for files.
  bool up = true;
  int64_t value = 0;

  TrackContribution contribution() const;
};

// The tracking of one VRRP instance: its base priority and every object it
// (or its sync group) tracks, combined into the effective priority and a
// fault flag.
class TrackingState {
 public:
  TrackingState(uint8_t basePriority, std::vector<TrackedObject> objects);

  // The instance's own tracking, its sync group's (keepalived applies group
  // tracking to every member) and, unless dont_track_primary, its own
  // interface as an unweighted tracked interface; with unicast_fault_no_peer
  // and no peers, a permanently down UnicastPeers object. Objects start in their
  // assumed state: interfaces and processes up, scripts OK unless init_fail,
  // files at 0; the runtime reports real states before Startup.
  //
  // track_group (keepalived's static track groups): each member instance
  // also tracks, unweighted, the interface of every static address (its
  // `dev`, else `defaultInterface`), static route (its `dev`) and static
  // rule (its `iif`) that names the group, so it is in FAULT while one of
  // them is down. The entry's deletion itself does not move the instance:
  // the VRRP worker adds the entry again (RoutingEntries::reinstate).
  static TrackingState forInstance(const config::VrrpInstance& instance,
                                   const config::VrrpModel& model,
                                   const std::string& defaultInterface = "eth0");

  // Each setter updates every tracked object of that kind and name and
  // returns the state-machine events the change causes, in the order to
  // step them: FaultRaised before a priority change, FaultCleared after it.
  // Unknown names and unchanged inputs return nothing.
  std::vector<Event> setInterface(std::string_view name, bool up);
  std::vector<Event> setScript(std::string_view name, bool ok);
  std::vector<Event> setProcess(std::string_view name, bool up);
  std::vector<Event> setFile(std::string_view name, int64_t value);

  // base + sum of deltas clamped to 1..254; 255 (the address owner) stays
  // 255 whatever the weights.
  uint8_t effectivePriority() const { return priority_; }
  bool fault() const { return fault_; }
  uint8_t basePriority() const { return base_; }
  const std::vector<TrackedObject>& objects() const { return objects_; }
  bool tracks(TrackKind kind, std::string_view name) const;

 private:
  std::vector<Event> update(TrackKind kind, std::string_view name, bool up, int64_t value);
  void recompute();

  uint8_t base_;
  std::vector<TrackedObject> objects_;
  uint8_t priority_ = 0;
  bool fault_ = false;
};

}  // namespace vigil::vrrp
