#include "ipvs/memory_dataplane.h"

#include <gtest/gtest.h>

#include "ipvs/reconcile.h"
#include "unit/ipvs/ipvs_test_support.h"

namespace vigil::ipvs {
namespace {

using test::dest;
using test::tcp;
using test::weighted;

IpvsState webFarm() {
  IpvsState s;
  s.services[tcp("10.0.0.1", 80)] = {
      test::scheduler("rr"),
      {{dest("10.0.0.2", 80), weighted(1)}, {dest("10.0.0.3", 80), weighted(2)}}};
  s.services[ServiceKey::forFwmark(AF_INET, 5)] = {
      test::scheduler("wlc"),
      {{dest("10.0.0.4", 0), weighted(1, ForwardingMethod::DirectRouting)}}};
  return s;
}

TEST(MemoryDataplaneTest, SecondSyncOfTheSameStateIssuesNothing) {
  MemoryDataplane dp;
  SyncReport first = sync(dp, webFarm());
  EXPECT_TRUE(first.ok());
  EXPECT_EQ(first.opsIssued, 5u);
  EXPECT_EQ(dp.state(), webFarm());

  SyncReport second = sync(dp, webFarm());
  EXPECT_TRUE(second.ok());
  EXPECT_EQ(second.opsIssued, 0u);
  EXPECT_EQ(dp.opsAttempted(), 5u);
  EXPECT_EQ(dp.applyCalls(), 1u);
}

TEST(MemoryDataplaneTest, StartUpAdoptsWhatIsThereAndChangesOnlyTheDifference) {
  IpvsState existing = webFarm();
  existing.services.at(tcp("10.0.0.1", 80)).destinations.at(dest("10.0.0.3", 80)).weight = 7;
  MemoryDataplane dp(existing);
  SyncReport report = sync(dp, webFarm());
  EXPECT_EQ(report.opsIssued, 1u);
  EXPECT_EQ(dp.state(), webFarm());
}

TEST(MemoryDataplaneTest, AFailedOpDoesNotStopTheRestAndTheNextSyncRetriesIt) {
  MemoryDataplane dp;
  Op refused = AddDestination{tcp("10.0.0.1", 80), dest("10.0.0.2", 80), weighted(1)};
  dp.failOp(refused, Error{ENOMEM, "netlink"});

  SyncReport first = sync(dp, webFarm());
  EXPECT_FALSE(first.ok());
  EXPECT_EQ(first.opsIssued, 5u);
  ASSERT_EQ(first.failures.size(), 1u);
  EXPECT_EQ(first.failures[0].op, refused);
  EXPECT_EQ(first.status().error().code, ENOMEM);
  EXPECT_EQ(dp.opsFailed(), 1u);
  // Everything else went in, including the destination after the failed one.
  EXPECT_TRUE(
      dp.state().services.at(tcp("10.0.0.1", 80)).destinations.contains(dest("10.0.0.3", 80)));
  EXPECT_FALSE(
      dp.state().services.at(tcp("10.0.0.1", 80)).destinations.contains(dest("10.0.0.2", 80)));

  dp.clearFailures();
  SyncReport retry = sync(dp, webFarm());
  EXPECT_TRUE(retry.ok());
  EXPECT_EQ(retry.opsIssued, 1u);
  EXPECT_EQ(dp.state(), webFarm());
}

TEST(MemoryDataplaneTest, AFailedReadIssuesNoOps) {
  MemoryDataplane dp;
  dp.failReads(Error{EPERM, "read IPVS table"});
  SyncReport report = sync(dp, webFarm());
  EXPECT_FALSE(report.ok());
  EXPECT_EQ(report.status().error().code, EPERM);
  EXPECT_EQ(report.opsIssued, 0u);
  EXPECT_EQ(dp.applyCalls(), 0u);
  EXPECT_EQ(dp.state(), IpvsState{});
}

TEST(MemoryDataplaneTest, OpsTheTableRefusesAreReportedAndChangeNothing) {
  MemoryDataplane dp(webFarm());
  ApplyReport report =
      dp.apply({DeleteService{tcp("10.0.0.9", 80)},
                EditDestination{tcp("10.0.0.1", 80), dest("10.0.0.2", 80), weighted(4)},
                AddService{tcp("10.0.0.1", 80), {}}});
  EXPECT_EQ(report.attempted, 3u);
  EXPECT_EQ(report.applied(), 1u);
  ASSERT_EQ(report.failures.size(), 2u);
  EXPECT_EQ(report.failures[0].error.code, ESRCH);
  EXPECT_EQ(report.failures[1].error.code, EEXIST);
  EXPECT_NE(report.status().error().message.find("1 more"), std::string::npos);
  EXPECT_EQ(
      dp.state().services.at(tcp("10.0.0.1", 80)).destinations.at(dest("10.0.0.2", 80)).weight, 4u);
}

}  // namespace
}  // namespace vigil::ipvs

namespace vigil::ipvs {
namespace {

TEST(MemoryDataplaneTest, StatsListEveryServiceAndDestinationAtZero) {
  MemoryDataplane dp(webFarm());
  Result<IpvsStats> stats = dp.readStats();
  ASSERT_TRUE(stats.ok());
  ASSERT_EQ(stats->services.size(), 2u);
  const ServiceStats& web = stats->services.at(test::tcp("10.0.0.1", 80));
  EXPECT_EQ(web.traffic, TrafficCounters{});
  ASSERT_EQ(web.destinations.size(), 2u);
  EXPECT_EQ(web.destinations.at(test::dest("10.0.0.3", 80)), DestinationStats{});

  dp.failReads(Error{EPERM, "read IPVS table"});
  EXPECT_FALSE(dp.readStats().ok());
}

}  // namespace
}  // namespace vigil::ipvs
