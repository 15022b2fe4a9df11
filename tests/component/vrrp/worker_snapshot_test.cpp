#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "config/loader.h"
#include "core/simulated_loop.h"
#include "fakes/fake_deletion_monitor.h"
#include "fakes/fake_routing.h"
#include "vrrp/vrrp_worker.h"

// The fields of VrrpWorker::snapshot() that /metrics turns into the loop
// lateness histogram and the sync group counters (doc/monitoring.md).
namespace vigil::vrrp {
namespace {

constexpr const char* kConfig = R"(
vrrp_sync_group G1 {
  group {
    VI_1
  }
}
vrrp_instance VI_1 {
  state BACKUP
  interface vgnosuchif0
  virtual_router_id 51
  priority 150
  virtual_ipaddress {
    10.0.0.100/24
  }
}
)";

TEST(VrrpWorkerSnapshotTest, ReportsLoopLatenessAndSyncGroupTakeoversHeld) {
  auto config = config::loadConfigText("worker.conf", kConfig, config::LoadOptions{}).config;
  ASSERT_TRUE(config);
  SimulatedLoop loop;
  VrrpWorker worker(
      loop, config, 1, [&](uint64_t) { return config; }, loggingWorkerIo());

  loop.advance(std::chrono::seconds(1));
  auto snapshot = nlohmann::json::parse(worker.snapshot());

  const auto& lateness = snapshot["loop_lateness"];
  EXPECT_EQ(lateness["bounds"], nlohmann::json({0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1}));
  // The simulated loop runs every timer at its deadline: four on-time probes.
  EXPECT_EQ(lateness["cumulative"], nlohmann::json({4, 4, 4, 4, 4, 4, 4}));
  EXPECT_EQ(lateness["count"], 4);
  EXPECT_EQ(lateness["sum_seconds"], 0.0);
  ASSERT_EQ(snapshot["sync_groups"].size(), 1u);
  EXPECT_EQ(snapshot["sync_groups"][0]["name"], "G1");
  EXPECT_EQ(snapshot["sync_groups"][0]["takeovers_held"], 0);
}

// A static route the kernel refuses is in the snapshot (what `vigilctl vrrp`
// and vigil_vrrp_routing_* show) until a later add takes it.
TEST(VrrpWorkerSnapshotTest, ReportsAStaticRouteTheKernelRefusedUntilAReloadAddsIt) {
  constexpr const char* kStatic = R"(
static_routes {
  10.9.0.0/16 via 192.0.2.1
  blackhole 10.8.0.0/16
}
)";
  auto config = config::loadConfigText("worker.conf", kStatic, config::LoadOptions{}).config;
  ASSERT_TRUE(config);
  fakes::RoutingJournal journal;
  journal.failing = {"10.9.0.0/16 via 192.0.2.1"};
  WorkerIo io = loggingWorkerIo();
  io.routes = std::make_unique<fakes::FakeRouteManager>(journal);
  SimulatedLoop loop;
  VrrpWorker worker(
      loop, config, 1, [&](uint64_t) { return config; }, std::move(io));

  auto routing = nlohmann::json::parse(worker.snapshot())["static_routing"];
  EXPECT_EQ(routing["install_failures"],
            nlohmann::json({{"static_ipaddress", 0}, {"static_routes", 1}, {"static_rules", 0}}));
  ASSERT_EQ(routing["failing"].size(), 1u);
  EXPECT_EQ(routing["failing"][0]["kind"], "static_routes");
  EXPECT_EQ(routing["failing"][0]["entry"], "10.9.0.0/16 via 192.0.2.1");
  EXPECT_NE(routing["failing"][0]["error"].get<std::string>().find("adding 10.9.0.0/16"),
            std::string::npos);

  journal.failing.clear();
  worker.reload(2);  // the same configuration: only the failed entry is tried again
  routing = nlohmann::json::parse(worker.snapshot())["static_routing"];
  EXPECT_EQ(routing["failing"], nlohmann::json::array());
  EXPECT_EQ(routing["install_failures"]["static_routes"], 1);
  EXPECT_EQ(journal.routes.size(), 2u);
}

// What vigil_vrrp_static_entries_restored_total,
// vigil_vrrp_deletion_notifications_lost_total and
// vigil_vrrp_netlink_group_join_failures_total read: a static route deleted
// behind the worker's back and added again, the monitor's overflows, and a
// join of the deletion groups that failed (retried by the next reload).
TEST(VrrpWorkerSnapshotTest, ReportsRestoredStaticEntriesLostNotificationsAndFailedJoins) {
  constexpr const char* kStatic = R"(
static_routes {
  10.9.0.0/16 via 192.0.2.1
}
)";
  auto config = config::loadConfigText("worker.conf", kStatic, config::LoadOptions{}).config;
  ASSERT_TRUE(config);
  fakes::RoutingJournal journal;
  WorkerIo io = loggingWorkerIo();
  io.routes = std::make_unique<fakes::FakeRouteManager>(journal);
  auto deletions = std::make_unique<fakes::FakeDeletionMonitor>();
  fakes::FakeDeletionMonitor& monitor = *deletions;
  monitor.failJoins = true;
  io.deletions = std::move(deletions);
  SimulatedLoop loop;
  VrrpWorker worker(
      loop, config, 1, [&](uint64_t) { return config; }, std::move(io));

  auto deleted = nlohmann::json::parse(worker.snapshot())["static_deletions"];
  EXPECT_EQ(deleted["restored"],
            nlohmann::json({{"static_ipaddress", 0}, {"static_routes", 0}, {"static_rules", 0}}));
  EXPECT_EQ(deleted["notifications_lost"], 0);
  EXPECT_EQ(deleted["watch_failures"], 1);

  monitor.failJoins = false;
  worker.reload(2);
  EXPECT_FALSE(monitor.watched.empty());
  journal.routes.clear();  // `ip route del 10.9.0.0/16`
  netlink::DeletedEntry route;
  route.kind = netlink::DeletedEntry::Kind::Route;
  route.route.destination = *IpPrefix::parse("10.9.0.0/16");
  route.route.protocol = netlink::kRouteProtocolKeepalived;
  route.route.nextHops = {{IpAddress::parse("192.0.2.1"), 2}};
  monitor.deliver(route);
  monitor.overflow();
  monitor.overflow();
  deleted = nlohmann::json::parse(worker.snapshot())["static_deletions"];
  EXPECT_EQ(deleted["restored"]["static_routes"], 1);
  EXPECT_EQ(deleted["notifications_lost"], 2);
  EXPECT_EQ(deleted["watch_failures"], 1);
  EXPECT_EQ(journal.routes.size(), 1u);
}

}  // namespace
}  // namespace vigil::vrrp
