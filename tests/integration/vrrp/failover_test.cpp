#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <thread>

#include "support/netns.h"
#include "support/run_command.h"
#include "support/test_paths.h"
#include "support/vrrp_lab.h"

// Two real vigild directors in network namespaces on a bridge that lives in
// a third namespace; one VRRPv3 instance at advert_int 0.1 with a VIP.
namespace vigil::test {
namespace {

using namespace std::chrono_literals;
using SteadyTime = std::chrono::steady_clock;

// The VIP and the directors' addresses per family (first: d1, second: d2).
using Lab = LabAddresses;
constexpr Lab kIpv4Lab{"10.9.0.100", "10.9.0.100/24", "10.9.0.1/24", "10.9.0.2/24", "-4", "inet"};
constexpr Lab kIpv6Lab{"fd00:9::100", "fd00:9::100/64", "fd00:9::1/64", "fd00:9::2/64",
                       "-6",          "inet6"};

// A vigild process started in a namespace, in a process group of its own
// so the whole tree can be SIGKILLed; the destructor kills what is left.
class Director {
 public:
  Director(const NetNs& ns, const Lab& lab, const std::string& dir, const std::string& name,
           int priority)
      : ns_(ns),
        lab_(lab),
        config_(dir + "/" + name + ".conf"),
        log_(dir + "/" + name + ".log"),
        pidFile_(dir + "/" + name + ".pid"),
        vrrpPidFile_(dir + "/" + name + ".vrrp.pid"),
        process_(ns, log_,
                 {std::string(VIGIL_BIN_DIR) + "/vigild", "-n", "-l", "-f", config_, "-i",
                  ns.name(), "-p", pidFile_, "-r", vrrpPidFile_}) {
    masterMarker_ = dir + "/" + name + ".master";
    failMarker_ = dir + "/" + name + ".fail";
    trackFile_ = dir + "/" + name + ".track";
    checkScript_ = "/usr/bin/test ! -e " + failMarker_;
    std::ofstream(config_) << configText(priority);
  }
  std::string configText(int priority) const {
    std::ostringstream out;
    out << "global_defs {\n  vip_lifetime 2\n}\n"
        << "vrrp_script chk {\n  script \"" << checkScript_ << "\"\n  interval 0.2\n"
        << "  weight -150\n}\n"
        << "vrrp_track_file tf {\n  file " << trackFile_ << "\n}\n"
        << "vrrp_instance VI_1 {\n  state BACKUP\n  interface eth0\n"
        << "  virtual_router_id 51\n  version 3\n  priority " << priority
        << "\n  track_script {\n    chk\n  }"
        << "\n  track_file {\n    tf weight -150\n  }"
        << "\n  notify_master \"/usr/bin/touch " << masterMarker_ << "\""
        << "\n  advert_int 0.1\n  virtual_ipaddress {\n    " << lab_.vipPrefix << "\n  }\n}\n";
    return out.str();
  }
  bool start() { return process_.start(); }

  void signal(int signo) const { process_.signal(signo); }
  const std::string& vrrpPidFile() const { return vrrpPidFile_; }
  void setPriority(int priority) const { std::ofstream(config_) << configText(priority); }
  void killGroup() const { process_.killGroup(); }

  // Waits for the supervisor to exit; true when it did within `limit`.
  bool reap(std::chrono::milliseconds limit) { return process_.reap(limit); }

  bool holdsVip() const { return test::holdsVip(ns_, lab_); }
  // Makes the director's vrrp_script fail from now on.
  void failCheck() const { std::ofstream(failMarker_) << "fail\n"; }
  // The track_file's value (times its weight -150).
  void setTrackFile(int value) const { std::ofstream(trackFile_) << value << "\n"; }
  // notify_master ran.
  bool notifiedMaster() const { return std::filesystem::exists(masterMarker_); }
  std::string log() const { return process_.log(); }

