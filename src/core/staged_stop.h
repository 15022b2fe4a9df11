#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <vector>

#include "core/clock.h"
#include "core/event_loop.h"

namespace vigil {

// The order of a graceful stop: the running workers of one stage are told to
// stop, and the next stage is told only once all of them have exited or
// stageTimeout has passed. vigild stops the VRRP worker (priority-0 advert,
// VIPs removed) before the check worker (IPVS services removed), so a
// stopping director never holds a VIP without the services behind it.
// A worker not running when the stop starts (crashed, awaiting respawn) is
// never signalled and never waited for; an empty stage is skipped at once.
class StagedStop {
 public:
  // Tells worker `index` to stop (the I/O: a SIGTERM, or an in-process
  // teardown). May call onExit(index) before returning.
  using Signal = std::function<void(size_t index)>;

  StagedStop(EventLoop& loop, Duration stageTimeout, Signal signal);

  // Starts a stop of workers 0..n-1: stageOf[i] is worker i's stage (0
  // first), running[i] whether it is running now. Signals the first stage
  // that has a running worker.
  void start(std::vector<unsigned> stageOf, std::vector<bool> running);
  // Worker `index` has exited; moves on when its stage is done.
  void onExit(size_t index);
  // Whether worker `index` has been signalled since start().
  bool signalled(size_t index) const { return index < signalled_.size() && signalled_[index]; }

 private:
  void signalNextStages();
  bool stageRunning() const;
  bool isLastStage() const;

  Duration stageTimeout_;
  Signal signal_;
  std::unique_ptr<Timer> stageTimer_;
  std::vector<unsigned> stageOf_;
  std::vector<bool> running_;
  std::vector<bool> signalled_;
  unsigned lastStage_ = 0;
  long stage_ = -1;  // the stage signalled last; -1 before start()
  bool signalling_ = false;
};

}  // namespace vigil
