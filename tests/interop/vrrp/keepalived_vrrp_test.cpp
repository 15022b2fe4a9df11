#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "support/netns.h"
#include "support/run_command.h"
#include "support/vrrp_lab.h"

// vigild and keepalived 2.2.7 (Debian) as the two routers of one VRRPv3
// VRID on a bridge in its own namespace: whichever has the higher priority
// is master, the other accepts its adverts and stays backup, and a
// graceful stop of the master hands the VIP over, in both directions.
namespace vigil::test {
namespace {

using namespace std::chrono_literals;
using SteadyTime = std::chrono::steady_clock;

constexpr const char* kKeepalived = "/usr/sbin/keepalived";
// first: vigild, second: keepalived.
using Lab = LabAddresses;
constexpr Lab kIpv4Lab{"10.9.1.100", "10.9.1.100/24", "10.9.1.1/24", "10.9.1.2/24", "-4", "inet"};
constexpr Lab kIpv6Lab{"fd00:91::100", "fd00:91::100/64", "fd00:91::1/64", "fd00:91::2/64", "-6",
                       "inet6"};

std::string instanceConfig(const Lab& lab, int priority) {
  return "vrrp_instance VI_1 {\n  state BACKUP\n  interface eth0\n  virtual_router_id 61\n"
         "  version 3\n  priority " +
         std::to_string(priority) + "\n  advert_int 0.1\n  virtual_ipaddress {\n    " +
         lab.vipPrefix + "\n  }\n}\n";
}

// A router process (vigild or keepalived) and where to look for the VIP.
class Router : public NsProcess {
 public:
  Router(const NetNs& ns, const Lab& lab, std::string log, std::vector<std::string> argv)
      : NsProcess(ns, std::move(log), std::move(argv)), ns_(ns), lab_(lab) {}
  bool holdsVip() const { return test::holdsVip(ns_, lab_); }

 private:
  const NetNs& ns_;
  const Lab& lab_;
};

class KeepalivedVrrpTest : public ::testing::TestWithParam<int> {
 protected:
  void SetUp() override {
    if (!runningAsRoot()) GTEST_SKIP() << "needs root for network namespaces";
    if (!std::filesystem::exists(kKeepalived)) GTEST_SKIP() << "keepalived is not installed";
    ASSERT_TRUE(bridge_.ok() && vigilNs_.ok() && keepalivedNs_.ok());
    char pattern[] = "/tmp/vigil-interop-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
    ASSERT_TRUE(plugIntoBridge(bridge_, vigilNs_, "p1", lab().first));
    ASSERT_TRUE(plugIntoBridge(bridge_, keepalivedNs_, "p2", lab().second));
  }
  void TearDown() override {
    vigil_.reset();
    keepalived_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  static const Lab& lab() { return GetParam() == AF_INET6 ? kIpv6Lab : kIpv4Lab; }

  void startVigil(int priority) {
    const std::string conf = dir_ + "/vigil.conf";
    std::ofstream(conf) << instanceConfig(lab(), priority);
    vigil_ = std::make_unique<Router>(
        vigilNs_, lab(), dir_ + "/vigil.log",
        std::vector<std::string>{std::string(VIGIL_BIN_DIR) + "/vigild", "-n", "-l", "-f", conf,
                                 "-p", dir_ + "/vigil.pid", "-r", dir_ + "/vigil-vrrp.pid"});
    ASSERT_TRUE(vigil_->start());
  }

  // VRRP only (-P): keepalived's checker process exits without IPVS.
  void startKeepalived(int priority) {
    const std::string conf = dir_ + "/keepalived.conf";
    std::ofstream(conf) << instanceConfig(lab(), priority);
    keepalived_ = std::make_unique<Router>(
        keepalivedNs_, lab(), dir_ + "/keepalived.log",
        std::vector<std::string>{kKeepalived, "-n", "-l", "-P", "-f", conf, "-p",
                                 dir_ + "/keepalived.pid", "-r", dir_ + "/keepalived-vrrp.pid"});
    ASSERT_TRUE(keepalived_->start());
  }

  // `master` takes the VIP; `backup` never does while the master runs.
  void expectOneMaster(Router& master, Router& backup) {
    ASSERT_TRUE(waitFor(10s, [&] { return master.holdsVip(); })) << master.log() << backup.log();
    EXPECT_FALSE(waitFor(2s, [&] { return backup.holdsVip(); })) << backup.log();
    EXPECT_TRUE(master.holdsVip()) << master.log();
  }

  // A graceful stop of the master (priority-0 advert) hands the VIP over.
  void expectTakeoverOnStop(Router& master, Router& backup) {
    master.signal(SIGTERM);
    ASSERT_TRUE(master.reap(10s)) << master.log();
    EXPECT_FALSE(master.holdsVip());
    EXPECT_TRUE(waitFor(10s, [&] { return backup.holdsVip(); })) << backup.log();
  }

  NetNs bridge_{"vgibr"};
  NetNs vigilNs_{"vgiv"};
  NetNs keepalivedNs_{"vgik"};
  std::string dir_;
  std::unique_ptr<Router> vigil_;
  std::unique_ptr<Router> keepalived_;
};

TEST_P(KeepalivedVrrpTest, VigilMasterKeepalivedBackupThenKeepalivedTakesOver) {
  startKeepalived(100);
  startVigil(200);
  expectOneMaster(*vigil_, *keepalived_);
  expectTakeoverOnStop(*vigil_, *keepalived_);
}

TEST_P(KeepalivedVrrpTest, KeepalivedMasterVigilBackupThenVigilTakesOver) {
  startVigil(100);
  startKeepalived(200);
  expectOneMaster(*keepalived_, *vigil_);
  expectTakeoverOnStop(*keepalived_, *vigil_);
}

INSTANTIATE_TEST_SUITE_P(Families, KeepalivedVrrpTest, ::testing::Values(AF_INET, AF_INET6),
                         [](const auto& info) { return info.param == AF_INET6 ? "Ipv6" : "Ipv4"; });

}  // namespace
}  // namespace vigil::test
