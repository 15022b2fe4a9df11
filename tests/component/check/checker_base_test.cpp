#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "check/checker.h"
#include "core/simulated_loop.h"
#include "fakes/fake_probe.h"

// The checker base's schedule and state rules on a simulated loop, with a
// fake probe the test finishes by hand.
namespace vigil::check {
namespace {

using fakes::FakeProbeControl;
using std::chrono::milliseconds;

struct BaseBuilder {
  config::CheckerBase base;
  BaseBuilder() {
    base.delayLoop = milliseconds(1000);
    base.connectTimeout = milliseconds(300);
    base.delayBeforeRetry = milliseconds(100);
    base.warmup = Duration::zero();
    base.retry = 0;
  }
  BaseBuilder& retry(uint32_t n) {
    base.retry = n;
    return *this;
  }
  BaseBuilder& alpha() {
    base.alpha = true;
    return *this;
  }
  BaseBuilder& warmup(Duration d) {
    base.warmup = d;
    return *this;
  }
};

struct Harness {
  explicit Harness(const config::CheckerBase& base, Checker::RandomSource random = {}) {
    if (!random) {
      random = [](Duration) { return Duration::zero(); };
    }
    checker =
        std::make_unique<Checker>(loop, base, base.connectTimeout,
                                  std::make_unique<fakes::FakeProbe>(control), random, "TEST");
    checker->setListener([this](const CheckerEvent& e) { events.push_back(e); });
  }
  // Lets the next attempt start and finishes it.
  void runAttempt(Outcome outcome, std::optional<uint32_t> weight = std::nullopt) {
    if (!control->inFlight()) {
      ASSERT_TRUE(loop.nextDeadline().has_value());
      loop.advanceTo(*loop.nextDeadline());
    }
    ASSERT_TRUE(control->finish(outcome, weight));
  }

