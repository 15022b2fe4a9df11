#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "config/loader.h"
#include "core/simulated_loop.h"
#include "vrrp/vrrp_worker.h"

namespace vigil::vrrp {
namespace {

// Sockets are real, so the worker's members cannot run here (the interface
// does not exist); the snapshot still names the group and its state.
TEST(VrrpWorkerTrackingTest, SnapshotListsSyncGroupsAndTheirState) {
  auto config = config::loadConfigText("worker.conf", R"(
vrrp_sync_group G1 {
  group {
    VI_1
  }
}
vrrp_instance VI_1 {
  interface vgnosuchif0
  virtual_router_id 51
  virtual_ipaddress {
    10.0.0.100/24
  }
}
)",
                                       config::LoadOptions{})
                    .config;
  ASSERT_TRUE(config);
  SimulatedLoop loop;
  VrrpWorker worker(
      loop, config, 1, [&](uint64_t) { return config; }, loggingWorkerIo());

  auto snapshot = nlohmann::json::parse(worker.snapshot());

  ASSERT_EQ(snapshot["sync_groups"].size(), 1u);
  EXPECT_EQ(snapshot["sync_groups"][0]["name"], "G1");
  EXPECT_EQ(snapshot["sync_groups"][0]["state"], "INIT");
}

}  // namespace
}  // namespace vigil::vrrp
