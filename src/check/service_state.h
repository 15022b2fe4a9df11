#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "check/real_server_state.h"
#include "config/model_lvs.h"

// The health of one virtual service: its real servers and its quorum. Pure:
// decisions come back as HealthEvent values that the check worker turns
// into notify scripts, FIFO lines and a new desired dataplane state.
namespace vigil::check {

struct HealthEvent {
  enum class Kind : uint8_t { RealServerUp, RealServerDown, QuorumUp, QuorumDown };
  Kind kind = Kind::RealServerUp;
  size_t realServer = 0;  // index into the virtual server's realServers (RealServer*)

  bool operator==(const HealthEvent&) const = default;
};

// keepalived's quorum rule, with hysteresis as a dead band around `quorum`
// (live weight = the sum of the effective weights of the up servers):
//   lost   when up   and (live weight == 0 or live weight < quorum - hysteresis)
//   gained when down and  live weight >= quorum + hysteresis
// At start there is no history: the quorum is up when live weight >= quorum
// and live weight > 0.
class ServiceState {
 public:
  // Real servers and checkers in configuration order; a checker starts
  // down when its (inherited) alpha is set.
  explicit ServiceState(const config::VirtualServer& service);

  // Checker `checker` of real server `rs` is now up or down. Returns what
  // changed: the server's transition first, then the quorum's.
  std::vector<HealthEvent> setChecker(size_t rs, size_t checker, bool up);
  // A misc_dynamic weight. A weight change can move the quorum, never a
  // server's up/down.
  std::vector<HealthEvent> setDynamicWeight(size_t rs, size_t checker,
                                            std::optional<uint32_t> weight);

  bool quorumUp() const { return quorumUp_; }
  // O(1): kept as a running sum by every change to one server.
  uint64_t liveWeight() const { return liveWeight_; }
  uint32_t quorum() const { return quorum_; }
  uint32_t hysteresis() const { return hysteresis_; }
  const std::vector<RealServerState>& realServers() const { return realServers_; }

  // The current state as events (every server's state, then the quorum's):
  // what rs_init_notifies announces at start.
  std::vector<HealthEvent> currentEvents() const;
  // What omega announces on shutdown: every up server goes down, then the
  // quorum if it was up.
  std::vector<HealthEvent> shutdownEvents() const;

  // A reload kept real server `rs` (same address, port and service):
  // it takes `old`'s checker states. Call reevaluateQuorum() afterwards.
  void adoptHealth(size_t rs, const RealServerState& old);
  // After adoptHealth, with the quorum state the service had before the
  // reload: applies the rule against it. Returns the quorum event, if any.
  std::vector<HealthEvent> reevaluateQuorum(bool previousQuorumUp);

 private:
  void evaluateQuorum(std::vector<HealthEvent>& events);
  // What server `rs` adds to the live weight.
  uint64_t contribution(size_t rs) const;
  // The full O(N) sum, for whole-service changes (construction, reload).
  uint64_t sumLiveWeight() const;

  std::vector<RealServerState> realServers_;
  uint32_t quorum_;
  uint32_t hysteresis_;
  uint64_t liveWeight_ = 0;
  bool quorumUp_ = false;
};

}  // namespace vigil::check