  SimulatedLoop loop;
  std::shared_ptr<FakeProbeControl> control = std::make_shared<FakeProbeControl>();
  std::unique_ptr<Checker> checker;
  std::vector<CheckerEvent> events;
};

TEST(CheckerBaseTest, StartsUpWithoutAlphaAndDownWithIt) {
  Harness plain(BaseBuilder().base);
  Harness alpha(BaseBuilder().alpha().base);
  EXPECT_TRUE(plain.checker->up());
  EXPECT_FALSE(alpha.checker->up());
}

TEST(CheckerBaseTest, AlphaCheckerGoesUpOnFirstSuccessWithoutRetries) {
  Harness h(BaseBuilder().alpha().retry(3).base);
  h.checker->start();
  h.runAttempt(Outcome::Up);
  EXPECT_TRUE(h.checker->up());
  ASSERT_EQ(h.events.size(), 1U);
  EXPECT_EQ(h.events[0].kind, CheckerEvent::Kind::Up);
  EXPECT_EQ(h.checker->counters().upTransitions(), 1U);
}

TEST(CheckerBaseTest, FailureWhileUpIsRetriedDelayBeforeRetryApartThenGoesDown) {
  Harness h(BaseBuilder().retry(2).base);
  h.checker->start();
  h.loop.runPosted();
  h.loop.advance(Duration::zero());
  ASSERT_TRUE(h.control->inFlight());
  TimePoint t0 = h.loop.now();
  h.runAttempt(Outcome::Refused);
  EXPECT_EQ(*h.loop.nextDeadline() - t0, milliseconds(100));  // delay_before_retry
  h.runAttempt(Outcome::Refused);
  EXPECT_TRUE(h.checker->up());  // retry 1 of 2 failed, still up
  h.runAttempt(Outcome::Refused);
  EXPECT_FALSE(h.checker->up());
  ASSERT_EQ(h.events.size(), 1U);
  EXPECT_EQ(h.events[0].kind, CheckerEvent::Kind::Down);
  EXPECT_EQ(h.events[0].cause.outcome, Outcome::Refused);
  EXPECT_EQ(h.loop.now() - t0, milliseconds(200));
  // Down: back to delay_loop between attempts.
  EXPECT_EQ(*h.loop.nextDeadline() - h.loop.now(), milliseconds(1000));
  EXPECT_EQ(h.control->starts, 3);
}

TEST(CheckerBaseTest, SuccessDuringRetriesForgetsTheFailures) {
  Harness h(BaseBuilder().retry(1).base);
  h.checker->start();
  h.runAttempt(Outcome::Refused);
  h.runAttempt(Outcome::Up);
  EXPECT_EQ(h.checker->pendingFailures(), 0U);
  h.runAttempt(Outcome::Refused);
  EXPECT_TRUE(h.checker->up());  // one failure again, retry 1 allows it
  h.runAttempt(Outcome::Refused);
  EXPECT_FALSE(h.checker->up());
}

TEST(CheckerBaseTest, SettledChecksRunDelayLoopApart) {
  Harness h(BaseBuilder().base);
  h.checker->start();
  h.runAttempt(Outcome::Up);
  TimePoint after = h.loop.now();
  EXPECT_EQ(*h.loop.nextDeadline() - after, milliseconds(1000));
  EXPECT_TRUE(h.events.empty());  // already up: no change to report
}

TEST(CheckerBaseTest, SettledChecksAreDueDelayLoopAfterThePreviousWasDueNotAfterItEnded) {
  Harness h(BaseBuilder().base);
  h.checker->start();
  h.loop.advance(Duration::zero());
  TimePoint due = h.loop.now();
  h.loop.advance(milliseconds(250));  // a slow handshake
  ASSERT_TRUE(h.control->finish(Outcome::Up));
  EXPECT_EQ(*h.loop.nextDeadline(), due + milliseconds(1000));
  h.loop.advanceTo(due + milliseconds(1000));
  h.loop.advance(milliseconds(40));
  ASSERT_TRUE(h.control->finish(Outcome::Up));
  EXPECT_EQ(*h.loop.nextDeadline(), due + milliseconds(2000));  // no drift
}

TEST(CheckerBaseTest, ASlotThatPassedDuringAnAttemptIsSkipped) {
  BaseBuilder builder;
  builder.base.connectTimeout = milliseconds(1000);  // as long as delay_loop
  Harness h(builder.alpha().base);
  h.checker->start();
  h.loop.advance(Duration::zero());
  TimePoint due = h.loop.now();
  h.loop.advance(milliseconds(1000));  // times out exactly when the next is due
  EXPECT_EQ(h.checker->counters().count(Outcome::Timeout), 1U);
  EXPECT_EQ(h.control->starts, 1);
  EXPECT_EQ(*h.loop.nextDeadline(), due + milliseconds(2000));
}

TEST(CheckerBaseTest, ARetryWaitsDelayBeforeRetryAfterTheFailureEvenOffTheSchedule) {
  Harness h(BaseBuilder().retry(1).base);
  h.checker->start();
  h.loop.advance(Duration::zero());
  TimePoint due = h.loop.now();
  h.loop.advance(milliseconds(300));  // connect_timeout: the attempt times out
  EXPECT_EQ(h.checker->counters().count(Outcome::Timeout), 1U);
  EXPECT_EQ(*h.loop.nextDeadline(), due + milliseconds(400));  // 300 + delay_before_retry
  h.runAttempt(Outcome::Up);
  EXPECT_EQ(*h.loop.nextDeadline(), due + milliseconds(1400));  // delay_loop from the retry
}

TEST(CheckerBaseTest, DownCheckerFailingKeepsPollingAtDelayLoop) {
  Harness h(BaseBuilder().alpha().retry(3).base);
  h.checker->start();
  h.runAttempt(Outcome::Timeout);
  EXPECT_EQ(*h.loop.nextDeadline() - h.loop.now(), milliseconds(1000));
  EXPECT_TRUE(h.events.empty());
}

TEST(CheckerBaseTest, AttemptTimeoutAbortsTheProbeAndCountsTimeout) {
  Harness h(BaseBuilder().base);
  h.checker->start();
  h.loop.advance(Duration::zero());
  ASSERT_TRUE(h.control->inFlight());
  h.loop.advance(milliseconds(299));
  EXPECT_EQ(h.control->aborts, 0);
  h.loop.advance(milliseconds(1));
  EXPECT_EQ(h.control->aborts, 1);
  EXPECT_FALSE(h.control->inFlight());
  EXPECT_FALSE(h.checker->up());  // retry 0: the first failure takes it down
  EXPECT_EQ(h.checker->counters().count(Outcome::Timeout), 1U);
  EXPECT_EQ(h.checker->lastDuration(), milliseconds(300));
  ASSERT_EQ(h.events.size(), 1U);
  EXPECT_EQ(h.events[0].cause.outcome, Outcome::Timeout);
}

TEST(CheckerBaseTest, WarmupDelaysTheFirstAttemptByTheRandomSource) {
  std::vector<Duration> asked;
  Harness h(BaseBuilder().warmup(milliseconds(500)).base, [&](Duration max) {
    asked.push_back(max);
    return milliseconds(123);
  });
  TimePoint t0 = h.loop.now();
  h.checker->start();
  h.loop.advance(milliseconds(122));
  EXPECT_EQ(h.control->starts, 0);
  h.loop.advance(milliseconds(1));
  EXPECT_EQ(h.control->starts, 1);
  EXPECT_EQ(h.loop.now() - t0, milliseconds(123));
  ASSERT_EQ(asked.size(), 1U);
  EXPECT_EQ(asked[0], milliseconds(500));
}

TEST(CheckerBaseTest, WarmupNeverExceedsItsMaximum) {
  Harness h(BaseBuilder().warmup(milliseconds(50)).base,
            [](Duration) { return std::chrono::seconds(10); });
  h.checker->start();
  h.loop.advance(milliseconds(50));
  EXPECT_EQ(h.control->starts, 1);
}

TEST(CheckerBaseTest, CountsEveryOutcomeAndTheLastDuration) {
  Harness h(BaseBuilder().retry(5).base);
  h.checker->start();
  h.loop.advance(Duration::zero());
  h.loop.advance(milliseconds(40));
  ASSERT_TRUE(h.control->finish(Outcome::Up));
  EXPECT_EQ(h.checker->lastDuration(), milliseconds(40));
  h.runAttempt(Outcome::Refused);
  h.runAttempt(Outcome::NetworkError);
  h.runAttempt(Outcome::Refused);
  const CheckerCounters& c = h.checker->counters();
  EXPECT_EQ(c.attempts(), 4U);
  EXPECT_EQ(c.count(Outcome::Up), 1U);
  EXPECT_EQ(c.count(Outcome::Refused), 2U);
  EXPECT_EQ(c.count(Outcome::NetworkError), 1U);
  EXPECT_EQ(c.failures(), 3U);
  EXPECT_EQ(h.checker->lastOutcome(), Outcome::Refused);
}

TEST(CheckerBaseTest, DynamicWeightChangesAreReportedWhileUp) {
  Harness h(BaseBuilder().alpha().base);
  h.checker->start();
  h.runAttempt(Outcome::Up, 10U);
  ASSERT_EQ(h.events.size(), 1U);
  EXPECT_EQ(h.events[0].kind, CheckerEvent::Kind::Up);
  EXPECT_EQ(h.events[0].weight, 10U);
  h.runAttempt(Outcome::Up, 10U);
  EXPECT_EQ(h.events.size(), 1U);  // same weight: nothing to say
  h.runAttempt(Outcome::Up, 20U);
  ASSERT_EQ(h.events.size(), 2U);
  EXPECT_EQ(h.events[1].kind, CheckerEvent::Kind::WeightChanged);
  EXPECT_EQ(h.checker->weight(), 20U);
  h.runAttempt(Outcome::Up);  // exit 0 under misc_dynamic: weight unchanged
  EXPECT_EQ(h.checker->weight(), 20U);
}

TEST(CheckerBaseTest, StopAbortsTheAttemptAndIgnoresItsLateResult) {
  Harness h(BaseBuilder().base);
  h.checker->start();
  h.loop.advance(Duration::zero());
  auto late = h.control->pending;  // a probe that ignores abort()
  h.checker->stop();
  EXPECT_EQ(h.control->aborts, 1);
  EXPECT_FALSE(h.checker->running());
  EXPECT_EQ(h.loop.armedTimers(), 0U);
  late(ProbeResult{Outcome::Refused, std::nullopt, "late"});
  EXPECT_TRUE(h.checker->up());
  EXPECT_EQ(h.checker->counters().total(), 0U);
}

TEST(CheckerBaseTest, ListenerMayStopTheChecker) {
  Harness h(BaseBuilder().base);
  h.checker->setListener([&](const CheckerEvent&) { h.checker->stop(); });
  h.checker->start();
  h.runAttempt(Outcome::Refused);
  EXPECT_FALSE(h.checker->up());
  EXPECT_EQ(h.loop.armedTimers(), 0U);
}

}  // namespace
}  // namespace vigil::check
