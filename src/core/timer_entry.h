#pragma once

#include <cstdint>

#include "core/clock.h"
#include "core/event_loop.h"

namespace vigil {

class TimerQueue;

// A timer kept inside the object it calls, not in a block of its own with a
// callback object (EventLoop::createTimer): a check worker keeps one per
// checker, 20,000 of them (issue 4). Derive from it, override fire(), and
// give it to EventLoop::attachTimer() once; until then, and after the loop
// is gone, arming does nothing. It behaves as a timer from createTimer:
// destroying it cancels it, re-arming moves its deadline, equal deadlines
// fire in arming order. The loop links it by address, so it is neither
// copied nor moved.
class TimerEntry : public Timer {
 public:
  TimerEntry() = default;
  ~TimerEntry() override;
  TimerEntry(const TimerEntry&) = delete;
  TimerEntry& operator=(const TimerEntry&) = delete;

  void armAt(TimePoint deadline) override;
  void armAfter(Duration delay) override;
  void cancel() override;
  bool armed() const override;
  // The deadline it was last armed for, armed still or not (fired or
  // cancelled since); the epoch before its first arming.
  TimePoint deadline() const { return deadline_; }

  // Runs on the loop when the timer fires, given the time the loop read to
  // fire it (see EventLoop::StampedCallback). The timer is disarmed by then;
  // fire() may re-arm it or destroy its object.
  virtual void fire(TimePoint now) = 0;

 private:
  friend class TimerQueue;

  TimerQueue* queue_ = nullptr;
  // While in a lane: its key, and its neighbours there (toward the head,
  // toward the tail).
  TimePoint deadline_{};
  uint64_t sequence_ = 0;
  TimerEntry* earlier_ = nullptr;
  TimerEntry* later_ = nullptr;
  // Every entry of the queue, as a doubly linked list.
  TimerEntry* previous_ = nullptr;
  TimerEntry* next_ = nullptr;
  uint32_t slot_ = UINT32_MAX;  // index in the queue's heap; UINT32_MAX: none
  uint8_t lane_ = UINT8_MAX;    // or index of its lane; UINT8_MAX: none
};

}  // namespace vigil
