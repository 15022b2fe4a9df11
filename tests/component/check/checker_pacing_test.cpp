#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <vector>

#include "check/check_pacer.h"
#include "check/checker.h"
#include "core/simulated_loop.h"
#include "fakes/fake_probe.h"

// The check worker's pacing at scale on a simulated loop: the first round
// of 20,000 checkers is spread over delay_loop from the loop's first turn,
// a per-tick cap defers starts without moving the schedule, and a loop
// starved past a connect_timeout does not take servers down.
namespace vigil::check {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr size_t kServers = 20000;

config::CheckerBase timing() {
  config::CheckerBase base;
  base.delayLoop = seconds(1);
  base.connectTimeout = seconds(1);
  base.delayBeforeRetry = seconds(1);
  base.warmup = base.delayLoop;  // the default: the first round spread over delay_loop
  base.retry = 0;
  return base;
}

int64_t tickOf(TimePoint t) { return t.time_since_epoch() / CheckPacer::kTick; }

// Where and when the probes started.
struct StartLog {
  std::map<int64_t, size_t> perTick;
  std::vector<size_t> perChecker = std::vector<size_t>(kServers, 0);

  size_t busiestTick() const {
    size_t most = 0;
    for (const auto& [tick, count] : perTick) most = std::max(most, count);
    return most;
  }
};

// A real server that answers at once: the result arrives on the loop right
// after the start, as a completed connect would.
class AnsweringProbe final : public Probe {
 public:
  AnsweringProbe(SimulatedLoop& loop, StartLog& log, size_t index)
      : loop_(loop), log_(log), index_(index) {}
  void start(Done done) override {
    ++log_.perTick[tickOf(loop_.now())];
    ++log_.perChecker[index_];
    loop_.post([done = std::move(done)] { done(ProbeResult{Outcome::Up, std::nullopt, "ok"}); });
  }
  void abort(AbortReason) override {}

 private:
  SimulatedLoop& loop_;
  StartLog& log_;
  size_t index_;
};

class CheckerPacingTest : public ::testing::Test {
 protected:
  void startAll(const config::CheckerBase& base = timing()) {
    for (size_t i = 0; i < kServers; ++i) {
      auto checker = std::make_unique<Checker>(loop_, base, seconds(1),
                                               std::make_unique<AnsweringProbe>(loop_, log_, i),
                                               Checker::RandomSource{}, "TCP_CHECK", &pacer_);
      checker->setListener([this](const CheckerEvent& e) {
        if (!e.up) ++downs_;
      });
      checker->start();
      checkers_.push_back(std::move(checker));
    }
  }
  // Runs the loop tick by tick for `d`.
  void run(Duration d) {
    const TimePoint end = loop_.now() + d;
    while (loop_.now() < end) loop_.advance(CheckPacer::kTick);
  }

  SimulatedLoop loop_;
  CheckPacer pacer_{loop_};
  StartLog log_;
  size_t downs_ = 0;
  std::vector<std::unique_ptr<Checker>> checkers_;
};

TEST_F(CheckerPacingTest, TheFirstRoundIsSpreadOverDelayLoopFromTheLoopsFirstTurn) {
  startAll();
  // Building the checkers took long (8 s at 20,000 in an early vigil): the
  // first round is measured from the loop's first turn, not from start().
  loop_.stall(seconds(8));
  const TimePoint firstTurn = loop_.now();
  loop_.advance(Duration::zero());
  EXPECT_LE(log_.busiestTick(), 1100U) << "the first turn starts one tick's share, not all";
  run(milliseconds(950));
  EXPECT_TRUE(
      std::all_of(log_.perChecker.begin(), log_.perChecker.end(), [](size_t n) { return n <= 1; }));
  loop_.advance(CheckPacer::kTick);  // the last tick of the first delay_loop
  EXPECT_TRUE(std::all_of(log_.perChecker.begin(), log_.perChecker.end(), [](size_t n) {
    return n >= 1;
  })) << "each checker made its first check within one delay_loop";
  // 20,000 checks over 20 ticks: about 1,000 each, never all at once.
  EXPECT_LE(log_.busiestTick(), 1100U);
  EXPECT_GE(log_.perTick.size(), 20U);
  EXPECT_GE(log_.perTick.begin()->first, tickOf(firstTurn));
  EXPECT_EQ(pacer_.deferredStarts(), 0U) << "a spread round stays under the cap";
}

TEST_F(CheckerPacingTest, WarmupZeroStartsAtOnceWithinTheCap) {
  config::CheckerBase base = timing();
  base.warmup = Duration::zero();
  startAll(base);
  loop_.advance(Duration::zero());
  run(milliseconds(950));
  // 20,000 due on the first turn, 2,000 a tick: ten ticks, each checker once.
  EXPECT_EQ(log_.busiestTick(), 2000U);
  EXPECT_EQ(log_.perTick.size(), 10U);
  EXPECT_TRUE(
      std::all_of(log_.perChecker.begin(), log_.perChecker.end(), [](size_t n) { return n == 1; }));
}

TEST_F(CheckerPacingTest, ACapDefersStartsWithoutDriftingTheSchedule) {
  startAll();
  run(seconds(3));
  ASSERT_EQ(pacer_.startsPerTickLimit(), 2000U) << "twice the demand of 1,000 per tick";
  // The loop is busy for half a delay_loop: half the checkers fall due
  // together, 10,000 against a cap of 2,000 per tick.
  loop_.stall(milliseconds(500));
  log_.perTick.clear();
  std::fill(log_.perChecker.begin(), log_.perChecker.end(), 0);
  constexpr int kPeriods = 20;
  run(seconds(kPeriods));

  EXPECT_GT(pacer_.deferredStarts(), 0U);
  EXPECT_LE(log_.busiestTick(), 2000U) << "never more than the cap in one tick";
  size_t total = 0;
  for (size_t n : log_.perChecker) {
    total += n;
    EXPECT_GE(n, kPeriods - 1U);
    EXPECT_LE(n, kPeriods + 1U);
  }
  // Once per delay_loop each on average: the deferred checks kept their slots.
  EXPECT_NEAR(static_cast<double>(total) / kServers, kPeriods, 0.6);
  // And the spread came back: the last second is as even as the first round.
  log_.perTick.clear();
  run(seconds(1));
  EXPECT_LE(log_.busiestTick(), 1100U);
  EXPECT_EQ(pacer_.waiting(), 0U);
  EXPECT_EQ(downs_, 0U);
}

// A checker whose attempt is in flight when the loop stalls for three
// connect_timeouts: the answer came in meanwhile, unread. The late timeout
// must not be taken as the server's.
struct StarvedHarness {
  explicit StarvedHarness(size_t count) {
    config::CheckerBase base = timing();
    base.warmup = Duration::zero();  // every attempt starts on the first turn
    for (size_t i = 0; i < count; ++i) {
      auto control = std::make_shared<fakes::FakeProbeControl>();
      auto checker = std::make_unique<Checker>(loop, base, seconds(1),
                                               std::make_unique<fakes::FakeProbe>(control),
                                               Checker::RandomSource{}, "TCP_CHECK", &pacer);
      checker->setListener([this](const CheckerEvent& e) {
        if (!e.up) ++downs;
      });
      checker->start();
      controls.push_back(control);
      checkers.push_back(std::move(checker));
    }
  }
  // Until every attempt is in flight.
  void startAttempts() { loop.advance(Duration::zero()); }
  size_t inFlight() const {
    return static_cast<size_t>(std::count_if(controls.begin(), controls.end(),
                                             [](const auto& c) { return c->inFlight(); }));
  }

