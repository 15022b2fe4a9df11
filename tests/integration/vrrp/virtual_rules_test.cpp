#include <gtest/gtest.h>
#include <signal.h>

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

// virtual_rules follow MASTER, static_routes and static_rules stay while
// vigild runs: two real vigild directors in network namespaces on a bridge
// in a third, one VRRPv3 instance at advert_int 0.1 whose virtual_rules hold
// IPv4 and IPv6 rules, beside static routes and rules of both families.
namespace vigil::test {
namespace {

using namespace std::chrono_literals;

constexpr LabAddresses kLab{"10.63.0.100", "10.63.0.100/24", "10.63.0.1/24", "10.63.0.2/24", "-4",
                            "inet"};

class RuleDirector : public LabVigild {
 public:
  RuleDirector(const NetNs& ns, const std::string& dir, const std::string& name)
      : LabVigild(ns, dir, name), ns_(ns) {}

  // `fwmark` picks the mark of the second IPv4 virtual rule (a reload
  // changes it).
  void configure(int priority, int fwmark = 7) const {
    std::ostringstream out;
    out << "static_routes {\n"
        << "  blackhole 10.64.0.0/16 table 300\n"
        << "  blackhole fd00:64::/48 table 300\n"
        << "}\n"
        << "static_rules {\n"
        << "  from 10.64.0.0/16 table 300 pref 3000\n"
        << "  inet6 fwmark 0x40/0xff table 300 pref 3001\n"
        << "}\n"
        << "vrrp_instance VI_1 {\n  state BACKUP\n  interface eth0\n"
        << "  virtual_router_id 63\n  version 3\n  priority " << priority
        << "\n  advert_int 0.1\n  virtual_ipaddress {\n    " << kLab.vipPrefix << "\n  }\n"
        << "  virtual_rules {\n"
        << "    from " << kLab.vip << " table 200 pref 2000\n"
        << "    not to 10.65.0.0/16 iif eth0 fwmark " << fwmark
        << " ip_proto tcp dport 80-90 prohibit pref 2001\n"
        << "    from fd00:65::/64 to fd00:66::/64 uidrange 1000-2000 table 200 pref 2002\n"
        << "  }\n}\n";
    writeConfig(out.str());
  }
  bool holdsVip() const { return test::holdsVip(ns_, kLab); }
  // `ip rule show pref N`'s line, empty when there is none.
  std::string rule(const char* family, int pref) const {
    return ns_.exec(std::string("ip ") + family + " rule show pref " + std::to_string(pref)).output;
  }
  std::string route(const char* family, const std::string& destination) const {
    return ns_.exec(std::string("ip ") + family + " route show table 300 " + destination).output;
  }
  bool hasVirtualRules() const {
    return !rule("-4", 2000).empty() && !rule("-4", 2001).empty() && !rule("-6", 2002).empty();
  }
  bool hasNoVirtualRule() const {
    return rule("-4", 2000).empty() && rule("-4", 2001).empty() && rule("-6", 2002).empty();
  }
  bool hasStatics() const {
    return !route("-4", "10.64.0.0/16").empty() && !route("-6", "fd00:64::/48").empty() &&
           !rule("-4", 3000).empty() && !rule("-6", 3001).empty();
  }
  bool hasNoStatic() const {
    return route("-4", "10.64.0.0/16").empty() && route("-6", "fd00:64::/48").empty() &&
           rule("-4", 3000).empty() && rule("-6", 3001).empty();
  }

 private:
  const NetNs& ns_;
};

class VirtualRulesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!runningAsRoot()) GTEST_SKIP() << "needs root for network namespaces";
    ASSERT_TRUE(bridge_.ok() && d1_.ok() && d2_.ok());
    char pattern[] = "/tmp/vigil-h6rules-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
    ASSERT_TRUE(plugIntoBridge(bridge_, d1_, "p1", kLab.first));
    ASSERT_TRUE(plugIntoBridge(bridge_, d2_, "p2", kLab.second));
    first_ = std::make_unique<RuleDirector>(d1_, dir_, "d1");
    second_ = std::make_unique<RuleDirector>(d2_, dir_, "d2");
  }
  void TearDown() override {
    first_.reset();
    second_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  // d1 alone at priority 200: MASTER with its VIP, its rules and the
  // static routing.
  void startFirstAsMaster() {
    first_->configure(200);
    ASSERT_TRUE(first_->start());
    ASSERT_TRUE(waitFor(10s, [&] {
      return first_->holdsVip() && first_->hasVirtualRules() && first_->hasStatics();
    })) << first_->log();
    const std::string fromVip = first_->rule("-4", 2000);
    EXPECT_NE(fromVip.find(std::string("from ") + kLab.vip + " lookup 200 proto keepalived"),
              std::string::npos)
        << fromVip;
    const std::string inverted = first_->rule("-4", 2001);
    for (const char* word : {"not from all to 10.65.0.0/16", "fwmark 0x7", "iif eth0",
                             "ipproto tcp", "dport 80-90", "prohibit"}) {
      EXPECT_NE(inverted.find(word), std::string::npos) << word << " in " << inverted;
    }
    const std::string v6 = first_->rule("-6", 2002);
    EXPECT_NE(v6.find("from fd00:65::/64 to fd00:66::/64 uidrange 1000-2000 lookup 200"),
              std::string::npos)
        << v6;
    EXPECT_NE(first_->rule("-6", 3001).find("fwmark 0x40/0xff lookup 300"), std::string::npos);
  }

  NetNs bridge_{"h6br"};
  NetNs d1_{"h6d1"};
  NetNs d2_{"h6d2"};
  std::string dir_;
  std::unique_ptr<RuleDirector> first_;
  std::unique_ptr<RuleDirector> second_;
};

