#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "config/loader.h"
#include "core/simulated_loop.h"
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

}  // namespace
}  // namespace vigil::vrrp
