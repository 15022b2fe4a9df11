#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "check/check_pacer.h"
#include "check/compact_counts.h"
#include "check/duration_histogram.h"
#include "check/outcome.h"
#include "check/probe.h"
#include "config/model_lvs.h"
#include "core/clock.h"
#include "core/event_loop.h"
#include "core/timer_entry.h"

// The one checker base (DESIGN.md "Checkers"): it owns when probes run and
// what their results mean, so every checker type gets the same rules:
//
//  - the first attempt: with a CheckPacer (the check worker's), it is
//    placed from the loop's first turn after start(), not from start() (a
//    worker builds thousands of checkers before its loop runs): with warmup
//    equal to delay_loop (the default) at the phase of delay_loop the pacer
//    hands out, so the first round is spread evenly over one interval; with
//    another warmup at a random time in [0, warmup]; with warmup 0 at once.
//    Without a pacer it waits a random time in [0, warmup] from start();
//  - delay_loop between attempts while the state is settled, on a fixed
//    grid: an attempt is due delay_loop after the previous one was due, not
//    after it finished, so the schedule does not drift by each attempt's
//    duration and the loop's lateness; a slot that has already passed when
//    an attempt finishes (its timeout is as long as delay_loop) is skipped;
//    a retry still waits delay_before_retry after the failure; settled
//    attempts start on a kBatchTick boundary (up to 50 ms after they are
//    due) so that checks due together share a loop wake-up;
//  - the attempt timeout (connect_timeout, or misc_timeout for MISC_CHECK):
//    an attempt still running then is aborted (AbortReason::Timeout) and
//    counts as Timeout (ScriptTimeout for MISC_CHECK, whose script the
//    abort kills). The clock
//    starts when the probe starts, after any deferral by the pacer. A
//    timeout that fires more than kLateTolerance late means the loop was
//    busy, and an answer may be waiting unread: the attempt gets that
//    lateness again (at most attemptTimeout in all) before it counts as a
//    failure, so the checker's own lateness is not held against the server
//    (counted in CheckerCounters::lateTimeouts);
//  - retry / delay_before_retry: a failure while up is retried `retry`
//    times, delay_before_retry apart, before the checker goes down; a
//    success in between forgets the failures;
//  - a down checker goes up on its first success (keepalived's HTTP_GET with
//    fast_recovery; without it keepalived waits a delay_loop per url);
//  - alpha: start down; otherwise start up;
//  - misc_dynamic weights: a success carrying a weight sets it;
//  - counters per Outcome and the last attempt's duration.
namespace vigil::check {

// A checker's statistics: 152 bytes (256 with a uint64_t per count), since
// a check worker keeps one per checker (issue 4).
class CheckerCounters {
 public:
  uint64_t count(Outcome outcome) const { return counts_[static_cast<size_t>(outcome)]; }
  uint64_t total() const;  // finished attempts
  uint64_t failures() const { return total() - count(Outcome::Up); }
  uint64_t attempts() const { return counts_[kAttempts]; }  // started
  uint64_t upTransitions() const { return counts_[kUpTransitions]; }
  uint64_t downTransitions() const { return counts_[kDownTransitions]; }
  // Timeouts that fired late and were extended.
  uint64_t lateTimeouts() const { return counts_[kLateTimeouts]; }
  // Of finished attempts, for /metrics.
  const DurationHistogram& durations() const { return durations_; }

  void countAttempt() { counts_.increment(kAttempts); }
  void countUpTransition() { counts_.increment(kUpTransitions); }
  void countDownTransition() { counts_.increment(kDownTransitions); }
  void countLateTimeout() { counts_.increment(kLateTimeouts); }
  void countFinished(Outcome outcome, Duration took) {
    counts_.increment(static_cast<size_t>(outcome));
    durations_.observe(took);
  }

 private:
  // After the outcomes, which are indexed by Outcome.
  static constexpr size_t kAttempts = kOutcomeCount;
  static constexpr size_t kUpTransitions = kOutcomeCount + 1;
  static constexpr size_t kDownTransitions = kOutcomeCount + 2;
  static constexpr size_t kLateTimeouts = kOutcomeCount + 3;

