#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "check/stats_poller.h"
#include "core/simulated_loop.h"
#include "ipvs/memory_dataplane.h"
#include "support/one_service_table.h"

// StatsPoller::write with an applied-table version renders the per-destination
// part again only when the counters or the applied table changed (issue 5:
// at 1,000 x 10 it was most of every snapshot rebuild).
namespace vigil::check {
namespace {

using std::chrono::seconds;

using test::backend;
using test::table;
using test::web;

ipvs::IpvsStats counters(uint64_t connections) {
  ipvs::IpvsStats stats;
  stats.services[web()].traffic.connections = connections;
  stats.services[web()].destinations[backend()].traffic.connections = connections;
  return stats;
}

nlohmann::json written(const StatsPoller& poller, const ipvs::IpvsState& applied,
                       std::optional<uint64_t> version) {
  JsonWriter out;
  poller.write(out, applied, version);
  return nlohmann::json::parse(out.text());
}

class StatsPollerRenderCacheTest : public ::testing::Test {
 protected:
  StatsPollerRenderCacheTest() : dp_(table(3)) {
    dp_.setCounters(counters(5));
    poller_ = std::make_unique<StatsPoller>(loop_, dp_, nullptr, seconds(2));
    loop_.advance(Duration::zero());  // the first read
  }

  SimulatedLoop loop_;
  ipvs::MemoryDataplane dp_;
  std::unique_ptr<StatsPoller> poller_;
};

TEST_F(StatsPollerRenderCacheTest, NothingChangedRendersOnceAndWritesTheSameText) {
  const nlohmann::json first = written(*poller_, table(3), 7);
  loop_.advance(seconds(2));  // a read with the same counters
  const nlohmann::json again = written(*poller_, table(3), 7);
  EXPECT_EQ(poller_->renders(), 1u);
  EXPECT_EQ(first["services"], again["services"]);
  EXPECT_EQ(again["reads"], 2);  // the header is current, only the part is kept
  EXPECT_EQ(again["services"], written(*poller_, table(3), std::nullopt)["services"]);
}

TEST_F(StatsPollerRenderCacheTest, AppliedVersionOrCountersChangingRendersAgain) {
  (void)written(*poller_, table(3), 7);
  const nlohmann::json edited = written(*poller_, table(4), 8);
  EXPECT_EQ(poller_->renders(), 2u);
  EXPECT_EQ(edited["services"][0]["destinations"][0]["weight"], 4);

  dp_.setCounters(counters(9));
  loop_.advance(seconds(2));
  const nlohmann::json counted = written(*poller_, table(4), 8);
  EXPECT_EQ(poller_->renders(), 3u);
  EXPECT_EQ(counted["services"][0]["destinations"][0]["connections"], 9);
}

TEST_F(StatsPollerRenderCacheTest, WithoutAVersionEveryWriteRendersAndNothingIsReusedAfter) {
  (void)written(*poller_, table(3), std::nullopt);
  (void)written(*poller_, table(4), std::nullopt);
  EXPECT_EQ(poller_->renders(), 2u);
  // Version 0 after unversioned writes must not reuse their text.
  EXPECT_EQ(written(*poller_, table(5), 0)["services"][0]["destinations"][0]["weight"], 5);
  EXPECT_EQ(poller_->renders(), 3u);
}

}  // namespace
}  // namespace vigil::check