TEST_F(VirtualRulesTest, RulesFollowMasterAndStaticRoutingStaysUntilAStop) {
  startFirstAsMaster();
  second_->configure(250);
  ASSERT_TRUE(second_->start());
  EXPECT_TRUE(waitFor(10s, [&] {
    return second_->holdsVip() && second_->hasVirtualRules() && second_->hasStatics();
  })) << second_->log();
  // d1 is BACKUP now: its virtual rules went, its static routing stays.
  EXPECT_TRUE(waitFor(5s, [&] { return !first_->holdsVip() && first_->hasNoVirtualRule(); }))
      << first_->log();
  EXPECT_TRUE(first_->hasStatics()) << first_->log();

  second_->signal(SIGTERM);
  ASSERT_TRUE(second_->reap(10s)) << second_->log();
  EXPECT_TRUE(second_->hasNoVirtualRule()) << second_->log();
  EXPECT_TRUE(second_->hasNoStatic()) << second_->log();
  EXPECT_TRUE(waitFor(10s, [&] { return first_->holdsVip() && first_->hasVirtualRules(); }))
      << first_->log();

  first_->signal(SIGTERM);
  ASSERT_TRUE(first_->reap(10s)) << first_->log();
  EXPECT_TRUE(first_->hasNoVirtualRule()) << first_->log();
  EXPECT_TRUE(first_->hasNoStatic()) << first_->log();
}

TEST_F(VirtualRulesTest, AReloadSwapsTheChangedRuleAndAWorkerDeathTakesTheRulesAway) {
  startFirstAsMaster();
  first_->configure(200, /*fwmark=*/9);
  first_->signal(SIGHUP);
  EXPECT_TRUE(waitFor(10s, [&] {
    return first_->rule("-4", 2001).find("fwmark 0x9") != std::string::npos;
  })) << first_->log();
  // The rule the reload dropped is gone (both carry pref 2001).
  EXPECT_EQ(first_->rule("-4", 2001).find("fwmark 0x7"), std::string::npos)
      << first_->rule("-4", 2001);
  EXPECT_FALSE(first_->rule("-4", 2000).empty());
  EXPECT_TRUE(first_->hasStatics());

  // The supervisor removes a dead worker's virtual rules with its VIPs; the
  // respawned worker becomes MASTER again and puts them back. The gap can
  // be shorter than a poll, so the kernel's rule events say that they went.
  NsProcess monitor(d1_, dir_ + "/monitor.log", {"ip", "-o", "monitor", "rule"});
  ASSERT_TRUE(monitor.start());
  // A marker rule shows when the monitor listens.
  ASSERT_TRUE(waitFor(5s, [&] {
    (void)d1_.exec("ip rule del pref 4000 2>/dev/null; ip rule add pref 4000 fwmark 4 table 4");
    return monitor.log().find("4000:") != std::string::npos;
  })) << monitor.log();
  const pid_t worker = first_->vrrpWorker();
  ASSERT_GT(worker, 0) << first_->log();
  ASSERT_EQ(::kill(worker, SIGKILL), 0);
  EXPECT_TRUE(waitFor(5s, [&] { return monitor.log().find("Deleted 2000:") != std::string::npos; }))
      << monitor.log();
  EXPECT_TRUE(waitFor(10s, [&] { return first_->holdsVip() && first_->hasVirtualRules(); }))
      << first_->log();
  EXPECT_TRUE(first_->hasStatics()) << first_->log();

  first_->signal(SIGTERM);
  ASSERT_TRUE(first_->reap(10s)) << first_->log();
  EXPECT_TRUE(first_->hasNoVirtualRule()) << first_->log();
  EXPECT_TRUE(first_->hasNoStatic()) << first_->log();
}

}  // namespace
}  // namespace vigil::test
