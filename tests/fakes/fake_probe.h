#pragma once

#include <memory>
#include <optional>
#include <utility>

#include "check/probe.h"
#include "core/event_loop.h"

namespace vigil::fakes {

// What a test holds to drive a FakeProbe: the probe belongs to its Checker,
// the control outlives both.
struct FakeProbeControl {
  int starts = 0;
  int aborts = 0;  // of attempts in flight
  std::optional<check::AbortReason> lastAbortReason;
  check::Probe::Done pending;  // the attempt in flight, if any
  // When set (and `loop` is given), every attempt finishes with this result
  // on the loop right after start(), as a real probe would.
  std::optional<check::ProbeResult> autoResult;
  EventLoop* loop = nullptr;

  bool inFlight() const { return static_cast<bool>(pending); }

  // Finishes the attempt in flight; false when none is.
  bool finish(check::ProbeResult result) {
    if (!pending) {
      return false;
    }
    auto done = std::move(pending);
    pending = nullptr;
    done(std::move(result));
    return true;
  }
  bool finish(check::Outcome outcome, std::optional<uint32_t> weight = std::nullopt) {
    return finish(check::ProbeResult{outcome, weight, "fake"});
  }
};

class FakeProbe final : public check::Probe {
 public:
  explicit FakeProbe(std::shared_ptr<FakeProbeControl> control) : control_(std::move(control)) {}

  void start(Done done) override {
    ++control_->starts;
    control_->pending = std::move(done);
    if (control_->autoResult && control_->loop != nullptr) {
      control_->loop->post(
          [control = control_, result = *control_->autoResult] { control->finish(result); });
    }
  }

  void abort(check::AbortReason reason) override {
    if (control_->pending) {
      ++control_->aborts;
      control_->lastAbortReason = reason;
      control_->pending = nullptr;
    }
  }

 private:
  std::shared_ptr<FakeProbeControl> control_;
};

}  // namespace vigil::fakes
