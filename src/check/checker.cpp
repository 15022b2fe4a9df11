#include "check/checker.h"

#include <fmt/chrono.h>

#include <algorithm>
#include <numeric>
#include <random>

#include "core/log.h"

namespace vigil::check {

uint64_t CheckerCounters::total() const {
  return std::accumulate(outcomes.begin(), outcomes.end(), uint64_t{0});
}

// One engine per thread, seeded once: a per-checker mt19937_64 (2.5 KB) plus a random_device
// read cost measurable memory and start-up time with thousands of checkers. The jitter only
// needs to spread start times, not be independent per checker.
Checker::RandomSource Checker::defaultRandom() {
  return [](Duration max) {
    if (max <= Duration::zero()) {
      return Duration::zero();
    }
    thread_local std::mt19937_64 engine{std::random_device{}()};
    std::uniform_int_distribution<Duration::rep> pick(0, max.count());
    return Duration(pick(engine));
  };
}

Checker::Checker(EventLoop& loop, const config::CheckerBase& base, Duration attemptTimeout,
                 std::unique_ptr<Probe> probe, RandomSource random, std::string name)
    : loop_(loop),
      base_(base),
      attemptTimeout_(attemptTimeout),
      probe_(std::move(probe)),
      random_(random ? std::move(random) : defaultRandom()),
      name_(std::move(name)),
      nextTimer_(loop.createTimer([this] { attempt(); })),
      timeoutTimer_(loop.createTimer([this] { timedOut(); })),
      up_(!base.alpha) {}

Checker::~Checker() { stop(); }

void Checker::start() {
  if (running_) {
    return;
  }
  running_ = true;
  Duration warmup = base_.warmup > Duration::zero() ? random_(base_.warmup) : Duration::zero();
  due_ = loop_.now() + std::clamp(warmup, Duration::zero(), base_.warmup);
  nextTimer_->armAt(due_);
}

void Checker::stop() {
  if (!running_) {
    return;
  }
  running_ = false;
  nextTimer_->cancel();
  timeoutTimer_->cancel();
  ++generation_;
  if (inFlight_) {
    inFlight_ = false;
    probe_->abort();
  }
}

void Checker::attempt() {
  inFlight_ = true;
  ++counters_.attempts;
  attemptStart_ = loop_.now();
  uint64_t generation = ++generation_;
  timeoutTimer_->armAfter(attemptTimeout_);
  probe_->start(
      [this, generation](ProbeResult result) { finished(generation, std::move(result)); });
}

void Checker::finished(uint64_t generation, ProbeResult result) {
  if (generation != generation_ || !inFlight_) {
    return;  // an attempt we already gave up on
  }
  inFlight_ = false;
  timeoutTimer_->cancel();
  record(result);
}

void Checker::timedOut() {
  if (!inFlight_) {
    return;
  }
  inFlight_ = false;
  ++generation_;
  probe_->abort();
  ProbeResult result;
  // MISC_CHECK's probe has just killed its script: say so.
  result.outcome =
      base_.type == config::CheckerType::Misc ? Outcome::ScriptTimeout : Outcome::Timeout;
  result.detail =
      fmt::format("no answer within {}",
                  std::chrono::duration_cast<std::chrono::milliseconds>(attemptTimeout_));
  record(result);
}

void Checker::record(ProbeResult& result) {
  ++counters_.outcomes[static_cast<size_t>(result.outcome)];
  lastDuration_ = loop_.now() - attemptStart_;
  counters_.durations.observe(*lastDuration_);
  lastResult_ = result;
  if (result.up()) {
    onSuccess(result);
  } else {
    onFailure(result);
  }
}

void Checker::onSuccess(const ProbeResult& result) {
  failures_ = 0;
  std::optional<uint32_t> previousWeight = weight_;
  if (result.weight) {
    weight_ = result.weight;
  }
  if (!up_) {
    up_ = true;
    ++counters_.upTransitions;
    log(LogLevel::Info, "{}: up", name_);
    notify(CheckerEvent::Kind::Up, result);
  } else if (weight_ != previousWeight) {
    notify(CheckerEvent::Kind::WeightChanged, result);
  }
  scheduleNext(base_.delayLoop);
}

void Checker::onFailure(const ProbeResult& result) {
  if (!up_) {
    if (base_.logAllFailures) {
      log(LogLevel::Info, "{}: still down: {} ({})", name_, toString(result.outcome),
          result.detail);
    }
    scheduleNext(base_.delayLoop);
    return;
  }
  ++failures_;
  if (failures_ <= base_.retry) {
    if (base_.logAllFailures) {
      log(LogLevel::Info, "{}: failed: {} ({}), retry {} of {}", name_, toString(result.outcome),
          result.detail, failures_, base_.retry);
    }
    scheduleRetry();
    return;
  }
  failures_ = 0;
  up_ = false;
  ++counters_.downTransitions;
  log(LogLevel::Warning, "{}: down: {} ({})", name_, toString(result.outcome), result.detail);
  notify(CheckerEvent::Kind::Down, result);
  scheduleNext(base_.delayLoop);
}

void Checker::notify(CheckerEvent::Kind kind, const ProbeResult& cause) {
  if (listener_) {
    listener_(CheckerEvent{kind, up_, weight_, cause});
  }
}

void Checker::scheduleNext(Duration delay) {
  if (!running_) {  // the listener may have stopped us
    return;
  }
  const TimePoint now = loop_.now();
  TimePoint next = due_ + delay;
  if (delay <= Duration::zero()) {
    next = now;
  } else if (next <= now) {
    next += (now - next) / delay * delay + delay;  // skip the slots already past
  }
  due_ = next;
  nextTimer_->armAt(batchTick(next));
}

// The attempt runs at the first batch tick at or after it is due. Checks
// spread evenly over the interval each woke the loop (and the real
// servers) on their own, and their connects, requests and replies went
// through the loop one by one: 20-30 % more CPU per check than the clumps
// a completion + delay_loop schedule drifts into, at 1,000 HTTP_GET
// checks/s in tests/bench/check_scale. A 50 ms tick brings that back to par
// (10 ms recovered only part). due_ keeps the exact time, so the delay does
// not add up from one attempt to the next.
TimePoint Checker::batchTick(TimePoint due) {
  const Duration sinceEpoch = due.time_since_epoch();
  const Duration ticks = (sinceEpoch + kBatchTick - Duration{1}) / kBatchTick * kBatchTick;
  return TimePoint{ticks};
}

// A retry waits delay_before_retry after the failure, as keepalived's does
// (a timed-out attempt may end long after it was due); the schedule goes on
// from the retry.
void Checker::scheduleRetry() {
  if (running_) {
    due_ = loop_.now() + base_.delayBeforeRetry;
    nextTimer_->armAt(due_);
  }
}

}  // namespace vigil::check
