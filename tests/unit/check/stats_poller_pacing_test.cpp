#include <gtest/gtest.h>

#include "check/stats_poller.h"
#include "core/simulated_loop.h"
#include "ipvs/memory_dataplane.h"

namespace vigil::check {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// A dataplane whose counter read keeps the loop busy for `cost`, as a
// kernel dump of a large table does.
class SlowStatsDataplane final : public ipvs::Dataplane {
 public:
  explicit SlowStatsDataplane(SimulatedLoop& loop) : loop_(loop) {}
  Result<ipvs::IpvsState> read() override { return ipvs::IpvsState{}; }
  ipvs::ApplyReport apply(const std::vector<ipvs::Op>&) override { return {}; }
  Result<ipvs::IpvsStats> readStats() override {
    loop_.stall(cost);
    return ipvs::IpvsStats{};
  }
  std::string_view name() const override { return "slow"; }

  Duration cost = Duration::zero();

 private:
  SimulatedLoop& loop_;
};

TEST(StatsPollerPacingTest, TheNextDelayIsTheIntervalOrTwentyTimesTheLastRead) {
  EXPECT_EQ(nextPollDelay(seconds(2), Duration::zero()), seconds(2));
  EXPECT_EQ(nextPollDelay(seconds(2), milliseconds(5)), seconds(2));    // small table
  EXPECT_EQ(nextPollDelay(seconds(2), milliseconds(100)), seconds(2));  // exactly 5 %
  EXPECT_EQ(nextPollDelay(seconds(2), milliseconds(400)), seconds(8));  // large table
  EXPECT_EQ(minPollSpacing(milliseconds(400)), seconds(8));
  EXPECT_EQ(minPollSpacing(Duration::zero()), Duration::zero());
}

TEST(StatsPollerPacingTest, ASlowReadSpacesTheNextReadsSoTheyTakeAtMostOneTwentieth) {
  SimulatedLoop loop;
  SlowStatsDataplane dp(loop);
  dp.cost = milliseconds(500);
  StatsPoller poller(loop, dp, {}, seconds(2));
  loop.advance(Duration::zero());
  EXPECT_EQ(poller.reads(), 1u);
  EXPECT_EQ(poller.lastDuration(), milliseconds(500));
  EXPECT_EQ(poller.currentInterval(), seconds(10));
  loop.advance(seconds(9));  // 9.5 s after the first read started: not yet
  EXPECT_EQ(poller.reads(), 1u);
  loop.advance(milliseconds(500));
  EXPECT_EQ(poller.reads(), 2u);
  // Over a minute the reads took 5 % of the loop's time, not 25 %.
  loop.advance(seconds(60));
  EXPECT_EQ(poller.reads(), 8u);
}

TEST(StatsPollerPacingTest, TheTableGettingCheapBringsBackTheConfiguredInterval) {
  SimulatedLoop loop;
  SlowStatsDataplane dp(loop);
  dp.cost = seconds(1);
  StatsPoller poller(loop, dp, {}, seconds(2));
  loop.advance(Duration::zero());
  dp.cost = Duration::zero();
  loop.advance(seconds(19));  // due 20 s after the first read started
  EXPECT_EQ(poller.reads(), 2u);
  EXPECT_EQ(poller.currentInterval(), seconds(2));
  loop.advance(seconds(2));
  EXPECT_EQ(poller.reads(), 3u);
}

TEST(StatsPollerPacingTest, AnOnDemandReadTooSoonAfterASlowOneIsDeferredNotDropped) {
  SimulatedLoop loop;
  SlowStatsDataplane dp(loop);
  dp.cost = milliseconds(100);
  StatsPoller poller(loop, dp, {}, seconds(60));
  loop.advance(Duration::zero());
  ASSERT_EQ(poller.reads(), 1u);
  poller.readNow();  // 0.1 s after the read began; spacing is 2 s
  EXPECT_EQ(poller.reads(), 1u);
  loop.advance(milliseconds(1800));
  EXPECT_EQ(poller.reads(), 1u);
  loop.advance(milliseconds(100));  // 2 s after the first read started
  EXPECT_EQ(poller.reads(), 2u);
  // A cheap read on demand is immediate, as before.
  dp.cost = Duration::zero();
  loop.advance(seconds(3));
  const uint64_t before = poller.reads();
  poller.readNow();
  EXPECT_EQ(poller.reads(), before + 1);
  poller.readNow();
  EXPECT_EQ(poller.reads(), before + 2);
}

}  // namespace
}  // namespace vigil::check
