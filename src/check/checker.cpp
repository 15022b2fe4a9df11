#include "check/checker.h"

#include <fmt/chrono.h>

#include <algorithm>
#include <random>

#include "check/probe_factory.h"
#include "core/log.h"

namespace vigil::check {

uint64_t CheckerCounters::total() const {
  uint64_t total = 0;
  for (size_t i = 0; i < kOutcomeCount; ++i) total += counts_[i];
  return total;
}

// One engine per thread, seeded once: a per-checker mt19937_64 (2.5 KB) plus a random_device
// read cost measurable memory and start-up time with thousands of checkers. The jitter only
// needs to spread start times, not be independent per checker.
namespace {

Duration pickFromThreadEngine(Duration max) {
  if (max <= Duration::zero()) {
    return Duration::zero();
  }
  thread_local std::mt19937_64 engine{std::random_device{}()};
  std::uniform_int_distribution<Duration::rep> pick(0, max.count());
  return Duration(pick(engine));
}

// Null for an empty text.
std::unique_ptr<char[]> copyText(std::string_view text) {
  if (text.empty()) return nullptr;
  auto copy = std::make_unique<char[]>(text.size() + 1);
  std::copy(text.begin(), text.end(), copy.get());
  copy[text.size()] = '\0';
  return copy;
}

}  // namespace

Checker::RandomSource Checker::defaultRandom() { return pickFromThreadEngine; }

Duration Checker::pick(Duration max) const {
  return random_ ? (*random_)(max) : pickFromThreadEngine(max);
}

Checker::Checker(EventLoop& loop, const config::CheckerBase& base, Duration attemptTimeout,
                 std::unique_ptr<Probe> probe, RandomSource random, std::string name,
                 CheckPacer* pacer)
    : up_(!base.alpha),
      misc_(base.type == config::CheckerType::Misc),
      logAllFailures_(base.logAllFailures),
      loop_(loop),
      delayLoop_(base.delayLoop),
      delayBeforeRetry_(base.delayBeforeRetry),
      warmup_(base.warmup),
      attemptTimeout_(attemptTimeout),
      probe_(std::move(probe)),
      random_(random ? std::make_unique<const RandomSource>(std::move(random)) : nullptr),
      name_{copyText(name).release()},
      pacer_(pacer),
      retry_(base.retry) {
  loop.attachTimer(*this);
}

void Checker::fire(TimePoint) { onTimer(); }

Checker::~Checker() {
  stop();
  if (!namedAfterConfig_) delete[] name_.text;
}

std::string Checker::name() const {
  if (namedAfterConfig_) return describe(*name_.config);
  return name_.text != nullptr ? name_.text : "";
}

void Checker::nameAfter(const config::Checker& config) {
  if (!namedAfterConfig_) delete[] name_.text;
  name_.config = &config;
  namedAfterConfig_ = true;
}

void Checker::start() {
  if (running_) {
    return;
  }
  running_ = true;
  if (pacer_ != nullptr) {
    pacer_->join(delayLoop_);
    // Due at once: the timer fires on the loop's next turn, after whatever
    // built this checker (and its thousands of siblings) has returned.
    placing_ = true;
    timer().armAt(loop_.now());
    return;
  }
  Duration warmup = warmup_ > Duration::zero() ? pick(warmup_) : Duration::zero();
  due_ = loop_.now() + std::clamp(warmup, Duration::zero(), warmup_);
  timer().armAt(due_);
}

// warmup 0 asks for the first check at once (the pacer's cap still
// applies). warmup equal to delay_loop, the default, spreads the first round
// evenly over delay_loop in start order (the pacer's phases), which the
// fixed schedule then keeps spread; any other warmup is keepalived's random
// first delay within its bound.
void Checker::placeFirst() {
  placing_ = false;
  Duration phase = Duration::zero();
  if (warmup_ == delayLoop_) {
    phase = pacer_->nextPhase(delayLoop_);
  } else if (warmup_ > Duration::zero()) {
    phase = std::clamp(pick(warmup_), Duration::zero(), warmup_);
  }
  due_ = loop_.now() + phase;
  timer().armAt(batchTick(due_));
}

void Checker::onTimer() {
  if (inFlight_) {
    timedOut();
  } else {
    onNextTimer();
  }
}

void Checker::onNextTimer() {
  if (placing_) {
    placeFirst();
  } else {
    const TimePoint now = loop_.now();
    if (pacer_ == nullptr || pacer_->request(*this, now)) attempt(now);
  }
}

void Checker::onStartGranted() { attempt(loop_.now()); }

void Checker::endAttempt() {
  inFlight_ = false;
  if (pacer_ != nullptr) pacer_->finished();
}

void Checker::stop() {
  if (!running_) {
    return;
  }
  running_ = false;
  placing_ = false;
  if (pacer_ != nullptr) {
    pacer_->cancel(*this);
    pacer_->leave(delayLoop_);
  }
  timer().cancel();
  ++generation_;
  if (inFlight_) {
    endAttempt();
    probe_->abort(AbortReason::Stopped);
  }
}

void Checker::attempt(TimePoint now) {
  inFlight_ = true;
  counters_.countAttempt();
  attemptStart_ = now;
  uint32_t generation = ++generation_;
  lateGranted_ = Duration::zero();
  timer().armAt(attemptStart_ + attemptTimeout_);
  probe_->start(
      [this, generation](ProbeResult result) { finished(generation, std::move(result)); });
}

void Checker::finished(uint32_t generation, ProbeResult result) {
  if (generation != generation_ || !inFlight_) {
    return;  // an attempt we already gave up on
  }
  endAttempt();
  // The timer still holds this attempt's timeout: record() re-arms it for
  // the next attempt (moving it costs the queue less than cancelling it and
  // arming it again), and a checker that its listener stopped has had it
  // cancelled by stop().
  record(result, loop_.now());
}

// Only onTimer() calls it, and only while an attempt is in flight (the
// timer then holds that attempt's timeout: attempt() arms it before the
// probe starts, and finished() and stop() cancel it as the attempt ends).
void Checker::timedOut() {
  // The loop was busy past the deadline: the answer may be sitting unread
  // (a turn takes in at most 1,024 ready descriptors). Give the lateness
  // back, within one attemptTimeout in all, so the turns after the stall
  // read it before the attempt is judged.
  const TimePoint now = loop_.now();
  const Duration late = now - TimerEntry::deadline();
  const Duration grace = maxLateGrace(attemptTimeout_);
  if (late > kLateTolerance && lateGranted_ < grace) {
    const Duration extra = std::min(late, grace - lateGranted_);
    lateGranted_ += extra;
    counters_.countLateTimeout();
    if (pacer_ != nullptr) pacer_->countLateTimeout();
    // name() formats the address: only when the line is written (late
    // timeouts come by the thousand when the loop stalls).
    if (logEnabled(LogLevel::Debug)) {
      log(LogLevel::Debug, "{}: timeout fired {} late (the loop was busy); waiting {} more", name(),
          std::chrono::duration_cast<std::chrono::milliseconds>(late),
          std::chrono::duration_cast<std::chrono::milliseconds>(extra));
    }
    timer().armAt(now + extra);
    return;
  }
  endAttempt();
  ++generation_;
  probe_->abort(AbortReason::Timeout);
  ProbeResult result;
  // MISC_CHECK's probe has just killed its script: say so.
  result.outcome = misc_ ? Outcome::ScriptTimeout : Outcome::Timeout;
  result.detail =
      fmt::format("no answer within {}",
                  std::chrono::duration_cast<std::chrono::milliseconds>(attemptTimeout_));
  record(result, now);
}

// `result` is the caller's (finished()'s or timedOut()'s), so it outlives
// the listener's call.
void Checker::record(const ProbeResult& result, TimePoint now) {
  lastDuration_ = now - attemptStart_;
  counters_.countFinished(result.outcome, lastDuration_);
  lastOutcome_ = result.outcome;
  keepDetail(result.detail);
  if (result.up()) {
    onSuccess(result, now);
  } else {
    onFailure(result, now);
  }
}

// A server that keeps failing gives the same detail on every attempt: kept
// once, not copied again each time.
void Checker::keepDetail(std::string_view detail) {
  if (detail != lastDetail()) lastDetail_ = copyText(detail);
}

void Checker::onSuccess(const ProbeResult& result, TimePoint now) {
  failures_ = 0;
  const std::optional<uint32_t> previousWeight = weight();
  if (result.weight) {
    weight_ = *result.weight;
    hasWeight_ = true;
  }
  if (!up_) {
    up_ = true;
    counters_.countUpTransition();
    log(LogLevel::Info, "{}: up", name());
    notify(CheckerEvent::Kind::Up, result);
  } else if (weight() != previousWeight) {
    notify(CheckerEvent::Kind::WeightChanged, result);
  }
  scheduleNext(delayLoop_, now);
}

void Checker::onFailure(const ProbeResult& result, TimePoint now) {
  if (!up_) {
    if (logAllFailures_) {
      log(LogLevel::Info, "{}: still down: {} ({})", name(), toString(result.outcome),
          result.detail);
    }
    scheduleNext(delayLoop_, now);
    return;
  }
  ++failures_;
  if (failures_ <= retry_) {
    if (logAllFailures_) {
      log(LogLevel::Info, "{}: failed: {} ({}), retry {} of {}", name(), toString(result.outcome),
          result.detail, failures_, retry_);
    }
    scheduleRetry(now);
    return;
  }
  failures_ = 0;
  up_ = false;
  counters_.countDownTransition();
  log(LogLevel::Warning, "{}: down: {} ({})", name(), toString(result.outcome), result.detail);
  notify(CheckerEvent::Kind::Down, result);
  scheduleNext(delayLoop_, now);
}

void Checker::notify(CheckerEvent::Kind kind, const ProbeResult& cause) {
  if (listener_) {
    listener_(CheckerEvent{kind, up_, weight(), cause});
  }
}

void Checker::scheduleNext(Duration delay, TimePoint now) {
  if (!running_) {  // the listener may have stopped us
    return;
  }
  TimePoint next = due_ + delay;
  if (delay <= Duration::zero()) {
    next = now;
  } else if (next <= now) {
    next += (now - next) / delay * delay + delay;  // skip the slots already past
  }
  due_ = next;
  timer().armAt(batchTick(next));
}

// The attempt runs at the first batch tick at or after it is due. Checks
// spread evenly over the interval each woke the loop (and the real
// servers) on their own, and their connects, requests and replies went
// through the loop one by one: 20-30 % more CPU per check than the clumps
// a completion + delay_loop schedule drifts into, at 1,000 HTTP_GET
// checks/s in tests/bench/check_scale. A 50 ms tick brings that back to par
// (10 ms recovered only part). due_ keeps the exact time, so the delay does
// not add up from one attempt to the next.
TimePoint Checker::batchTick(TimePoint due) { return CheckPacer::tickAtOrAfter(due); }

// A retry waits delay_before_retry after the failure, as keepalived's does
// (a timed-out attempt may end long after it was due); the schedule goes on
// from the retry.
void Checker::scheduleRetry(TimePoint now) {
  if (running_) {
    due_ = now + delayBeforeRetry_;
    timer().armAt(due_);
  }
}

}  // namespace vigil::check