  CompactCounts<kOutcomeCount + 4> counts_;
  DurationHistogram durations_;
};

// What a listener hears: the state after the change and the result that
// caused it.
struct CheckerEvent {
  enum class Kind : uint8_t {
    Up,             // was down, now up
    Down,           // was up, now down (retries exhausted)
    WeightChanged,  // still up; a success asked for a different weight
  };
  Kind kind = Kind::Up;
  bool up = false;
  std::optional<uint32_t> weight;  // the dynamic weight now; unset: configured
  ProbeResult cause;
};

// The checker's one timer is its TimerEntry base, first, so the base
// CheckPacer::Client's small members and the flags after them share one
// padding (a 432-byte block with the timer, against 368 plus a 112-byte
// timer block; issue 4).
class Checker final : private TimerEntry, private CheckPacer::Client {
 public:
  // Settled attempts start on the first multiple of this (on the loop's
  // clock) at or after they are due, so checks due close together share a
  // loop wake-up.
  static constexpr Duration kBatchTick = CheckPacer::kTick;
  // How late a timeout may fire before the loop counts as having been busy.
  static constexpr Duration kLateTolerance = std::chrono::milliseconds(50);
  // The most time a late timeout gets back (see the timeout rule above): an
  // attempt is judged at most attemptTimeout + maxLateGrace(attemptTimeout)
  // after it started, plus however late the loop runs its timers. A probe
  // whose library keeps its own timeout (libcurl) sets it beyond this, so the
  // checker's timer, which knows about the loop's lateness, is the one that
  // counts.
  static constexpr Duration maxLateGrace(Duration attemptTimeout) { return attemptTimeout; }

  using Listener = std::function<void(const CheckerEvent&)>;
  // Returns a duration uniformly distributed in [0, max]. Injected so tests
  // choose the warmup delay.
  using RandomSource = std::function<Duration(Duration max)>;

  // `attemptTimeout`: connect_timeout, or misc_timeout for MISC_CHECK (see
  // check/probe_factory.h attemptTimeout()). `name` prefixes log lines
  // ("TCP_CHECK [10.0.0.2]:80"). An empty `random` uses a seeded engine.
  // `pacer` (may be null: no pacing) must outlive the checker; it also
  // counts the checker's late timeouts (CheckPacer::lateTimeouts).
  Checker(EventLoop& loop, const config::CheckerBase& base, Duration attemptTimeout,
          std::unique_ptr<Probe> probe, RandomSource random = {}, std::string name = {},
          CheckPacer* pacer = nullptr);
  ~Checker();
  Checker(const Checker&) = delete;
  Checker& operator=(const Checker&) = delete;

  // Schedules the first attempt (see the first rule above). Starting a
  // running checker does nothing.
  void start();
  // Cancels timers and aborts an attempt in flight (AbortReason::Stopped:
  // not a timeout, however long it ran); the state is kept.
  // start() may be called again later (warmup applies again).
  void stop();
  bool running() const { return running_; }

  bool up() const { return up_; }
  // The weight the last weighted success asked for (MISC_CHECK with
  // misc_dynamic); unset: the real server's configured weight applies.
  std::optional<uint32_t> weight() const {
    return hasWeight_ ? std::optional<uint32_t>(weight_) : std::nullopt;
  }
  const CheckerCounters& counters() const { return counters_; }
  // How long the last finished attempt took (a timeout counts its full
  // length); unset before the first one.
  std::optional<Duration> lastDuration() const {
    if (lastDuration_ < Duration::zero()) return std::nullopt;
    return lastDuration_;
  }
  // The last finished attempt's outcome; unset before the first one
  // (lastDuration_ is set with it, so a duration says there is one).
  std::optional<Outcome> lastOutcome() const {
    if (lastDuration_ < Duration::zero()) return std::nullopt;
    return lastOutcome_;
  }
  // Its detail for logs and the snapshot ("connect: Connection refused");
  // empty before the first one, or when it had none.
  std::string_view lastDetail() const { return lastDetail_ ? lastDetail_.get() : ""; }
  // Consecutive failures since the last success or state change.
  uint32_t pendingFailures() const { return failures_; }
  // For log lines: the name it was built with, or describe() of the
  // configuration given to nameAfter().
  std::string name() const;
  // From now on the checker is named after `config` (describe()), which
  // must outlive it or the next call: a ProbeRegistry names the Checker it
  // runs after the configuration it holds for it, so a check worker's
  // 20,000 checkers keep no name text of their own (issue 4).
  void nameAfter(const config::Checker& config);

