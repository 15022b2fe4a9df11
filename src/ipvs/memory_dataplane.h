#pragma once

#include <cstddef>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "ipvs/dataplane.h"

namespace vigil::ipvs {

// A Dataplane that keeps the table in memory with the kernel's add/edit/
// delete rules (applyOp). Tests use it to watch what the control side
// programs; hosts without a dataplane can run with it too.
class MemoryDataplane final : public Dataplane {
 public:
  MemoryDataplane() = default;
  explicit MemoryDataplane(IpvsState initial) : state_(std::move(initial)) {}

  Result<IpvsState> read() override;
  ApplyReport apply(const std::vector<Op>& ops) override;
  std::string_view name() const override { return "memory"; }
  // Every service and destination of the table, with the counters set by
  // setCounters() for it (zero for the rest), as a kernel that saw that
  // traffic would report them.
  Result<IpvsStats> readStats() override;

  // Counters readStats() reports from now on for what `stats` names; an
  // entry not in the table is not reported.
  void setCounters(IpvsStats stats) { counters_ = std::move(stats); }

  const IpvsState& state() const { return state_; }
  size_t opsAttempted() const { return opsAttempted_; }  // over every apply()
  size_t opsApplied() const { return opsApplied_; }
  size_t opsFailed() const { return opsAttempted_ - opsApplied_; }
  size_t applyCalls() const { return applyCalls_; }

  // Every op equal to `op` fails with `error` (and changes nothing) until
  // clearFailures(), as a kernel refusing it would.
  void failOp(Op op, Error error);
  // read() fails with `error` until clearFailures().
  void failReads(Error error);
  void clearFailures();

 private:
  struct InjectedFailure {
    Op op;
    Error error;
  };

  const Error* injectedFailure(const Op& op) const;

  IpvsState state_;
  IpvsStats counters_;
  std::vector<InjectedFailure> opFailures_;
  std::optional<Error> readFailure_;
  size_t opsAttempted_ = 0;
  size_t opsApplied_ = 0;
  size_t applyCalls_ = 0;
};

}  // namespace vigil::ipvs
