#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include "support/netns.h"
#include "support/run_command.h"
#include "support/vrrp_lab.h"
#include "support/wait_for.h"

// Two IPv6 virtual_routes to one prefix through two gateways, at one metric:
// the kernel merges them into one multipath route (IPv4 would keep two
// routes). A real vigild alone on a bridge becomes MASTER and must hold both
// hops; each hop deleted behind its back, and then the whole merged route,
// comes back without the other hop being dropped (`ip -6 route` shows both).
namespace vigil::test {
namespace {

using namespace std::chrono_literals;

constexpr LabAddresses kLab{
    "fd00:63::100", "fd00:63::100/64", "fd00:63::1/64", "fd00:63::2/64", "-6", "inet6"};
constexpr const char* kPrefix = "2001:db8:63::/64";

std::string config() {
  return std::string("global_defs {\n  metrics_listen 127.0.0.1:9653\n}\n") +
         "vrrp_instance VI_1 {\n  state BACKUP\n  interface eth0\n"
         "  virtual_router_id 63\n  version 3\n  priority 200\n  advert_int 0.1\n"
         "  virtual_ipaddress {\n    " +
         kLab.vipPrefix +
         "\n  }\n"
         "  virtual_routes {\n    " +
         kPrefix + " via fd00:63::fe dev eth0\n    " + kPrefix +
         " via fd00:63::fd dev eth0\n  }\n}\n";
}

class VirtualRoutesMultipathTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!runningAsRoot()) GTEST_SKIP() << "needs root for network namespaces";
    ASSERT_TRUE(bridge_.ok() && d1_.ok());
    char pattern[] = "/tmp/vigil-h3mp-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
    ASSERT_TRUE(plugIntoBridge(bridge_, d1_, "p1", kLab.first));
    director_ = std::make_unique<LabVigild>(d1_, dir_, "d1");
  }
  void TearDown() override {
    director_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  std::string route() const { return d1_.exec(std::string("ip -6 route show ") + kPrefix).output; }
  // Both hops, through the gateways vigil was given, in one route or two.
  bool holdsBothHops() const {
    const std::string text = route();
    return text.find("via fd00:63::fe dev eth0") != std::string::npos &&
           text.find("via fd00:63::fd dev eth0") != std::string::npos;
  }
  bool restored(int count) const {
    const std::string text = d1_.exec("curl -s --max-time 2 http://127.0.0.1:9653/metrics").output;
    const std::string line =
        R"(vigil_vrrp_virtual_entries_restored_total{vrrp_instance="VI_1",kind="virtual_routes"} )" +
        std::to_string(count);
    return ("\n" + text).find("\n" + line + "\n") != std::string::npos;
  }
  std::string describe() const { return director_->log() + "\nroute:\n" + route(); }

  NetNs bridge_{"h3mpb"};
  NetNs d1_{"h3mp1"};
  std::string dir_;
  std::unique_ptr<LabVigild> director_;
};

TEST_F(VirtualRoutesMultipathTest, EachHopDeletedComesBackBesideTheOther) {
  director_->writeConfig(config());
  ASSERT_TRUE(director_->start());
  ASSERT_TRUE(waitFor(10s, [&] { return holdsVip(d1_, kLab) && holdsBothHops(); })) << describe();
  // The kernel merged them: one route, its hops as `nexthop` lines.
  EXPECT_NE(route().find("nexthop via"), std::string::npos) << describe();

  ASSERT_EQ(
      d1_.exec(std::string("ip -6 route del ") + kPrefix + " via fd00:63::fe dev eth0").exitCode,
      0);
  EXPECT_TRUE(waitFor(5s, [&] { return restored(1); })) << describe();
  EXPECT_TRUE(holdsBothHops()) << describe();

  ASSERT_EQ(
      d1_.exec(std::string("ip -6 route del ") + kPrefix + " via fd00:63::fd dev eth0").exitCode,
      0);
  EXPECT_TRUE(waitFor(5s, [&] { return restored(2); })) << describe();
  EXPECT_TRUE(holdsBothHops()) << describe();

  // The whole merged route at once: one deletion naming both hops.
  ASSERT_EQ(d1_.exec(std::string("ip -6 route del ") + kPrefix).exitCode, 0);
  EXPECT_TRUE(waitFor(5s, [&] { return restored(4); })) << describe();
  EXPECT_TRUE(holdsBothHops()) << describe();
  EXPECT_TRUE(holdsVip(d1_, kLab)) << describe();  // no transition on the way
}

}  // namespace
}  // namespace vigil::test
