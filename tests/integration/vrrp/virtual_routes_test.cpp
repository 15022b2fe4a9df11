#include <gtest/gtest.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <signal.h>
#include <sys/socket.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "support/netns.h"
#include "support/run_command.h"
#include "support/vrrp_lab.h"

// virtual_routes follow the VIPs: two real vigild directors in network
// namespaces on a bridge in a third; one VRRPv3 instance at advert_int 0.1
// whose VIP carries a gateway route, a blackhole in table 100 and a route
// with the VIP as its source.
namespace vigil::test {
namespace {

using namespace std::chrono_literals;

struct RouteLab {
  LabAddresses addresses;
  const char* gatewayRoute;    // in the main table, via a gateway on the VIP's subnet
  const char* blackholeRoute;  // in table 100
  const char* sourceRoute;     // with `src VIP`
  const char* reloadRoute;     // what a reload adds instead of sourceRoute
};

constexpr RouteLab kIpv4{
    {"10.57.0.100", "10.57.0.100/24", "10.57.0.1/24", "10.57.0.2/24", "-4", "inet"},
    "10.58.0.0/16",
    "10.59.0.0/16",
    "10.60.0.0/16",
    "10.61.0.0/16"};
constexpr RouteLab kIpv6{
    {"fd00:57::100", "fd00:57::100/64", "fd00:57::1/64", "fd00:57::2/64", "-6", "inet6"},
    "fd00:58::/48",
    "fd00:59::/48",
    "fd00:60::/48",
    "fd00:61::/48"};

// Whether a NETLINK_ROUTE socket in `ns` has joined the IPv4 or IPv6 route
// group (/proc/net/netlink of the namespace: Groups is the bit mask of the
// first 32). Only vigild's deletion monitor joins one there, so this says
// whether the host's route changes wake its VRRP worker.
bool listensToRouteChanges(const NetNs& ns) {
  std::istringstream lines(ns.exec("cat /proc/net/netlink").output);
  const unsigned long routeGroups =
      (1UL << (RTNLGRP_IPV4_ROUTE - 1)) | (1UL << (RTNLGRP_IPV6_ROUTE - 1));
  std::string line;
  std::getline(lines, line);  // the heading
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    std::string socket;
    int protocol = -1;
    unsigned long portId = 0;
    unsigned long groups = 0;
    if (!(fields >> socket >> protocol >> portId >> std::hex >> groups)) continue;
    if (protocol == NETLINK_ROUTE && (groups & routeGroups) != 0) return true;
  }
  return false;
}

class RouteDirector : public LabVigild {
 public:
  RouteDirector(const NetNs& ns, const RouteLab& lab, const std::string& dir,
                const std::string& name)
      : LabVigild(ns, dir, name), ns_(ns), lab_(lab) {}

  // The configuration with `priority` and, as the third route, the source
  // route or (after a reload) its replacement.
  void configure(int priority, bool reloaded = false) const {
    const std::string gateway =
        lab_.addresses.ipFlag == std::string("-4") ? "10.57.0.254" : "fd00:57::254";
    std::ostringstream out;
    out << "global_defs {\n  vip_lifetime 2\n}\n"
        << "vrrp_instance VI_1 {\n  state BACKUP\n  interface eth0\n"
        << "  virtual_router_id 57\n  version 3\n  priority " << priority
        << "\n  advert_int 0.1\n  virtual_ipaddress {\n    " << lab_.addresses.vipPrefix
        << "\n  }\n  virtual_routes {\n"
        << "    " << lab_.gatewayRoute << " via " << gateway << " dev eth0 metric 5\n"
        << "    blackhole " << lab_.blackholeRoute << " table 100\n";
    if (reloaded) {
      out << "    " << lab_.reloadRoute << " dev eth0\n";
    } else {
      out << "    src " << lab_.addresses.vip << " " << lab_.sourceRoute << " dev eth0\n";
    }
    out << "  }\n}\n";
    writeConfig(out.str());
  }
  bool holdsVip() const { return test::holdsVip(ns_, lab_.addresses); }
  // `destination`'s line in `table`, empty when there is none.
  std::string route(const std::string& destination, const std::string& table = "main") const {
    return ns_
        .exec(std::string("ip ") + lab_.addresses.ipFlag + " route show table " + table + " " +
              destination)
        .output;
  }
  bool hasRoutes() const {
    return !route(lab_.gatewayRoute).empty() && !route(lab_.blackholeRoute, "100").empty() &&
           !route(lab_.sourceRoute).empty();
  }
  bool hasNoRoute() const {
    return route(lab_.gatewayRoute).empty() && route(lab_.blackholeRoute, "100").empty() &&
           route(lab_.sourceRoute).empty() && route(lab_.reloadRoute).empty();
  }

