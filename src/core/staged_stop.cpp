#include "core/staged_stop.h"

#include <algorithm>

#include "core/log.h"

namespace vigil {

StagedStop::StagedStop(EventLoop& loop, Duration stageTimeout, Signal signal)
    : stageTimeout_(stageTimeout), signal_(std::move(signal)) {
  stageTimer_ = loop.createTimer([this] {
    log(LogLevel::Warning, "stop stage {} still running after {} ms; stopping the next", stage_,
        std::chrono::duration_cast<std::chrono::milliseconds>(stageTimeout_).count());
    signalNextStages();
  });
}

void StagedStop::start(std::vector<unsigned> stageOf, std::vector<bool> running) {
  stageTimer_->cancel();
  stageOf_ = std::move(stageOf);
  running_ = std::move(running);
  running_.resize(stageOf_.size(), false);
  signalled_.assign(stageOf_.size(), false);
  lastStage_ = stageOf_.empty() ? 0 : *std::max_element(stageOf_.begin(), stageOf_.end());
  stage_ = -1;
  signalNextStages();
}

void StagedStop::onExit(size_t index) {
  if (index >= running_.size()) {
    return;
  }
  running_[index] = false;
  // While signalling, the loop in signalNextStages() looks at the stage
  // again itself.
  if (!signalling_ && stage_ >= 0 && !isLastStage() && !stageRunning()) {
    signalNextStages();
  }
}

// Signals stages in turn until one has a worker left to wait for (or none
// is left). Re-entrant calls from signal_ only update running_.
void StagedStop::signalNextStages() {
  stageTimer_->cancel();
  signalling_ = true;
  while (!isLastStage()) {
    ++stage_;
    for (size_t i = 0; i < stageOf_.size(); ++i) {
      if (stageOf_[i] == static_cast<unsigned>(stage_) && running_[i] && !signalled_[i]) {
        signalled_[i] = true;
        signal_(i);
      }
    }
    if (stageRunning()) {
      break;
    }
  }
  signalling_ = false;
  if (!isLastStage() && stageRunning()) {
    stageTimer_->armAfter(stageTimeout_);
  }
}

bool StagedStop::stageRunning() const {
  for (size_t i = 0; i < stageOf_.size(); ++i) {
    if (stageOf_[i] == static_cast<unsigned>(stage_) && running_[i]) {
      return true;
    }
  }
  return false;
}

bool StagedStop::isLastStage() const { return stage_ >= static_cast<long>(lastStage_); }

}  // namespace vigil
