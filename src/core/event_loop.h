#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <memory>

#include "core/clock.h"
#include "core/result.h"

namespace vigil {

class TimerEntry;

// A one-shot timer owned by its creator. Destroying it cancels it. Re-arming
// an armed timer moves its deadline.
class Timer {
 public:
  virtual ~Timer() = default;
  virtual void armAt(TimePoint deadline) = 0;
  virtual void armAfter(Duration delay) = 0;
  virtual void cancel() = 0;
  virtual bool armed() const = 0;
};

// An fd registration; destroying it stops the watch (the fd itself is not
// closed: the caller owns it).
class FdWatch {
 public:
  virtual ~FdWatch() = default;
  virtual void setEvents(uint32_t epollEvents) = 0;
};

struct ChildExit {
  pid_t pid = 0;
  int status = 0;         // as returned by waitpid
  bool timedOut = false;  // killed by the loop because its timeout expired
};

// The single-threaded loop every worker runs on. Callbacks run on the loop's
// thread, one at a time. Timers with equal deadlines fire in the order they
// were armed.
class EventLoop {
 public:
  using Callback = std::function<void()>;
  // A timer callback given the time the loop read to fire it (one read for
  // every timer due in that turn; in a SimulatedLoop, the deadline), so it
  // need not read the clock again.
  using StampedCallback = std::function<void(TimePoint firedAt)>;
  using FdCallback = std::function<void(uint32_t epollEvents)>;
  using ChildCallback = std::function<void(const ChildExit&)>;

  virtual ~EventLoop() = default;

  virtual TimePoint now() const = 0;
  virtual std::unique_ptr<Timer> createTimer(Callback cb) = 0;
  // A timer whose callback gets its firing time. This default reads now()
  // when it fires; loops that read the clock to fire timers pass that time.
  virtual std::unique_ptr<Timer> createStampedTimer(StampedCallback cb) {
    return createTimer([this, cb = std::move(cb)] { cb(now()); });
  }
  // Links a timer kept inside its owner (core/timer_entry.h) to this loop,
  // once, before it is armed; it must not outlive the loop's use of it
  // (destroying it unlinks it). No allocation: a check worker's 20,000
  // checkers each keep one (issue 4).
  virtual void attachTimer(TimerEntry& timer) = 0;
  virtual std::unique_ptr<FdWatch> watchFd(int fd, uint32_t epollEvents, FdCallback cb) = 0;
  // Runs cb on the loop soon, after the current callback returns. Safe to
  // call from any callback; not from other threads (see PosixEventLoop::wake).
  virtual void post(Callback cb) = 0;
};

}  // namespace vigil