  SimulatedLoop loop;
  CheckPacer pacer{loop};
  std::vector<std::shared_ptr<fakes::FakeProbeControl>> controls;
  std::vector<std::unique_ptr<Checker>> checkers;
  size_t downs = 0;
};

TEST(CheckerStarvationTest, ATimeoutFiredWhileTheLoopWasStarvedIsNotAServerFailure) {
  StarvedHarness h(100);
  h.startAttempts();
  ASSERT_EQ(h.inFlight(), 100U);
  h.loop.stall(seconds(3));
  h.loop.advance(Duration::zero());  // every timeout fires 2 s late
  EXPECT_EQ(h.downs, 0U);
  EXPECT_EQ(h.inFlight(), 100U) << "the attempts still wait for their answers";
  for (auto& control : h.controls) control->finish(Outcome::Up);  // read on the next turns
  h.loop.advance(milliseconds(100));
  EXPECT_EQ(h.downs, 0U);
  for (const auto& checker : h.checkers) {
    EXPECT_TRUE(checker->up());
    EXPECT_EQ(checker->counters().lateTimeouts(), 1U);
    EXPECT_EQ(checker->counters().count(Outcome::Timeout), 0U);
  }
}

TEST(CheckerStarvationTest, AServerSilentAfterTheGraceIsDownAndAnOnTimeTimeoutIsNotExtended) {
  StarvedHarness h(2);
  h.startAttempts();
  ASSERT_EQ(h.inFlight(), 2U);
  h.loop.stall(seconds(3));
  h.loop.advance(Duration::zero());
  EXPECT_EQ(h.downs, 0U);
  // The grace is at most one more connect_timeout: a silent server is down
  // after it.
  h.loop.advance(seconds(1));
  EXPECT_EQ(h.downs, 2U);
  for (const auto& checker : h.checkers) {
    EXPECT_FALSE(checker->up());
    EXPECT_EQ(checker->counters().count(Outcome::Timeout), 1U);
  }

  // On a loop that keeps time, a timeout is judged when it falls due.
  StarvedHarness onTime(1);
  onTime.startAttempts();
  ASSERT_EQ(onTime.inFlight(), 1U);
  onTime.loop.advance(seconds(1));
  EXPECT_EQ(onTime.downs, 1U);
  EXPECT_EQ(onTime.checkers[0]->counters().lateTimeouts(), 0U);
}

TEST(CheckerStarvationTest, AttemptsInFlightAreBoundedByTheCap) {
  // 3,000 checkers at delay_loop 1: 150 a tick, a cap of 300.
  StarvedHarness h(3000);
  ASSERT_EQ(h.pacer.startsPerTickLimit(), 300U);
  h.startAttempts();
  EXPECT_EQ(h.inFlight(), 300U);
  // No answer is read (the loop has no CPU to spare): nothing more starts.
  h.loop.advance(milliseconds(200));
  EXPECT_EQ(h.inFlight(), 300U);
  EXPECT_EQ(h.pacer.inFlight(), 300U);
  // 100 answers read: 100 more start on the next tick.
  for (size_t i = 0; i < 100; ++i) h.controls[i]->finish(Outcome::Up);
  h.loop.advance(CheckPacer::kTick);
  EXPECT_EQ(h.inFlight(), 300U);
  size_t started = 0;
  for (const auto& control : h.controls) started += static_cast<size_t>(control->starts);
  EXPECT_EQ(started, 400U);
  EXPECT_EQ(h.downs, 0U);
}

}  // namespace
}  // namespace vigil::check
