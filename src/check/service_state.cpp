#include "check/service_state.h"

namespace vigil::check {
namespace {

RealServerState initialState(const config::RealServer& rs) {
  std::vector<bool> checkersUp;
  checkersUp.reserve(rs.checkers.size());
  for (const config::Checker& checker : rs.checkers) {
    checkersUp.push_back(!checker.base.alpha);
  }
  return RealServerState(rs.weight, std::move(checkersUp));
}

}  // namespace

ServiceState::ServiceState(const config::VirtualServer& service)
    : quorum_(service.quorum), hysteresis_(service.hysteresis) {
  realServers_.reserve(service.realServers.size());
  for (const config::RealServer& rs : service.realServers) {
    realServers_.push_back(initialState(rs));
  }
  const uint64_t live = liveWeight();
  quorumUp_ = live > 0 && live >= quorum_;
}

uint64_t ServiceState::liveWeight() const {
  uint64_t sum = 0;
  for (const RealServerState& rs : realServers_) {
    if (rs.up()) {
      sum += rs.weight();
    }
  }
  return sum;
}

std::vector<HealthEvent> ServiceState::setChecker(size_t rs, size_t checker, bool up) {
  std::vector<HealthEvent> events;
  if (realServers_.at(rs).setChecker(checker, up)) {
    events.push_back({realServers_[rs].up() ? HealthEvent::Kind::RealServerUp
                                            : HealthEvent::Kind::RealServerDown,
                      rs});
  }
  evaluateQuorum(events);
  return events;
}

std::vector<HealthEvent> ServiceState::setDynamicWeight(size_t rs, size_t checker,
                                                        std::optional<uint32_t> weight) {
  std::vector<HealthEvent> events;
  realServers_.at(rs).setDynamicWeight(checker, weight);
  evaluateQuorum(events);
  return events;
}

void ServiceState::evaluateQuorum(std::vector<HealthEvent>& events) {
  const int64_t live = static_cast<int64_t>(liveWeight());
  const int64_t quorum = quorum_;
  const int64_t hysteresis = hysteresis_;
  if (quorumUp_ && (live == 0 || live < quorum - hysteresis)) {
    quorumUp_ = false;
    events.push_back({HealthEvent::Kind::QuorumDown, 0});
  } else if (!quorumUp_ && live > 0 && live >= quorum + hysteresis) {
    quorumUp_ = true;
    events.push_back({HealthEvent::Kind::QuorumUp, 0});
  }
}

std::vector<HealthEvent> ServiceState::currentEvents() const {
  std::vector<HealthEvent> events;
  for (size_t i = 0; i < realServers_.size(); ++i) {
    events.push_back(
        {realServers_[i].up() ? HealthEvent::Kind::RealServerUp : HealthEvent::Kind::RealServerDown,
         i});
  }
  events.push_back({quorumUp_ ? HealthEvent::Kind::QuorumUp : HealthEvent::Kind::QuorumDown, 0});
  return events;
}

std::vector<HealthEvent> ServiceState::shutdownEvents() const {
  std::vector<HealthEvent> events;
  for (size_t i = 0; i < realServers_.size(); ++i) {
    if (realServers_[i].up()) {
      events.push_back({HealthEvent::Kind::RealServerDown, i});
    }
  }
  if (quorumUp_) {
    events.push_back({HealthEvent::Kind::QuorumDown, 0});
  }
  return events;
}

void ServiceState::adoptHealth(size_t rs, const RealServerState& old) {
  realServers_.at(rs).adoptHealth(old);
}

std::vector<HealthEvent> ServiceState::reevaluateQuorum(bool previousQuorumUp) {
  quorumUp_ = previousQuorumUp;
  std::vector<HealthEvent> events;
  evaluateQuorum(events);
  return events;
}

}  // namespace vigil::check
