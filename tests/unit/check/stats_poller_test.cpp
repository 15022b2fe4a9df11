#include "check/stats_poller.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "check/duration_histogram.h"
#include "core/simulated_loop.h"
#include "ipvs/memory_dataplane.h"
#include "support/one_service_table.h"

namespace vigil::check {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::seconds;

using test::backend;
using test::table;
using test::web;

ipvs::IpvsStats counters(uint64_t connections, uint32_t active) {
  ipvs::IpvsStats stats;
  ipvs::ServiceStats& service = stats.services[web()];
  service.traffic.connections = connections;
  service.traffic.inPackets = connections * 10;
  service.traffic.inByteRate = 1200;
  service.destinations[backend()].traffic.connections = connections;
  service.destinations[backend()].activeConnections = active;
  return stats;
}

nlohmann::json written(const StatsPoller& poller, const ipvs::IpvsState& applied) {
  JsonWriter out;
  poller.write(out, applied);
  return nlohmann::json::parse(out.text());
}

TEST(StatsPollerTest, ReadsOnTheNextTurnThenEveryIntervalAndSaysWhenCountersChange) {
  SimulatedLoop loop;
  ipvs::MemoryDataplane dp(table(3));
  dp.setCounters(counters(5, 2));
  int changes = 0;
  StatsPoller poller(
      loop, dp, [&] { ++changes; }, seconds(2));
  EXPECT_EQ(poller.reads(), 0u);
  loop.advance(Duration::zero());
  EXPECT_EQ(poller.reads(), 1u);
  EXPECT_EQ(changes, 1);
  ASSERT_TRUE(poller.last());
  EXPECT_EQ(poller.last()->services.at(web()).traffic.connections, 5u);

  loop.advance(seconds(2));  // same counters: read, but nothing to rebuild
  EXPECT_EQ(poller.reads(), 2u);
  EXPECT_EQ(changes, 1);

  dp.setCounters(counters(9, 1));
  loop.advance(milliseconds(1999));
  EXPECT_EQ(poller.reads(), 2u);
  loop.advance(milliseconds(1));
  EXPECT_EQ(poller.reads(), 3u);
  EXPECT_EQ(changes, 2);
  EXPECT_EQ(poller.last()->services.at(web()).traffic.connections, 9u);
}

TEST(StatsPollerTest, AFailedReadKeepsTheLastCountersAndReportsTheError) {
  SimulatedLoop loop;
  ipvs::MemoryDataplane dp(table(1));
  dp.setCounters(counters(4, 0));
  StatsPoller poller(loop, dp, {}, seconds(1));
  loop.advance(Duration::zero());
  dp.failReads(Error{EPERM, "read IPVS table"});
  loop.advance(seconds(1));
  EXPECT_EQ(poller.failures(), 1u);
  ASSERT_TRUE(poller.last());
  nlohmann::json doc = written(poller, table(1));
  EXPECT_EQ(doc["read_failures"], 1);
  EXPECT_TRUE(doc.contains("last_error"));
  EXPECT_EQ(doc["services"][0]["connections"], 4);
}

TEST(StatsPollerTest, WritesEveryServiceAndDestinationWithTheAppliedWeight) {
  SimulatedLoop loop;
  ipvs::MemoryDataplane dp(table(3));
  dp.setCounters(counters(5, 2));
  StatsPoller poller(loop, dp, {}, seconds(2));
  loop.advance(Duration::zero());
  nlohmann::json doc = written(poller, table(3));
  ASSERT_EQ(doc["services"].size(), 1u);
  const nlohmann::json& service = doc["services"][0];
  EXPECT_EQ(service["name"], "TCP  10.0.0.1:80");
  EXPECT_EQ(service["protocol"], "TCP");
  EXPECT_EQ(service["address"], "10.0.0.1");
  EXPECT_EQ(service["port"], 80);
  EXPECT_EQ(service["connections"], 5);
  EXPECT_EQ(service["in_packets"], 50);
  EXPECT_EQ(service["in_bps"], 1200);
  ASSERT_EQ(service["destinations"].size(), 1u);
  const nlohmann::json& dest = service["destinations"][0];
  EXPECT_EQ(dest["name"], "10.0.0.2:80");
  EXPECT_EQ(dest["weight"], 3);
  EXPECT_EQ(dest["forward"], "Masq");
  EXPECT_EQ(dest["active_connections"], 2);
  EXPECT_EQ(dest["connections"], 5);
}

TEST(DurationHistogramTest, CountsEachDurationAtItsBoundAndAboveAllIntoCountOnly) {
  DurationHistogram h;
  h.observe(microseconds(500));  // <= 1 ms
  h.observe(milliseconds(1));    // exactly on a bound: counted in it
  h.observe(milliseconds(30));   // <= 50 ms
  h.observe(seconds(20));        // above 10 s
  EXPECT_EQ(h.count(), 4u);
  EXPECT_EQ(h.cumulative(0), 2u);
  EXPECT_EQ(h.cumulative(4), 2u);   // 25 ms
  EXPECT_EQ(h.cumulative(5), 3u);   // 50 ms
  EXPECT_EQ(h.cumulative(12), 3u);  // 10 s
  EXPECT_NEAR(h.sumSeconds(), 20.0315, 1e-9);
  JsonWriter out;
  h.write(out);
  nlohmann::json doc = nlohmann::json::parse(out.text());
  EXPECT_EQ(doc["bounds"].size(), DurationHistogram::kBoundsSeconds.size());
  EXPECT_EQ(doc["bounds"][0], 0.001);
  EXPECT_EQ(doc["cumulative"][5], 3);
  EXPECT_EQ(doc["count"], 4);
}

}  // namespace
}  // namespace vigil::check
