#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <string>

#include "support/netns.h"
#include "support/run_command.h"
#include "support/static_entries_lab.h"
#include "support/vrrp_lab.h"
#include "support/wait_for.h"

// A reload from a configuration without static entries to one with a static
// route, with a real vigild in a network namespace: the VRRP worker joined
// no rtnetlink group at start (nothing to watch), so the reload must join
// the route groups, or the route deleted behind its back afterwards would
// stay deleted. /metrics counts the restore.
namespace vigil::test {
namespace {

using namespace std::chrono_literals;

constexpr LabAddresses kLab{"10.67.0.100", "10.67.0.100/24", "10.67.0.1/24", "10.67.0.2/24", "-4",
                            "inet"};

std::string configWith(const std::string& statics) {
  return "global_defs {\n  metrics_listen 127.0.0.1:9650\n}\n" + statics +
         "vrrp_instance VI_1 {\n  state BACKUP\n  interface eth0\n"
         "  virtual_router_id 67\n  version 3\n  priority 200\n  advert_int 0.1\n"
         "  virtual_ipaddress {\n    " +
         std::string(kLab.vipPrefix) + "\n  }\n}\n";
}

// sx0 holds the static route's gateway subnet (not a static entry).
class StaticRoutesReloadTest : public StaticEntriesLab<LabVigild> {
 protected:
  StaticRoutesReloadTest() : StaticEntriesLab("srlb", "srl1", kLab, "10.67.1.1/24") {}

  std::string route() const { return d1_.exec("ip -4 route show 10.67.2.0/24").output; }
  std::string metrics() const {
    return d1_.exec("curl -s --max-time 2 http://127.0.0.1:9650/metrics").output;
  }
  bool hasMetric(const std::string& line) const {
    return ("\n" + metrics()).find("\n" + line + "\n") != std::string::npos;
  }
  std::string describe() const { return director_->log() + "\n/metrics:\n" + metrics(); }
};

TEST_F(StaticRoutesReloadTest, ARouteAddedByAReloadIsRestoredWhenDeleted) {
  director_->writeConfig(configWith(""));
  ASSERT_TRUE(director_->start());
  ASSERT_TRUE(waitFor(10s, [&] { return holdsVip(d1_, kLab); })) << describe();
  EXPECT_TRUE(waitFor(5s, [&] {
    return hasMetric(R"(vigil_vrrp_static_entries_restored_total{kind="static_routes"} 0)");
  })) << describe();

  director_->writeConfig(
      configWith("static_routes {\n  10.67.2.0/24 via 10.67.1.254 dev sx0\n}\n"));
  director_->signal(SIGHUP);
  ASSERT_TRUE(waitFor(10s, [&] { return !route().empty(); })) << describe();
  EXPECT_NE(route().find("via 10.67.1.254 dev sx0 proto keepalived"), std::string::npos) << route();

  ASSERT_EQ(d1_.exec("ip route del 10.67.2.0/24").exitCode, 0);
  EXPECT_TRUE(waitFor(5s, [&] { return !route().empty(); })) << describe();
  EXPECT_TRUE(waitFor(5s, [&] {
    return hasMetric(R"(vigil_vrrp_static_entries_restored_total{kind="static_routes"} 1)");
  })) << describe();
  EXPECT_TRUE(hasMetric("vigil_vrrp_netlink_group_join_failures_total 0")) << describe();
  EXPECT_TRUE(holdsVip(d1_, kLab)) << describe();

  director_->signal(SIGTERM);
  ASSERT_TRUE(director_->reap(10s)) << describe();
  EXPECT_TRUE(route().empty()) << describe();
}

}  // namespace
}  // namespace vigil::test
