// track_interface and vrrp_sync_group between two real vigild directors in
// network namespaces on a bridge that lives in a third namespace.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "support/netns.h"
#include "support/test_paths.h"
#include "support/vrrp_lab.h"
#include "support/wait_for.h"

namespace vigil::test {
namespace {

using namespace std::chrono_literals;

// One VIP per instance of the sync group; holdsVip() reads only the VIP.
constexpr LabAddresses kVip1{"10.9.1.100", "10.9.1.100/24", "10.9.1.1/24", "10.9.1.2/24",
                             "-4",         "inet"};
constexpr LabAddresses kVip2{"10.9.1.101", "10.9.1.101/24", "10.9.1.1/24", "10.9.1.2/24",
                             "-4",         "inet"};

// Sync group G1 of VI_1 and VI_2 at advert_int 0.1; the group's
// notify_master creates `groupMarker`. With `trackedLink`, VI_1 also tracks
// that interface (unweighted: down means FAULT).
std::string directorConfig(int priority, const std::string& trackedLink,
                           const std::string& groupMarker) {
  std::ostringstream out;
  out << "global_defs {\n  vip_lifetime 2\n}\n"
      << "vrrp_sync_group G1 {\n  group {\n    VI_1\n    VI_2\n  }\n"
      << "  notify_master \"/usr/bin/touch " << groupMarker << "\"\n}\n";
  for (const auto& [name, vrid, vip] :
       {std::tuple{"VI_1", 61, kVip1.vipPrefix}, std::tuple{"VI_2", 62, kVip2.vipPrefix}}) {
    out << "vrrp_instance " << name << " {\n  state BACKUP\n  interface eth0\n"
        << "  virtual_router_id " << vrid << "\n  version 3\n  priority " << priority
        << "\n  advert_int 0.1\n";
    if (!trackedLink.empty() && std::string(name) == "VI_1") {
      out << "  track_interface {\n    " << trackedLink << "\n  }\n";
    }
    out << "  virtual_ipaddress {\n    " << vip << "\n  }\n}\n";
  }
  return out.str();
}

class TrackingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!runningAsRoot()) GTEST_SKIP() << "needs root for network namespaces";
    ASSERT_TRUE(bridge_.ok() && d1_.ok() && d2_.ok());
    char pattern[] = "/tmp/vigil-tracking-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
    ASSERT_TRUE(plugIntoBridge(bridge_, d1_, "p1", kVip1.first));
    ASSERT_TRUE(plugIntoBridge(bridge_, d2_, "p2", kVip1.second));
    // The tracked link: a veth pair inside d1 (no dummy module everywhere).
    ASSERT_EQ(d1_.exec("ip link add trk0 type veth peer name trk1 && ip link set trk1 up && "
                       "ip link set trk0 up")
                  .exitCode,
              0);
  }
  void TearDown() override {
    master_.reset();
    backup_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  std::unique_ptr<NsProcess> director(const NetNs& ns, const std::string& name, int priority,
                                      const std::string& trackedLink) {
    const std::string config = dir_ + "/" + name + ".conf";
    std::ofstream(config) << directorConfig(priority, trackedLink, groupMarker(name));
    auto process = std::make_unique<NsProcess>(
        ns, dir_ + "/" + name + ".log",
        std::vector<std::string>{std::string(VIGIL_BIN_DIR) + "/vigild", "-n", "-l", "-f", config,
                                 "-i", ns.name(), "-p", dir_ + "/" + name + ".pid", "-r",
                                 dir_ + "/" + name + ".vrrp.pid"});
    EXPECT_TRUE(process->start());
    return process;
  }

  std::string groupMarker(const std::string& name) const {
    return dir_ + "/" + name + ".group-master";
  }

  // Both VIPs on `ns` and neither on `other`.
  static bool holdsGroup(const NetNs& ns, const NetNs& other) {
    return holdsVip(ns, kVip1) && holdsVip(ns, kVip2) && !holdsVip(other, kVip1) &&
           !holdsVip(other, kVip2);
  }
  std::string logs() const { return master_->log() + "\n---- d2 ----\n" + backup_->log(); }

  NetNs bridge_{"vvtbr"};
  NetNs d1_{"vvtd1"};
  NetNs d2_{"vvtd2"};
  std::string dir_;
  std::unique_ptr<NsProcess> master_;
  std::unique_ptr<NsProcess> backup_;
};

// trk0 is tracked by VI_1 only; VI_2 follows it through the sync group both
// ways: into FAULT (the VIPs move to d2) and back (d1 preempts again).
TEST_F(TrackingTest, TrackedLinkDownMovesTheWholeSyncGroupAndLinkUpBringsItBack) {
  master_ = director(d1_, "d1", 200, "trk0");
  backup_ = director(d2_, "d2", 100, "");
  ASSERT_TRUE(waitFor(10s, [&] { return holdsGroup(d1_, d2_); })) << logs();
  EXPECT_TRUE(waitFor(5s, [&] { return std::filesystem::exists(groupMarker("d1")); }));

  ASSERT_EQ(d1_.exec("ip link set dev trk0 down").exitCode, 0);
  EXPECT_TRUE(waitFor(10s, [&] { return holdsGroup(d2_, d1_); })) << logs();
  // The group's own notify_master ran on the director that took it over.
  EXPECT_TRUE(waitFor(5s, [&] { return std::filesystem::exists(groupMarker("d2")); }));

  ASSERT_EQ(d1_.exec("ip link set dev trk0 up").exitCode, 0);
  EXPECT_TRUE(waitFor(10s, [&] { return holdsGroup(d1_, d2_); })) << logs();
}

}  // namespace
}  // namespace vigil::test
