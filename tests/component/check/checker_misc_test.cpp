#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "check/checker.h"
#include "check/misc_probe.h"
#include "core/simulated_loop.h"
#include "fakes/fake_process_spawner.h"

// MISC_CHECK under the checker base, with children the test ends by hand.
namespace vigil::check {
namespace {

using std::chrono::milliseconds;

struct Harness {
  explicit Harness(bool dynamic, bool alpha = true) {
    config::CheckerBase base;
    base.type = config::CheckerType::Misc;
    base.delayLoop = milliseconds(1000);
    base.delayBeforeRetry = milliseconds(100);
    base.alpha = alpha;
    SpawnRequest command;
    command.argv = {"/usr/local/bin/check-db", "--fast"};
    command.runAs = RunAs{1000, 1000};
    checker = std::make_unique<Checker>(
        loop, base, kTimeout,
        std::make_unique<MiscProbe>(loop, spawner, command, kTimeout, dynamic),
        [](Duration) { return Duration::zero(); }, "MISC_CHECK check-db");
    checker->setListener([this](const CheckerEvent& e) { events.push_back(e); });
    checker->start();
    loop.advance(Duration::zero());
  }
  void nextAttempt() { loop.advance(*loop.nextDeadline() - loop.now()); }

  static constexpr Duration kTimeout = milliseconds(400);
  SimulatedLoop loop;
  fakes::FakeProcessSpawner spawner;
  std::unique_ptr<Checker> checker;
  std::vector<CheckerEvent> events;
};

TEST(CheckerMiscTest, RunsTheCommandAsItsAccountWithTheTimeout) {
  Harness h(false);
  ASSERT_EQ(h.spawner.requests.size(), 1U);
  const SpawnRequest& r = h.spawner.requests[0];
  EXPECT_EQ(r.argv, (std::vector<std::string>{"/usr/local/bin/check-db", "--fast"}));
  EXPECT_EQ(r.runAs, (RunAs{1000, 1000}));
  EXPECT_EQ(r.timeout, Harness::kTimeout);
}

TEST(CheckerMiscTest, ExitZeroIsUpAndOneIsDown) {
  Harness h(false);
  ASSERT_TRUE(h.spawner.exitOldest(0));
  EXPECT_TRUE(h.checker->up());
  h.nextAttempt();
  ASSERT_TRUE(h.spawner.exitOldest(1));
  EXPECT_FALSE(h.checker->up());
  EXPECT_EQ(h.checker->counters().count(Outcome::ScriptExit), 1U);
  EXPECT_EQ(h.checker->lastDetail(), "exit status 1");
}

TEST(CheckerMiscTest, MiscDynamicExitCodesSetTheWeight) {
  Harness h(true);
  ASSERT_TRUE(h.spawner.exitOldest(12));
  EXPECT_TRUE(h.checker->up());
  EXPECT_EQ(h.checker->weight(), 10U);
  h.nextAttempt();
  ASSERT_TRUE(h.spawner.exitOldest(22));
  EXPECT_EQ(h.checker->weight(), 20U);
  ASSERT_EQ(h.events.size(), 2U);
  EXPECT_EQ(h.events[1].kind, CheckerEvent::Kind::WeightChanged);
  EXPECT_EQ(h.events[1].weight, 20U);
}

TEST(CheckerMiscTest, AScriptPastMiscTimeoutIsTerminatedAndCountsAsScriptTimeout) {
  Harness h(false, false);
  ASSERT_EQ(h.spawner.live.size(), 1U);
  pid_t pid = h.spawner.live.begin()->first;
  h.loop.advance(Harness::kTimeout);
  EXPECT_EQ(h.spawner.terminated, std::vector<pid_t>{pid});
  EXPECT_FALSE(h.checker->up());
  EXPECT_EQ(h.checker->counters().count(Outcome::ScriptTimeout), 1U);
  // The child is reaped later; its exit must not count again.
  ASSERT_TRUE(h.spawner.exitOldest(0));
  EXPECT_FALSE(h.checker->up());
  EXPECT_EQ(h.checker->counters().total(), 1U);
}

TEST(CheckerMiscTest, AFailureToStartIsInternalAndReportedAfterStart) {
  SimulatedLoop loop;
  fakes::FakeProcessSpawner spawner;
  spawner.failNext = true;
  MiscProbe probe(loop, spawner, SpawnRequest{{"/bin/x"}, {}, {}}, milliseconds(100), false);
  std::optional<ProbeResult> got;
  probe.start([&](ProbeResult r) { got = r; });
  EXPECT_FALSE(got.has_value());  // never from inside start()
  loop.runPosted();
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->outcome, Outcome::Internal);
}

TEST(CheckerMiscTest, StoppingTheCheckerTerminatesTheScript) {
  Harness h(false);
  h.checker->stop();
  EXPECT_EQ(h.spawner.terminated.size(), 1U);
  EXPECT_TRUE(h.spawner.exitOldest(0));
  EXPECT_EQ(h.checker->counters().total(), 0U);
}

}  // namespace
}  // namespace vigil::check
