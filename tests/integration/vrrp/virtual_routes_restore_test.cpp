#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include "support/netns.h"
#include "support/run_command.h"
#include "support/vrrp_lab.h"
#include "support/wait_for.h"

// A MASTER keeps its virtual routes and rules: two real vigild directors in
// network namespaces on a bridge, d1 MASTER and d2 BACKUP. A virtual route
// and rule deleted on d1 behind its back come back (and /metrics counts
// them); the same route added and deleted by hand on the BACKUP d2 is not
// added back there. A static route deleted after it on d2 marks the moment
// d2's worker has read both deletions (one socket, in order).
namespace vigil::test {
namespace {

using namespace std::chrono_literals;

constexpr LabAddresses kLab{"10.73.0.100", "10.73.0.100/24", "10.73.0.1/24", "10.73.0.2/24", "-4",
                            "inet"};

std::string config(int priority) {
  return "global_defs {\n  metrics_listen 127.0.0.1:9652\n}\n"
         "static_routes {\n  10.73.9.0/24 dev eth0\n}\n"
         "vrrp_instance VI_1 {\n  state BACKUP\n  interface eth0\n"
         "  virtual_router_id 73\n  version 3\n  priority " +
         std::to_string(priority) +
         "\n  advert_int 0.1\n"
         "  virtual_ipaddress {\n    " +
         kLab.vipPrefix +
         "\n  }\n"
         "  virtual_routes {\n    10.73.2.0/24 via 10.73.0.254 dev eth0\n  }\n"
         "  virtual_rules {\n    from 10.73.2.0/24 table 100 pref 500\n  }\n}\n";
}

class VirtualRoutesRestoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!runningAsRoot()) GTEST_SKIP() << "needs root for network namespaces";
    ASSERT_TRUE(bridge_.ok() && d1_.ok() && d2_.ok());
    char pattern[] = "/tmp/vigil-h4vr-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
    ASSERT_TRUE(plugIntoBridge(bridge_, d1_, "p1", kLab.first));
    ASSERT_TRUE(plugIntoBridge(bridge_, d2_, "p2", kLab.second));
    first_ = std::make_unique<LabVigild>(d1_, dir_, "d1");
    second_ = std::make_unique<LabVigild>(d2_, dir_, "d2");
  }
  void TearDown() override {
    first_.reset();
    second_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  static std::string route(const NetNs& ns) {
    return ns.exec("ip -4 route show 10.73.2.0/24").output;
  }
  static std::string rule(const NetNs& ns) { return ns.exec("ip -4 rule show pref 500").output; }
  static std::string marker(const NetNs& ns) {
    return ns.exec("ip -4 route show 10.73.9.0/24").output;
  }
  static bool hasMetric(const NetNs& ns, const std::string& line) {
    const std::string text = ns.exec("curl -s --max-time 2 http://127.0.0.1:9652/metrics").output;
    return ("\n" + text).find("\n" + line + "\n") != std::string::npos;
  }
  std::string describe() const {
    return "d1:\n" + first_->log() + "\nroute: " + route(d1_) + "rule: " + rule(d1_) + "\nd2:\n" +
           second_->log() + "\nroute: " + route(d2_);
  }

  NetNs bridge_{"h4vrb"};
  NetNs d1_{"h4vr1"};
  NetNs d2_{"h4vr2"};
  std::string dir_;
  std::unique_ptr<LabVigild> first_;
  std::unique_ptr<LabVigild> second_;
};

size_t lines(const std::string& text) {
  size_t count = 0;
  for (char c : text) count += c == '\n' ? 1 : 0;
  return count;
}

TEST_F(VirtualRoutesRestoreTest, AMastersDeletedRouteAndRuleComeBackABackupAddsNothing) {
  first_->writeConfig(config(200));
  ASSERT_TRUE(first_->start());
  ASSERT_TRUE(waitFor(10s, [&] {
    return holdsVip(d1_, kLab) && !route(d1_).empty() && lines(rule(d1_)) == 1;
  })) << describe();
  second_->writeConfig(config(100));
  ASSERT_TRUE(second_->start());
  ASSERT_TRUE(waitFor(10s, [&] {
    return !marker(d2_).empty() &&
           hasMetric(d2_, R"(vigil_vrrp_instance_state{vrrp_instance="VI_1",state="BACKUP"} 1)");
  })) << describe();

  ASSERT_EQ(d1_.exec("ip route del 10.73.2.0/24 && ip rule del pref 500").exitCode, 0);
  EXPECT_TRUE(waitFor(5s, [&] { return !route(d1_).empty() && lines(rule(d1_)) == 1; }))
      << describe();
  EXPECT_NE(route(d1_).find("via 10.73.0.254 dev eth0 proto keepalived"), std::string::npos)
      << describe();
  EXPECT_TRUE(waitFor(5s, [&] {
    return hasMetric(
               d1_,
               R"(vigil_vrrp_virtual_entries_restored_total{vrrp_instance="VI_1",kind="virtual_routes"} 1)") &&
           hasMetric(
               d1_,
               R"(vigil_vrrp_virtual_entries_restored_total{vrrp_instance="VI_1",kind="virtual_rules"} 1)");
  })) << describe();
  EXPECT_TRUE(holdsVip(d1_, kLab)) << describe();  // no transition: the VIP stayed

  ASSERT_EQ(d2_.exec("ip route add 10.73.2.0/24 via 10.73.0.254 dev eth0 proto keepalived && "
                     "ip route del 10.73.2.0/24 && ip route del 10.73.9.0/24")
                .exitCode,
            0);
  EXPECT_TRUE(waitFor(5s, [&] { return !marker(d2_).empty(); })) << describe();
  EXPECT_TRUE(route(d2_).empty()) << describe();
  EXPECT_TRUE(hasMetric(
      d2_,
      R"(vigil_vrrp_virtual_entries_restored_total{vrrp_instance="VI_1",kind="virtual_routes"} 0)"))
      << describe();
}

}  // namespace
}  // namespace vigil::test