 private:
  const NetNs& ns_;
  const RouteLab& lab_;
};

class VirtualRoutesTest : public ::testing::TestWithParam<int> {
 protected:
  void SetUp() override {
    if (!runningAsRoot()) GTEST_SKIP() << "needs root for network namespaces";
    ASSERT_TRUE(bridge_.ok() && d1_.ok() && d2_.ok());
    char pattern[] = "/tmp/vigil-h7routes-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
    ASSERT_TRUE(plugIntoBridge(bridge_, d1_, "p1", lab().addresses.first));
    ASSERT_TRUE(plugIntoBridge(bridge_, d2_, "p2", lab().addresses.second));
    first_ = std::make_unique<RouteDirector>(d1_, lab(), dir_, "d1");
    second_ = std::make_unique<RouteDirector>(d2_, lab(), dir_, "d2");
  }
  void TearDown() override {
    first_.reset();
    second_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  static const RouteLab& lab() { return GetParam() == AF_INET6 ? kIpv6 : kIpv4; }

  // d1 alone at priority 200: it becomes MASTER with its VIP and routes.
  void startFirstAsMaster() {
    first_->configure(200);
    ASSERT_TRUE(first_->start());
    ASSERT_TRUE(waitFor(10s, [&] { return first_->holdsVip() && first_->hasRoutes(); }))
        << first_->log();
    const std::string viaGateway = first_->route(lab().gatewayRoute);
    EXPECT_NE(viaGateway.find("metric 5"), std::string::npos) << viaGateway;
    EXPECT_NE(viaGateway.find("proto keepalived"), std::string::npos) << viaGateway;
    EXPECT_NE(first_->route(lab().blackholeRoute, "100").find("blackhole"), std::string::npos);
    const std::string sourced = first_->route(lab().sourceRoute);
    EXPECT_NE(sourced.find(std::string("src ") + lab().addresses.vip), std::string::npos)
        << sourced;
  }

  NetNs bridge_{"h7br"};
  NetNs d1_{"h7d1"};
  NetNs d2_{"h7d2"};
  std::string dir_;
  std::unique_ptr<RouteDirector> first_;
  std::unique_ptr<RouteDirector> second_;
};

TEST_P(VirtualRoutesTest, RoutesFollowTheVipToAHigherPriorityPeerAndBackAfterSigterm) {
  startFirstAsMaster();
  second_->configure(250);
  ASSERT_TRUE(second_->start());
  EXPECT_TRUE(waitFor(10s, [&] { return second_->holdsVip() && second_->hasRoutes(); }))
      << second_->log();
  EXPECT_TRUE(waitFor(5s, [&] { return !first_->holdsVip() && first_->hasNoRoute(); }))
      << first_->log();
  // Only the MASTER listens to route deletions: the BACKUP has none of its
  // routes installed, and the host's route churn does not wake it.
  EXPECT_TRUE(listensToRouteChanges(d2_));
  EXPECT_FALSE(listensToRouteChanges(d1_)) << d1_.exec("cat /proc/net/netlink").output;

  second_->signal(SIGTERM);
  ASSERT_TRUE(second_->reap(10s)) << second_->log();
  EXPECT_TRUE(second_->hasNoRoute()) << second_->log();
  EXPECT_TRUE(waitFor(10s, [&] { return first_->holdsVip() && first_->hasRoutes(); }))
      << first_->log();
}

TEST_P(VirtualRoutesTest, ReloadSwapsAMastersRoutesAndAWorkerDeathTakesThemAway) {
  startFirstAsMaster();
  first_->configure(200, /*reloaded=*/true);
  first_->signal(SIGHUP);
  EXPECT_TRUE(waitFor(10s, [&] {
    return !first_->route(lab().reloadRoute).empty() && first_->route(lab().sourceRoute).empty();
  })) << first_->log();
  EXPECT_FALSE(first_->route(lab().gatewayRoute).empty());
  EXPECT_TRUE(first_->holdsVip());

  // The supervisor removes a dead worker's routes with its VIPs (and the
  // respawned worker, starting as BACKUP, would clear them too); it then
  // becomes MASTER again and puts them back. The gap can be shorter than
  // a poll, so the kernel's route events say that they went.
  NsProcess monitor(d1_, dir_ + "/monitor.log", {"ip", "-o", "monitor", "route"});
  ASSERT_TRUE(monitor.start());
  // A marker route shows when the monitor listens (re-added each time: an
  // unchanged route replaced makes no event).
  ASSERT_TRUE(waitFor(5s, [&] {
    (void)d1_.exec("ip route del 10.62.0.0/16 2>/dev/null; ip route add 10.62.0.0/16 dev eth0");
    return monitor.log().find("10.62.0.0/16") != std::string::npos;
  })) << monitor.log();
  const pid_t worker = first_->vrrpWorker();
  ASSERT_GT(worker, 0) << first_->log();
  ASSERT_EQ(::kill(worker, SIGKILL), 0);
  const std::string deleted = std::string("Deleted ") + lab().gatewayRoute + " via";
  EXPECT_TRUE(waitFor(5s, [&] { return monitor.log().find(deleted) != std::string::npos; }))
      << monitor.log();
  EXPECT_TRUE(waitFor(10s, [&] {
    return first_->holdsVip() && !first_->route(lab().gatewayRoute).empty() &&
           !first_->route(lab().reloadRoute).empty();
  })) << first_->log();

  first_->signal(SIGTERM);
  ASSERT_TRUE(first_->reap(10s)) << first_->log();
  EXPECT_TRUE(first_->hasNoRoute()) << first_->log();
}

INSTANTIATE_TEST_SUITE_P(Families, VirtualRoutesTest, ::testing::Values(AF_INET, AF_INET6),
                         [](const auto& info) { return info.param == AF_INET6 ? "Ipv6" : "Ipv4"; });

}  // namespace
}  // namespace vigil::test