  // Called on every state or weight change, on the loop. The listener may
  // stop() the checker but must not destroy it from inside the call.
  void setListener(Listener listener) { listener_ = std::move(listener); }

  // A RandomSource backed by a std::mt19937_64 seeded from random_device.
  static RandomSource defaultRandom();

 private:
  // The checker's one timer (TimerEntry): the attempt in flight's timeout
  // while there is one, else the next attempt (or the first one's placing).
  // A checker waits either for its next attempt or for the timeout of the
  // one in flight, never both (the next attempt is scheduled when the one in
  // flight ends).
  void fire(TimePoint now) override;
  void onTimer();
  Timer& timer() { return *this; }
  void onNextTimer();
  // Fixes the first attempt's time, on the loop's first turn after start().
  void placeFirst();
  void onStartGranted() override;
  void attempt(TimePoint now);
  // The attempt in flight is over: tells the pacer.
  void endAttempt();
  void finished(uint32_t generation, ProbeResult result);
  void timedOut();
  // `now`: the loop's time when the attempt ended, read once for its
  // duration and the next attempt's slot.
  void record(const ProbeResult& result, TimePoint now);
  // Keeps `detail` as lastDetail().
  void keepDetail(std::string_view detail);
  void onSuccess(const ProbeResult& result, TimePoint now);
  void onFailure(const ProbeResult& result, TimePoint now);
  void notify(CheckerEvent::Kind kind, const ProbeResult& cause);
  // The next settled attempt: `delay` after the last one was due.
  void scheduleNext(Duration delay, TimePoint now);
  void scheduleRetry(TimePoint now);
  static TimePoint batchTick(TimePoint due);

  // A uniformly distributed duration in [0, max], from random_ when one
  // was given, else from the thread's engine (defaultRandom).
  Duration pick(Duration max) const;

  // The flags first, as bits, so they and lastOutcome_ fill the padding at
  // the end of CheckPacer::Client; the rest ordered so no member is padded
  // (a check worker keeps 20,000 checkers: a 416-byte block each; issue 4).
  bool running_ : 1 = false;
  bool placing_ : 1 = false;  // the next timer places the first attempt
  bool inFlight_ : 1 = false;
  bool up_ : 1 = true;
  bool namedAfterConfig_ : 1 = false;  // which of name_'s members is set
  bool hasWeight_ : 1 = false;         // weight_ is set (see weight())
  // What the rules above read of config::CheckerBase (with delayLoop_,
  // delayBeforeRetry_, warmup_ and retry_ below): not its source position,
  // its connect_timeout (attemptTimeout_ is the one that counts) or alpha
  // (read once).
  bool misc_ : 1 = false;  // MISC_CHECK: a timeout killed its script
  bool logAllFailures_ : 1 = false;
  Outcome lastOutcome_ = Outcome::Up;  // see lastOutcome()
  EventLoop& loop_;
  Duration delayLoop_;
  Duration delayBeforeRetry_;
  Duration warmup_;
  Duration attemptTimeout_;
  std::unique_ptr<Probe> probe_;
  // Null: defaultRandom's engine. A pointer, not a std::function (32
  // bytes) in every one of 20,000 checkers that all use the default.
  std::unique_ptr<const RandomSource> random_;
  // For log lines only: the text it was built with (owned; null: no name)
  // or, after nameAfter(), the configuration to describe.
  union {
    const char* text;
    const config::Checker* config;
  } name_;
  CheckPacer* pacer_;
  Listener listener_;

  // When the attempt in flight, or the next one, is due: the anchor of the
  // schedule (see scheduleNext).
  TimePoint due_{};
  TimePoint attemptStart_{};
  // When the attempt in flight times out is its timer's deadline() (the
  // timer holds nothing else while it is in flight).
  Duration lateGranted_{};  // extra time given back to it for loop lateness
  uint32_t failures_ = 0;
  // Bumped per attempt and on stop, so a late `done` from an aborted
  // attempt is recognised and dropped (only equality counts: a wrap after
  // 2^32 attempts is harmless).
  uint32_t generation_ = 0;
  uint32_t retry_;
  uint32_t weight_ = 0;
  CheckerCounters counters_;
  Duration lastDuration_{-1};  // negative: none yet
  // The last result's detail, null when empty: the text alone, not a
  // ProbeResult's 48 bytes (its outcome is lastOutcome_, its weight weight_).
  std::unique_ptr<const char[]> lastDetail_;
};

}  // namespace vigil::check
