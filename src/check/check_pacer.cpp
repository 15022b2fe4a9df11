#include "check/check_pacer.h"

#include <algorithm>
#include <cmath>

#include "core/log.h"

namespace vigil::check {
namespace {

// 2^64 / golden ratio: k * this (mod 2^64) / 2^64 is frac(k / phi), the
// sequence whose first n points split [0, 1) into gaps of at most three
// sizes (the three-gap theorem), the largest under 2.7 / n.
constexpr uint64_t kGoldenStep = 0x9E3779B97F4A7C15ULL;

// Deferral while the loop is overloaded would log on every tick.
constexpr Duration kDeferralLogInterval = std::chrono::seconds(60);

int64_t tickIndex(TimePoint t) { return t.time_since_epoch() / CheckPacer::kTick; }

}  // namespace

CheckPacer::CheckPacer(EventLoop& loop, size_t minStartsPerTick)
    : loop_(loop),
      minStartsPerTick_(minStartsPerTick),
      tickTimer_(loop.createTimer([this] { onTick(); })),
      startsPerTickLimit_(minStartsPerTick) {}

CheckPacer::~CheckPacer() {
  for (Client* client : waiting_) client->queued_ = false;
}

Duration CheckPacer::nextPhase(Duration interval) {
  if (interval <= Duration::zero()) return Duration::zero();
  const uint64_t fraction = phaseSequence_++ * kGoldenStep;
  const auto scaled =
      static_cast<unsigned __int128>(fraction) * static_cast<unsigned __int128>(interval.count());
  return Duration(static_cast<Duration::rep>(scaled >> 64));
}

void CheckPacer::join(Duration delayLoop) {
  if (delayLoop > Duration::zero()) {
    demandPerSecond_ += 1.0 / std::chrono::duration<double>(delayLoop).count();
    updateLimit();
  }
}

void CheckPacer::leave(Duration delayLoop) {
  if (delayLoop > Duration::zero()) {
    demandPerSecond_ -= 1.0 / std::chrono::duration<double>(delayLoop).count();
    demandPerSecond_ = std::max(demandPerSecond_, 0.0);
    updateLimit();
  }
}

void CheckPacer::updateLimit() {
  const double perTick = demandPerSecond_ * std::chrono::duration<double>(kTick).count();
  startsPerTickLimit_ = std::max(minStartsPerTick_, static_cast<size_t>(std::ceil(2 * perTick)));
}

TimePoint CheckPacer::tickAtOrAfter(TimePoint t) {
  const Duration sinceEpoch = t.time_since_epoch();
  return TimePoint{(sinceEpoch + kTick - Duration{1}) / kTick * kTick};
}

void CheckPacer::openTick(TimePoint now) {
  const int64_t tick = tickIndex(now);
  if (tick != tick_) {
    tick_ = tick;
    startedThisTick_ = 0;
  }
}

bool CheckPacer::request(Client& client, TimePoint now) {
  if (client.queued_) return false;
  openTick(now);
  // Waiting clients go first: a checker due now must not overtake one
  // that has been deferred.
  if (waiting_.empty() && mayStart()) {
    ++startedThisTick_;
    ++inFlight_;
    return true;
  }
  client.at_ = waiting_.insert(waiting_.end(), &client);
  client.queued_ = true;
  ++deferredStarts_;
  if (!lastDeferralLog_ || now - *lastDeferralLog_ >= kDeferralLogInterval) {
    lastDeferralLog_ = now;
    log(LogLevel::Info,
        "check worker: more checks due in one {} ms tick than the {} it starts at once; the "
        "rest start on the next ticks, on their schedule (logged once a minute)",
        std::chrono::duration_cast<std::chrono::milliseconds>(kTick).count(), startsPerTickLimit());
  }
  if (!tickTimer_->armed()) tickTimer_->armAt(TimePoint{(tick_ + 1) * kTick});
  return false;
}

bool CheckPacer::mayStart() const {
  return startedThisTick_ < startsPerTickLimit_ && inFlight_ < startsPerTickLimit_;
}

void CheckPacer::finished() {
  if (inFlight_ > 0) --inFlight_;
}

void CheckPacer::cancel(Client& client) {
  if (!client.queued_) return;
  waiting_.erase(client.at_);
  client.queued_ = false;
}

void CheckPacer::onTick() {
  openTick(loop_.now());
  // A granted client's attempt may stop or start others (a listener):
  // pop before calling and look at the queue afresh each time.
  while (!waiting_.empty() && mayStart()) {
    Client* client = waiting_.front();
    waiting_.pop_front();
    client->queued_ = false;
    ++startedThisTick_;
    ++inFlight_;
    client->onStartGranted();
  }
  if (!waiting_.empty() && !tickTimer_->armed()) {
    tickTimer_->armAt(TimePoint{(tick_ + 1) * kTick});
  }
}

}  // namespace vigil::check
