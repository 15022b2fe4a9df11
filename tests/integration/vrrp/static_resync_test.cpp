#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <fstream>
#include <string>

#include "support/netns.h"
#include "support/run_command.h"
#include "support/static_entries_lab.h"
#include "support/vrrp_lab.h"
#include "support/wait_for.h"

// A real ENOBUFS, with a real vigild in a network namespace: the VRRP worker
// is stopped (SIGSTOP) while a few thousand address changes on a spare
// interface overflow its rtnetlink socket, and then its static route and
// rule are deleted: those deletions are dropped with the rest. Continued,
// the worker finds the loss, reads the kernel's routes and rules again and
// adds back the two it lacks, each exactly once (a rule added blindly would
// be there twice). The stop is kept short, so the VIP (lifetime 2 s) stays.
namespace vigil::test {
namespace {

using namespace std::chrono_literals;

constexpr LabAddresses kLab{"10.68.0.100", "10.68.0.100/24", "10.68.0.1/24", "10.68.0.2/24", "-4",
                            "inet"};
constexpr int kFloodAddresses = 2000;

std::string config() {
  return "global_defs {\n  metrics_listen 127.0.0.1:9651\n}\n"
         "static_routes {\n  10.68.2.0/24 via 10.68.1.254 dev sx0\n"
         "  10.68.3.0/24 via 10.68.1.253 dev sx0 table 100 metric 5\n}\n"
         "static_rules {\n  from 10.68.2.0/24 table 100 pref 500\n"
         "  from 10.68.3.0/24 table 100\n}\n"
         "vrrp_instance VI_1 {\n  state BACKUP\n  interface eth0\n"
         "  virtual_router_id 68\n  version 3\n  priority 200\n  advert_int 0.1\n"
         "  virtual_ipaddress {\n    " +
         std::string(kLab.vipPrefix) + "\n  }\n}\n";
}

// sx0 holds the static route's gateway subnet; fl0 takes the flood (a veth,
// as a dummy interface would: not every kernel has the module).
class StaticResyncTest : public StaticEntriesLab<LabVigild> {
 protected:
  StaticResyncTest() : StaticEntriesLab("h3rsb", "h3rs1", kLab, "10.68.1.1/24") {}

  void SetUp() override {
    StaticEntriesLab::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    ASSERT_EQ(d1_.exec("ip link add fl0 type veth peer name fl1 && ip link set fl1 up && ip link "
                       "set fl0 up")
                  .exitCode,
              0);
    // Each add and delete of a /32 is a local route added and deleted: two
    // notifications in the route group the worker listens to.
    std::ofstream batch(dir_ + "/flood");
    for (int i = 0; i < kFloodAddresses; ++i) {
      batch << "addr add 10.69." << i / 250 << "." << i % 250 + 1 << "/32 dev fl0\n";
    }
    for (int i = 0; i < kFloodAddresses; ++i) {
      batch << "addr del 10.69." << i / 250 << "." << i % 250 + 1 << "/32 dev fl0\n";
    }
  }

  std::string route() const { return d1_.exec("ip -4 route show 10.68.2.0/24").output; }
  std::string rules() const { return d1_.exec("ip -4 rule show pref 500").output; }
  // The entries the loss did not hide: found in the kernel's tables, so not
  // added again (the rule has no pref: a blind add would stack a copy).
  std::string untouched() const {
    return d1_.exec("ip -4 rule show from 10.68.3.0/24; ip -4 route show table 100").output;
  }
  std::string metrics() const {
    return d1_.exec("curl -s --max-time 2 http://127.0.0.1:9651/metrics").output;
  }
  bool hasMetric(const std::string& line) const {
    return ("\n" + metrics()).find("\n" + line + "\n") != std::string::npos;
  }
  std::string describe() const {
    return director_->log() + "\nroute: " + route() + "\nrules: " + rules() +
           "\nuntouched: " + untouched() + "\n/metrics:\n" + metrics();
  }
};

size_t lines(const std::string& text) {
  size_t count = 0;
  for (char c : text) count += c == '\n' ? 1 : 0;
  return count;
}

TEST_F(StaticResyncTest, ARouteAndRuleDeletedDuringAnOverflowComeBackOnce) {
  director_->writeConfig(config());
  ASSERT_TRUE(director_->start());
  ASSERT_TRUE(waitFor(10s, [&] { return holdsVip(d1_, kLab); })) << describe();
  ASSERT_TRUE(waitFor(5s, [&] {
    return !route().empty() && lines(rules()) == 1 && lines(untouched()) == 2;
  })) << describe();
  ASSERT_TRUE(waitFor(5s, [&] { return hasMetric("vigil_vrrp_static_resyncs_total 0"); }))
      << describe();
  const pid_t worker = director_->vrrpWorker();
  ASSERT_GT(worker, 0);

  const auto stoppedAt = std::chrono::steady_clock::now();
  ASSERT_EQ(::kill(worker, SIGSTOP), 0);
  const CommandResult flood = d1_.exec("ip -batch " + dir_ + "/flood");
  const CommandResult deleted =
      d1_.exec("ip route del 10.68.2.0/24 && ip rule del pref 500 from 10.68.2.0/24 table 100");
  ASSERT_EQ(::kill(worker, SIGCONT), 0);
  const auto stopped = std::chrono::steady_clock::now() - stoppedAt;
  ASSERT_EQ(flood.exitCode, 0) << flood.output;
  ASSERT_EQ(deleted.exitCode, 0) << deleted.output;

  EXPECT_TRUE(waitFor(5s, [&] {
    return !hasMetric("vigil_vrrp_deletion_notifications_lost_total 0") &&
           !hasMetric("vigil_vrrp_static_resyncs_total 0");
  })) << describe();
  EXPECT_TRUE(waitFor(5s, [&] { return !route().empty(); })) << describe();
  EXPECT_NE(route().find("via 10.68.1.254 dev sx0 proto keepalived"), std::string::npos)
      << describe();
  EXPECT_TRUE(waitFor(5s, [&] {
    return hasMetric(R"(vigil_vrrp_static_entries_restored_total{kind="static_rules"} 1)");
  })) << describe();
  EXPECT_TRUE(hasMetric(R"(vigil_vrrp_static_entries_restored_total{kind="static_routes"} 1)"))
      << describe();
  EXPECT_EQ(lines(rules()), 1u) << describe();  // not added twice
  EXPECT_EQ(lines(untouched()), 2u) << untouched();
  EXPECT_TRUE(hasMetric("vigil_vrrp_static_resync_failures_total 0")) << describe();
  EXPECT_TRUE(holdsVip(d1_, kLab))
      << "stopped for " << std::chrono::duration_cast<std::chrono::milliseconds>(stopped).count()
      << " ms\n"
      << describe();

  director_->signal(SIGTERM);
  ASSERT_TRUE(director_->reap(10s)) << describe();
  EXPECT_TRUE(route().empty()) << describe();
  EXPECT_EQ(lines(rules()), 0u) << describe();
}

}  // namespace
}  // namespace vigil::test
