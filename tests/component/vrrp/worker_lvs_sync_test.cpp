#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "config/loader.h"
#include "core/simulated_loop.h"
#include "fakes/fake_lvs_sync_control.h"
#include "vrrp/vrrp_worker.h"

namespace vigil::vrrp {
namespace {

// The instance cannot run here (its interface does not exist), which is
// what lvs_sync_daemon sees at start-up anyway: an instance not MASTER.
std::shared_ptr<const config::Config> load(const std::string& syncInterface) {
  const std::string text = R"(
global_defs {
  lvs_sync_daemon )" + syncInterface +
                           R"( VI_1 id 7
}
vrrp_instance VI_1 {
  interface vgnosuchif0
  virtual_router_id 51
  virtual_ipaddress {
    10.0.0.100/24
  }
}
)";
  return config::loadConfigText("worker.conf", text, config::LoadOptions{}).config;
}

struct Lab {
  std::shared_ptr<fakes::FakeLvsSyncControl::State> kernel =
      std::make_shared<fakes::FakeLvsSyncControl::State>();
  std::shared_ptr<const config::Config> config;
  SimulatedLoop loop;

  std::unique_ptr<VrrpWorker> start(std::shared_ptr<const config::Config> initial) {
    config = std::move(initial);
    WorkerIo io = loggingWorkerIo();
    io.lvsSync = std::make_unique<fakes::FakeLvsSyncControl>(kernel);
    return std::make_unique<VrrpWorker>(
        loop, config, 1, [this](uint64_t) { return config; }, std::move(io));
  }
};

TEST(VrrpWorkerLvsSyncTest, BackupDaemonRunsFromStartUpAndStopsWithTheWorker) {
  Lab lab;
  auto worker = lab.start(load("eth1"));
  ASSERT_TRUE(worker);
  EXPECT_EQ(lab.kernel->kernel, (SyncDaemons{false, true}));
  auto snapshot = nlohmann::json::parse(worker->snapshot());
  EXPECT_EQ(snapshot["lvs_sync_daemon"]["interface"], "eth1");
  EXPECT_EQ(snapshot["lvs_sync_daemon"]["instance"], "VI_1");
  EXPECT_EQ(snapshot["lvs_sync_daemon"]["backup"], true);
  EXPECT_EQ(snapshot["lvs_sync_daemon"]["master"], false);

  worker.reset();
  EXPECT_EQ(lab.kernel->kernel, (SyncDaemons{}));
}

TEST(VrrpWorkerLvsSyncTest, ReloadMovingTheDaemonRestartsItOnTheNewInterface) {
  Lab lab;
  auto worker = lab.start(load("eth1"));
  lab.config = load("eth2");
  worker->reload(2);
  EXPECT_EQ(lab.kernel->calls.back(), "start backup eth2");
  EXPECT_EQ(lab.kernel->kernel, (SyncDaemons{false, true}));
}

TEST(VrrpWorkerLvsSyncTest, MissingIpvsIsCountedAndTheWorkerRuns) {
  Lab lab;
  lab.kernel->error = "kernel IPVS: no IPVS family";
  auto worker = lab.start(load("eth1"));
  auto snapshot = nlohmann::json::parse(worker->snapshot());
  EXPECT_EQ(snapshot["lvs_sync_daemon"]["backup"], false);
  EXPECT_GT(snapshot["lvs_sync_daemon"]["failures"].get<uint64_t>(), 0u);
  EXPECT_EQ(snapshot["instances"].size(), 1u);
}

// `lvs_sync_daemon IF` naming no instance, and no vrrp_instance at all:
// vigild starts the VRRP worker for it (syncDaemonNeedsVrrpWorker), which
// runs both daemons until it stops, as keepalived.conf(5) says.
TEST(VrrpWorkerLvsSyncTest, WithoutInstancesBothDaemonsRunWhileTheWorkerDoes) {
  auto config = config::loadConfigText("worker.conf", "global_defs {\n  lvs_sync_daemon eth1\n}\n",
                                       config::LoadOptions{})
                    .config;
  ASSERT_TRUE(config);
  ASSERT_TRUE(config->vrrp.instances.empty());
  ASSERT_TRUE(syncDaemonNeedsVrrpWorker(config->global.lvsSyncDaemon));
  Lab lab;
  auto worker = lab.start(config);
  EXPECT_EQ(lab.kernel->kernel, (SyncDaemons{true, true}));
  worker.reset();
  EXPECT_EQ(lab.kernel->kernel, (SyncDaemons{}));
}

}  // namespace
}  // namespace vigil::vrrp
