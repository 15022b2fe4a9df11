#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>

#include "support/netns.h"
#include "support/test_paths.h"
#include "support/vrrp_lab.h"
#include "vrrp/accept_filter_rules.h"

// A VRRP worker that dies by SIGKILL leaves its no_accept rules (nftables
// table inet vigil) behind; the supervisor deletes the table before it
// respawns the worker, and the new worker installs its own chain again.
namespace vigil::test {
namespace {

using namespace std::chrono_literals;

class NftCleanupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!runningAsRoot()) GTEST_SKIP() << "needs root for network namespaces";
    if (std::system("command -v nft >/dev/null 2>&1") != 0) GTEST_SKIP() << "needs nft";
    ASSERT_TRUE(ns_.ok());
    ASSERT_TRUE(plugLonelyEth0(ns_, "10.61.0.1/24"));
    char pattern[] = "/tmp/vigil-nftclean-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
    std::ofstream(dir_ + "/vigild.conf") << "vrrp_instance VI_1 {\n  interface eth0\n"
                                            "  virtual_router_id 61\n  version 3\n  priority 150\n"
                                            "  advert_int 0.1\n  no_accept\n"
                                            "  virtual_ipaddress {\n    10.61.0.100/24\n  }\n}\n";
  }
  void TearDown() override {
    vigild_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  bool chainExists(const std::string& chain) const {
    return ns_.exec("nft list chain inet vigil " + chain + " >/dev/null 2>&1").exitCode == 0;
  }
  pid_t workerPid() const {
    std::ifstream in(dir_ + "/vrrp.pid");
    pid_t pid = 0;
    return (in >> pid) ? pid : 0;
  }

  NetNs ns_{"h1nft"};
  std::string dir_;
  std::unique_ptr<NsProcess> vigild_;
};

TEST_F(NftCleanupTest, KilledWorkersRulesAreRemovedAndTheRespawnedWorkerRebuildsThem) {
  vigild_ = std::make_unique<NsProcess>(
      ns_, dir_ + "/vigild.log",
      std::vector<std::string>{std::string(VIGIL_BIN_DIR) + "/vigild", "-n", "-l", "-f",
                               dir_ + "/vigild.conf", "-i", ns_.name(), "-p", dir_ + "/vigild.pid",
                               "-r", dir_ + "/vrrp.pid"});
  ASSERT_TRUE(vigild_->start());
  const std::string chain = vrrp::nftChainName("VI_1");
  ASSERT_TRUE(waitFor(15s, [&] { return chainExists(chain) && workerPid() > 0; }))
      << vigild_->log();
  // Something only the dead worker's table holds: the respawned worker
  // would keep it if the table were not deleted.
  ASSERT_EQ(ns_.exec("nft add chain inet vigil h1marker").exitCode, 0);
  const pid_t worker = workerPid();
  ASSERT_EQ(::kill(worker, SIGKILL), 0);

  EXPECT_TRUE(waitFor(15s, [&] { return !chainExists("h1marker"); })) << vigild_->log();
  EXPECT_TRUE(waitFor(15s, [&] {
    const pid_t now = workerPid();
    return now > 0 && now != worker && chainExists(chain);
  })) << vigild_->log();
  EXPECT_FALSE(chainExists("h1marker"));
}

}  // namespace
}  // namespace vigil::test
