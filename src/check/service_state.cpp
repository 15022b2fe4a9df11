#include "check/service_state.h"

namespace vigil::check {
namespace {

RealServerState initialState(const config::RealServer& rs) {
  std::vector<bool> checkersUp;
  checkersUp.reserve(rs.checkers.size());
  for (const config::Checker& checker : rs.checkers) {
    checkersUp.push_back(!checker.base.alpha);
  }
  return RealServerState(rs.weight, checkersUp);
}

}  // namespace

ServiceState::ServiceState(const config::VirtualServer& service)
    : quorum_(service.quorum), hysteresis_(service.hysteresis) {
  realServers_.reserve(service.realServers.size());
  for (const config::RealServer& rs : service.realServers) {
    realServers_.push_back(initialState(rs));
  }
  liveWeight_ = sumLiveWeight();
  quorumUp_ = liveWeight_ > 0 && liveWeight_ >= quorum_;
}

uint64_t ServiceState::contribution(size_t rs) const {
  const RealServerState& server = realServers_.at(rs);
  return server.up() ? server.weight() : 0;
}

uint64_t ServiceState::sumLiveWeight() const {
  uint64_t sum = 0;
  for (size_t i = 0; i < realServers_.size(); ++i) {
    sum += contribution(i);
  }
  return sum;
}

std::vector<HealthEvent> ServiceState::setChecker(size_t rs, size_t checker, bool up) {
  std::vector<HealthEvent> events;
  const uint64_t before = contribution(rs);
  const bool changed = realServers_[rs].setChecker(checker, up);
  liveWeight_ = liveWeight_ - before + contribution(rs);
  if (changed) {
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
  const uint64_t before = contribution(rs);
  realServers_[rs].setDynamicWeight(checker, weight);
  liveWeight_ = liveWeight_ - before + contribution(rs);
  evaluateQuorum(events);
  return events;
}

void ServiceState::evaluateQuorum(std::vector<HealthEvent>& events) {
  const int64_t live = static_cast<int64_t>(liveWeight_);
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
  const uint64_t before = contribution(rs);
  realServers_[rs].adoptHealth(old);
  liveWeight_ = liveWeight_ - before + contribution(rs);
}

std::vector<HealthEvent> ServiceState::reevaluateQuorum(bool previousQuorumUp) {
  quorumUp_ = previousQuorumUp;
  liveWeight_ = sumLiveWeight();  // a whole-service change: recount rather than trust the deltas
  std::vector<HealthEvent> events;
  evaluateQuorum(events);
  return events;
}

}  // namespace vigil::check