 private:
  const NetNs& ns_;
  const Lab& lab_;
  std::string config_;
  std::string masterMarker_;
  std::string failMarker_;
  std::string trackFile_;
  std::string checkScript_;
  std::string log_;
  std::string pidFile_;
  std::string vrrpPidFile_;
  NsProcess process_;
};

class FailoverTest : public ::testing::TestWithParam<int> {
 protected:
  void SetUp() override {
    if (!runningAsRoot()) GTEST_SKIP() << "needs root for network namespaces";
    ASSERT_TRUE(bridge_.ok() && d1_.ok() && d2_.ok());
    char pattern[] = "/tmp/vigil-failover-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
    ASSERT_TRUE(plugIntoBridge(bridge_, d1_, "p1", lab().first));
    ASSERT_TRUE(plugIntoBridge(bridge_, d2_, "p2", lab().second));
  }
  void TearDown() override {
    master_.reset();
    backup_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  static const Lab& lab() { return GetParam() == AF_INET6 ? kIpv6Lab : kIpv4Lab; }

  // d1 (priority 200) becomes master and holds the VIP; d2 (100) does not.
  void startBoth() {
    master_ = std::make_unique<Director>(d1_, lab(), dir_, "d1", 200);
    backup_ = std::make_unique<Director>(d2_, lab(), dir_, "d2", 100);
    // The master first: started together on a loaded machine, d2 may come up
    // a Master_Down_Interval before d1 and hold the VIP until d1 preempts.
    ASSERT_TRUE(master_->start());
    ASSERT_TRUE(waitFor(10s, [&] { return master_->holdsVip(); })) << master_->log();
    ASSERT_TRUE(backup_->start());
    EXPECT_TRUE(waitFor(5s, [&] { return master_->notifiedMaster(); })) << master_->log();
    // The backup hears the master from the start and never takes over.
    EXPECT_FALSE(waitFor(1s, [&] { return backup_->holdsVip(); })) << backup_->log();
    EXPECT_TRUE(master_->holdsVip());
    EXPECT_FALSE(backup_->notifiedMaster());
  }

  NetNs bridge_{"vgbr"};
  NetNs d1_{"vgd1"};
  NetNs d2_{"vgd2"};
  std::string dir_;
  std::unique_ptr<Director> master_;
  std::unique_ptr<Director> backup_;
};

TEST_P(FailoverTest, HigherPriorityBecomesMasterAndSigtermMovesTheVip) {
  startBoth();
  master_->signal(SIGTERM);
  ASSERT_TRUE(master_->reap(10s)) << master_->log();
  EXPECT_FALSE(master_->holdsVip()) << master_->log();
  EXPECT_TRUE(waitFor(10s, [&] { return backup_->holdsVip(); })) << backup_->log();
  EXPECT_TRUE(waitFor(5s, [&] { return backup_->notifiedMaster(); })) << backup_->log();
}

TEST_P(FailoverTest, SigkillOfEveryMasterProcessMovesTheVipAndItExpiresOnTheDeadMaster) {
  startBoth();
  const auto killedAt = SteadyTime::now();
  master_->killGroup();
  ASSERT_TRUE(master_->reap(5s));
  EXPECT_TRUE(waitFor(10s, [&] { return backup_->holdsVip(); })) << backup_->log();
  // vip_lifetime 2: nobody renews the dead master's VIP, so the kernel drops it.
  EXPECT_TRUE(waitFor(4s, [&] { return !master_->holdsVip(); }));
  EXPECT_LT(SteadyTime::now() - killedAt, 5s);
}

// The second half of "a dead master must not keep answering": a
// VRRP worker that dies alone loses its VIPs at once, well before the 2 s
// lifetime. Two mechanisms give this: the supervisor removes them when the
// worker dies, and the respawned worker clears leftovers as it starts in
// BACKUP; either alone passes this test. The respawned worker has the
// higher priority and takes the VIP back.
TEST_P(FailoverTest, VrrpWorkerDyingAloneLosesItsVipAtOnce) {
  startBoth();
  std::ifstream pidIn(master_->vrrpPidFile());
  pid_t worker = 0;
  ASSERT_TRUE(pidIn >> worker) << master_->log();
  const auto killedAt = SteadyTime::now();
  ASSERT_EQ(::kill(worker, SIGKILL), 0);
  ASSERT_TRUE(waitFor(3s, [&] { return !master_->holdsVip(); })) << master_->log();
  EXPECT_LT(SteadyTime::now() - killedAt, 1500ms) << master_->log();
  EXPECT_TRUE(waitFor(10s, [&] { return master_->holdsVip(); })) << master_->log();
}

TEST_P(FailoverTest, ReloadKeepsTheMasterWithoutAHandover) {
  startBoth();
  master_->setPriority(210);
  master_->signal(SIGHUP);
  // A rebuild would send priority 0 and let the backup take the VIP for a
  // moment; a reload that keeps the instance never does.
  EXPECT_FALSE(waitFor(2s, [&] { return backup_->holdsVip(); })) << master_->log();
  EXPECT_TRUE(master_->holdsVip()) << master_->log();
}

TEST_P(FailoverTest, FailingTrackedScriptHandsTheVipToTheBackup) {
  startBoth();
  master_->failCheck();  // priority 200 - 150 = 50, below the backup's 100
  EXPECT_TRUE(waitFor(10s, [&] { return backup_->holdsVip(); })) << backup_->log();
  EXPECT_TRUE(waitFor(5s, [&] { return !master_->holdsVip(); })) << master_->log();
}

TEST_P(FailoverTest, TrackFileValueHandsTheVipToTheBackupAndBack) {
  startBoth();
  master_->setTrackFile(1);  // 200 - 150 = 50
  EXPECT_TRUE(waitFor(10s, [&] { return backup_->holdsVip(); })) << backup_->log();
  master_->setTrackFile(0);  // 200 again: preempts
  EXPECT_TRUE(waitFor(10s, [&] { return master_->holdsVip(); })) << master_->log();
  EXPECT_TRUE(waitFor(5s, [&] { return !backup_->holdsVip(); })) << backup_->log();
}

INSTANTIATE_TEST_SUITE_P(Families, FailoverTest, ::testing::Values(AF_INET, AF_INET6),
                         [](const auto& info) { return info.param == AF_INET6 ? "Ipv6" : "Ipv4"; });

}  // namespace
}  // namespace vigil::test
