#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "config/loader.h"
#include "core/simulated_loop.h"
#include "vrrp/vrrp_worker.h"

namespace vigil::vrrp {
namespace {

constexpr const char* kConfig = R"(
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

std::shared_ptr<const config::Config> load(const char* text) {
  return config::loadConfigText("worker.conf", text, config::LoadOptions{}).config;
}

// Sockets are real, so the worker is tested here where it cannot open one:
// on an interface that does not exist. Its instances must be reported, not
// lost, and reload must pick up a new generation.
TEST(VrrpWorkerTest, InstanceThatCannotRunIsReportedInTheSnapshot) {
  auto config = load(kConfig);
  ASSERT_TRUE(config);
  SimulatedLoop loop;
  VrrpWorker worker(
      loop, config, 1, [&](uint64_t) { return config; }, loggingWorkerIo());

  auto snapshot = nlohmann::json::parse(worker.snapshot());

  EXPECT_EQ(snapshot["worker"], "vrrp");
  EXPECT_EQ(snapshot["generation"], 1);
  ASSERT_EQ(snapshot["instances"].size(), 1u);
  EXPECT_EQ(snapshot["instances"][0]["name"], "VI_1");
  EXPECT_EQ(snapshot["instances"][0]["state"], "NOT_RUNNING");
  EXPECT_NE(snapshot["instances"][0]["error"].get<std::string>().find("vgnosuchif0"),
            std::string::npos);
}

TEST(VrrpWorkerTest, ReloadMovesToTheNewGenerationOrKeepsTheOldOnFailure) {
  auto config = load(kConfig);
  ASSERT_TRUE(config);
  SimulatedLoop loop;
  bool loadable = true;
  VrrpWorker worker(
      loop, config, 1,
      [&](uint64_t) { return loadable ? config : std::shared_ptr<const config::Config>(); },
      loggingWorkerIo());

  worker.reload(2);
  EXPECT_EQ(nlohmann::json::parse(worker.snapshot())["generation"], 2);
  loadable = false;
  worker.reload(3);
  auto snapshot = nlohmann::json::parse(worker.snapshot());
  EXPECT_EQ(snapshot["generation"], 2);
  EXPECT_EQ(snapshot["instances"].size(), 1u);
}

}  // namespace
}  // namespace vigil::vrrp
