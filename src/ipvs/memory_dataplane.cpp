#include "ipvs/memory_dataplane.h"

#include "ipvs/reconcile.h"

namespace vigil::ipvs {

Result<IpvsState> MemoryDataplane::read() {
  if (readFailure_) {
    return *readFailure_;
  }
  return state_;
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
