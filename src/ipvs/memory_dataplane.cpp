#include "ipvs/memory_dataplane.h"

#include "ipvs/reconcile.h"

namespace vigil::ipvs {

Result<IpvsState> MemoryDataplane::read() {
  if (readFailure_) {
    return *readFailure_;
  }
  return state_;
}

Result<IpvsStats> MemoryDataplane::readStats() {
  Result<IpvsStats> stats = Dataplane::readStats();
  if (!stats) {
    return stats;
  }
  for (auto& [key, service] : stats->services) {
    auto set = counters_.services.find(key);
    if (set == counters_.services.end()) {
      continue;
    }
    service.traffic = set->second.traffic;
    for (auto& [destKey, dest] : service.destinations) {
      auto setDest = set->second.destinations.find(destKey);
      if (setDest != set->second.destinations.end()) {
        dest = setDest->second;
      }
    }
  }
  return stats;
}

ApplyReport MemoryDataplane::apply(const std::vector<Op>& ops) {
  ++applyCalls_;
  ApplyReport report;
  for (const Op& op : ops) {
    ++report.attempted;
    ++opsAttempted_;
    if (const Error* injected = injectedFailure(op)) {
      report.failures.push_back({op, *injected});
      continue;
    }
    Status status = applyOp(state_, op);
    if (!status.ok()) {
      report.failures.push_back({op, status.error()});
      continue;
    }
    ++opsApplied_;
  }
  return report;
}

void MemoryDataplane::failOp(Op op, Error error) {
  opFailures_.push_back({std::move(op), std::move(error)});
}

void MemoryDataplane::failReads(Error error) { readFailure_ = std::move(error); }

void MemoryDataplane::clearFailures() {
  opFailures_.clear();
  readFailure_.reset();
}

const Error* MemoryDataplane::injectedFailure(const Op& op) const {
  for (const InjectedFailure& f : opFailures_) {
    if (f.op == op) {
      return &f.error;
    }
  }
  return nullptr;
}

}  // namespace vigil::ipvs
