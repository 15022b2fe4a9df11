#pragma once

#include <memory>
#include <string>

#include "check/probe.h"
#include "core/event_loop.h"

namespace vigil::check {

// A probe for a checker vigil cannot run here (its module failed to load):
// every attempt fails as Internal with `why`, so the real server's state
// and `vigilctl check` say what is wrong instead of the checker silently
// not running.
class UnavailableProbe final : public Probe {
 public:
  UnavailableProbe(EventLoop& loop, std::string why) : loop_(loop), why_(std::move(why)) {}

  void start(Done done) override;
  void abort(AbortReason reason) override;

 private:
  EventLoop& loop_;
  std::string why_;
  // Bumped by every start() and abort(): a result posted for an attempt
  // that was aborted is dropped.
  uint64_t attempt_ = 0;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace vigil::check
