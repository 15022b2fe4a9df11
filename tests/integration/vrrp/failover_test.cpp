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

// Two real vigild directors in network namespaces on a bridge that lives in
// a third namespace; one VRRPv3 instance at advert_int 0.1 with a VIP.
namespace vigil::test {
namespace {

using namespace std::chrono_literals;
using SteadyTime = std::chrono::steady_clock;

// The VIP and the directors' addresses per family.
struct Lab {
  const char* vip;
  const char* vipPrefix;
  const char* d1;
  const char* d2;
  const char* ipFlag;
  const char* inet;
};
constexpr Lab kIpv4Lab{"10.9.0.100", "10.9.0.100/24", "10.9.0.1/24", "10.9.0.2/24", "-4", "inet"};
constexpr Lab kIpv6Lab{"fd00:9::100", "fd00:9::100/64", "fd00:9::1/64", "fd00:9::2/64",
                       "-6",          "inet6"};

// Polls `condition` every 20 ms until it holds or `limit` passes. Real time
// is what this tier measures; every wait is bounded.
bool waitFor(const std::function<bool()>& condition, std::chrono::milliseconds limit) {
  const auto deadline = SteadyTime::now() + limit;
  while (SteadyTime::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(20ms);
  }
  return condition();
}

// A vigild process started in a namespace, in a process group of its own
// so the whole tree can be SIGKILLed; the destructor kills what is left.
class Director {
 public:
  Director(const NetNs& ns, const Lab& lab, const std::string& dir, const std::string& name,
           int priority)
      : ns_(ns), lab_(lab) {
    config_ = dir + "/" + name + ".conf";
    masterMarker_ = dir + "/" + name + ".master";
    failMarker_ = dir + "/" + name + ".fail";
    trackFile_ = dir + "/" + name + ".track";
    checkScript_ = "/usr/bin/test ! -e " + failMarker_;
    log_ = dir + "/" + name + ".log";
    std::ofstream(config_) << configText(priority);
    pidFile_ = dir + "/" + name + ".pid";
    vrrpPidFile_ = dir + "/" + name + ".vrrp.pid";
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
  ~Director() {
    if (pid_ > 0) {
      ::kill(-pid_, SIGKILL);
      reap(5s);
    }
  }

  bool start() {
    pid_ = ::fork();
    if (pid_ == 0) {
      ::setpgid(0, 0);
      int fd = ::open(log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      ::dup2(fd, STDOUT_FILENO);
      ::dup2(fd, STDERR_FILENO);
      const std::string bin = std::string(VIGIL_BIN_DIR) + "/vigild";
      ::execlp("ip", "ip", "netns", "exec", ns_.name().c_str(), bin.c_str(), "-n", "-l", "-f",
               config_.c_str(), "-i", ns_.name().c_str(), "-p", pidFile_.c_str(), "-r",
               vrrpPidFile_.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    if (pid_ > 0) ::setpgid(pid_, pid_);
    return pid_ > 0;
  }

  void signal(int signo) const { ::kill(pid_, signo); }
  const std::string& vrrpPidFile() const { return vrrpPidFile_; }
  void setPriority(int priority) const { std::ofstream(config_) << configText(priority); }
  void killGroup() const { ::kill(-pid_, SIGKILL); }

  // Waits for the supervisor to exit; true when it did within `limit`.
  bool reap(std::chrono::milliseconds limit) {
    const bool exited = waitFor(
        [&] {
          int status = 0;
          return ::waitpid(pid_, &status, WNOHANG) == pid_;
        },
        limit);
    if (exited) pid_ = -1;
    return exited;
  }

  bool holdsVip() const {
    // No quotes: NetNs::exec wraps the command in single quotes.
    return ns_.exec(std::string("ip ") + lab_.ipFlag + " addr show dev eth0 | grep -qF " +
                    lab_.inet + "\\ " + lab_.vip + "/")
               .exitCode == 0;
  }
  // Makes the director's vrrp_script fail from now on.
  void failCheck() const { std::ofstream(failMarker_) << "fail\n"; }
  // The track_file's value (times its weight -150).
  void setTrackFile(int value) const { std::ofstream(trackFile_) << value << "\n"; }
  // notify_master ran.
  bool notifiedMaster() const { return std::filesystem::exists(masterMarker_); }
  std::string log() const {
    std::ifstream in(log_);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

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
  pid_t pid_ = -1;
};

class FailoverTest : public ::testing::TestWithParam<int> {
 protected:
  void SetUp() override {
    if (!runningAsRoot()) GTEST_SKIP() << "needs root for network namespaces";
    ASSERT_TRUE(bridge_.ok() && d1_.ok() && d2_.ok());
    char pattern[] = "/tmp/vigil-failover-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
    ASSERT_EQ(bridge_.exec("ip link add br0 type bridge && ip link set br0 up").exitCode, 0);
    plug(d1_, "p1", lab().d1);
    plug(d2_, "p2", lab().d2);
  }
  void TearDown() override {
    master_.reset();
    backup_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  static const Lab& lab() { return GetParam() == AF_INET6 ? kIpv6Lab : kIpv4Lab; }

  void plug(const NetNs& ns, const std::string& port, const std::string& address) {
    // Addresses usable at once: no duplicate address detection to wait for.
    ASSERT_EQ(ns.exec("sysctl -qw net.ipv6.conf.default.accept_dad=0").exitCode, 0);
    ASSERT_EQ(bridge_
                  .exec("ip link add " + port + " type veth peer name eth0 netns " + ns.name() +
                        " && ip link set " + port + " master br0 up")
                  .exitCode,
              0);
    ASSERT_EQ(
        ns.exec("ip link set lo up && ip addr add " + address + " dev eth0 && ip link set eth0 up")
            .exitCode,
        0);
  }

  // d1 (priority 200) becomes master and holds the VIP; d2 (100) does not.
  void startBoth() {
    master_ = std::make_unique<Director>(d1_, lab(), dir_, "d1", 200);
    backup_ = std::make_unique<Director>(d2_, lab(), dir_, "d2", 100);
    ASSERT_TRUE(master_->start());
    ASSERT_TRUE(backup_->start());
    ASSERT_TRUE(waitFor([&] { return master_->holdsVip(); }, 10s)) << master_->log();
    EXPECT_TRUE(waitFor([&] { return master_->notifiedMaster(); }, 5s)) << master_->log();
    // The backup hears the master from the start and never takes over.
    EXPECT_FALSE(waitFor([&] { return backup_->holdsVip(); }, 1s)) << backup_->log();
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
  EXPECT_TRUE(waitFor([&] { return backup_->holdsVip(); }, 10s)) << backup_->log();
  EXPECT_TRUE(waitFor([&] { return backup_->notifiedMaster(); }, 5s)) << backup_->log();
}

TEST_P(FailoverTest, SigkillOfEveryMasterProcessMovesTheVipAndItExpiresOnTheDeadMaster) {
  startBoth();
  const auto killedAt = SteadyTime::now();
  master_->killGroup();
  ASSERT_TRUE(master_->reap(5s));
  EXPECT_TRUE(waitFor([&] { return backup_->holdsVip(); }, 10s)) << backup_->log();
  // vip_lifetime 2: nobody renews the dead master's VIP, so the kernel drops it.
  EXPECT_TRUE(waitFor([&] { return !master_->holdsVip(); }, 4s));
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
  ASSERT_TRUE(waitFor([&] { return !master_->holdsVip(); }, 3s)) << master_->log();
  EXPECT_LT(SteadyTime::now() - killedAt, 1500ms) << master_->log();
  EXPECT_TRUE(waitFor([&] { return master_->holdsVip(); }, 10s)) << master_->log();
}

TEST_P(FailoverTest, ReloadKeepsTheMasterWithoutAHandover) {
  startBoth();
  master_->setPriority(210);
  master_->signal(SIGHUP);
  // A rebuild would send priority 0 and let the backup take the VIP for a
  // moment; a reload that keeps the instance never does.
  EXPECT_FALSE(waitFor([&] { return backup_->holdsVip(); }, 2s)) << master_->log();
  EXPECT_TRUE(master_->holdsVip()) << master_->log();
}

TEST_P(FailoverTest, FailingTrackedScriptHandsTheVipToTheBackup) {
  startBoth();
  master_->failCheck();  // priority 200 - 150 = 50, below the backup's 100
  EXPECT_TRUE(waitFor([&] { return backup_->holdsVip(); }, 10s)) << backup_->log();
  EXPECT_TRUE(waitFor([&] { return !master_->holdsVip(); }, 5s)) << master_->log();
}

TEST_P(FailoverTest, TrackFileValueHandsTheVipToTheBackupAndBack) {
  startBoth();
  master_->setTrackFile(1);  // 200 - 150 = 50
  EXPECT_TRUE(waitFor([&] { return backup_->holdsVip(); }, 10s)) << backup_->log();
  master_->setTrackFile(0);  // 200 again: preempts
  EXPECT_TRUE(waitFor([&] { return master_->holdsVip(); }, 10s)) << master_->log();
  EXPECT_TRUE(waitFor([&] { return !backup_->holdsVip(); }, 5s)) << backup_->log();
}

INSTANTIATE_TEST_SUITE_P(Families, FailoverTest, ::testing::Values(AF_INET, AF_INET6),
                         [](const auto& info) { return info.param == AF_INET6 ? "Ipv6" : "Ipv4"; });

}  // namespace
}  // namespace vigil::test
