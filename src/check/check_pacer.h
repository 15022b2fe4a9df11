#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <optional>

#include "core/clock.h"
#include "core/event_loop.h"

// Paces the attempts of every checker of one check worker, so that no loop
// turn starts more checks than the machine can take in:
//
//  - first attempts: each checker's first one is placed at a phase of its
//    delay_loop handed out here (nextPhase), a low-discrepancy sequence, so
//    that N checkers started together are spread evenly over the interval
//    whatever N is (20,000 real servers at delay_loop 1 start about 1,000
//    checks per 50 ms tick instead of 20,000 connects in one turn);
//  - a cap on attempts started per tick (kTick): at most
//    max(minStartsPerTick, 2 x the checkers' steady demand per tick). A
//    checker due over the cap waits in a FIFO and starts on a later tick;
//    its nominal schedule is not moved (see Checker), so deferral costs a
//    check its slot's timing, not the schedule's rate;
//  - the same number bounds the attempts in flight: a loop that gets too
//    little CPU to read its completions (1,024 ready descriptors a turn)
//    stops starting checks rather than pile up connects whose answers it
//    reads only after their connect_timeout.
//
// The cap resets once per tick window, not per elapsed window: a loop that
// comes back from a 2 s stall starts one tick's worth, not forty.
namespace vigil::check {

class CheckPacer {
 public:
  // Settled attempts start on multiples of this on the loop's clock (see
  // Checker::kBatchTick); the cap counts starts within one such window.
  static constexpr Duration kTick = std::chrono::milliseconds(50);

  // The cap's floor: a few checkers with a short delay_loop are never
  // deferred.
  static constexpr size_t kMinStartsPerTick = 256;

  // A checker waiting for its turn. A queued client must be cancel()ed
  // before it goes away.
  class Client {
   public:
    virtual void onStartGranted() = 0;

   protected:
    ~Client() = default;

   private:
    friend class CheckPacer;
    std::list<Client*>::iterator at_;
    // Last, so a derived class's small members fit in the padding after it
    // (a Checker's flags: 8 bytes in each of 20,000 checkers; issue 4).
    bool queued_ = false;
  };

  explicit CheckPacer(EventLoop& loop, size_t minStartsPerTick = kMinStartsPerTick);
  ~CheckPacer();
  CheckPacer(const CheckPacer&) = delete;
  CheckPacer& operator=(const CheckPacer&) = delete;

  // The phase of the next first attempt within `interval`: the k-th call
  // returns frac(k / golden ratio) * interval, so any number of consecutive
  // calls are spread within a factor of about 2 of perfectly evenly.
  Duration nextPhase(Duration interval);

  // A running checker adds its demand (one attempt per delay_loop) to the
  // cap; stopping removes it.
  void join(Duration delayLoop);
  void leave(Duration delayLoop);

  // True: start now (the budget of this tick is taken, and the attempt
  // counts as in flight until finished()). False: `client` is queued and
  // hears onStartGranted() on a later tick, unless cancelled. `now` is the
  // loop's time, which the caller has read anyway (one clock read per
  // check less).
  bool request(Client& client, TimePoint now);
  // A granted attempt ended (answered, timed out or aborted).
  void finished();
  // Removes a queued client; does nothing for one that is not queued.
  void cancel(Client& client);

  size_t startsPerTickLimit() const { return startsPerTickLimit_; }
  size_t waiting() const { return waiting_.size(); }
  size_t inFlight() const { return inFlight_; }
  // Attempts that were queued because their tick was full.
  uint64_t deferredStarts() const { return deferredStarts_; }

  // Late timeouts (see Checker) of every checker paced here, counted here
  // rather than through a pointer in each of them (issue 4: 20,000
  // checkers). Unlike the per-checker counters it never goes down: a
  // reload that drops checkers does not look like a counter reset.
  void countLateTimeout() { ++lateTimeouts_; }
  uint64_t lateTimeouts() const { return lateTimeouts_; }

  static TimePoint tickAtOrAfter(TimePoint t);

 private:
  void openTick(TimePoint now);
  bool mayStart() const;
  // Recomputes startsPerTickLimit_ after a join or leave.
  void updateLimit();
  void onTick();

  EventLoop& loop_;
  size_t minStartsPerTick_;
  std::unique_ptr<Timer> tickTimer_;
  std::list<Client*> waiting_;
  int64_t tick_ = -1;  // the window startedThisTick_ counts in
  size_t startedThisTick_ = 0;
  size_t inFlight_ = 0;
  double demandPerSecond_ = 0;  // sum of 1 / delay_loop over running checkers
  // max(minStartsPerTick_, 2 x demand per tick), kept here rather than
  // computed in floating point on every request.
  size_t startsPerTickLimit_;
  uint64_t phaseSequence_ = 0;
  uint64_t deferredStarts_ = 0;
  uint64_t lateTimeouts_ = 0;
  std::optional<TimePoint> lastDeferralLog_;
};

}  // namespace vigil::check
