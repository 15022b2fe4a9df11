#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/director_pair.h"
#include "support/netns.h"
#include "support/run_command.h"
#include "support/vrrp_lab.h"
#include "support/wait_for.h"

// vigild's SNMP traps and VRRPv3-MIB against Debian's snmpd (AgentX master,
// forwarding notifications with trap2sink) and snmptrapd (logging them with
// numeric OIDs), all in the router's namespace. A VRRP pair runs at
// advert_int 0.1 on a bridge; the router under test ("master") has the
// higher priority and one real server, a TCP listener the test starts.
//
// 1. The master comes up, becomes MASTER: snmptrapd logs
//    vrrpInstanceStateChange (state master(2)) and vrrpv3NewMaster; snmpwalk
//    shows its vrrpv3OperationsTable row (ifIndex, VRID 77, ipv4) as master(3)
//    and its VIP in vrrpv3AssociatedIpAddrTable.
// 2. The real server stops: snmptrapd logs realServerStateChange, dead(2).
// 3. snmpd is SIGSTOPped for 3 s while the real server comes back (a trap to
//    send) and a walk is attempted: the master's VRRP loop-lateness histogram
//    gains no sample above 100 ms (one advert interval), neither router
//    changes state, and the queued trap arrives once snmpd runs again.
namespace vigil::test {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr int kMetricsPort = 19644;
constexpr int kRealServerPort = 18080;
const std::string kRealServer = "127.0.0.1";

const std::string kTrapOid = ".1.3.6.1.6.3.1.1.4.1.0 = OID: ";
const std::string kInstanceStateChange = ".1.3.6.1.4.1.9586.100.5.2.10.0.2";
const std::string kRealServerStateChange = ".1.3.6.1.4.1.9586.100.5.3.5.0.1";
const std::string kNewMaster = ".1.3.6.1.2.1.207.0.1";
const std::string kOperationsTable = ".1.3.6.1.2.1.207.1.1.1";
const std::string kAssociatedTable = ".1.3.6.1.2.1.207.1.1.2";
const std::string kStatisticsTable = ".1.3.6.1.2.1.207.1.2.5";

std::string readFile(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The value of the series written exactly as `series` (name and labels).
std::optional<double> sample(const std::string& text, const std::string& series) {
  const std::string key = "\n" + series + " ";
  const size_t at = ("\n" + text).find(key);
  if (at == std::string::npos) return std::nullopt;
  return std::strtod(text.c_str() + at + key.size() - 1, nullptr);
}

// An instance's series: the label is `vrrp_instance` (or `instance`, its
// earlier name).
std::optional<double> instanceSample(const std::string& text, const std::string& metric,
                                     const std::string& moreLabels = "") {
  for (const char* label : {"vrrp_instance", "instance"}) {
    if (auto v = sample(text, metric + "{" + label + "=\"VI_H4\"" + moreLabels + "}")) return v;
  }
  return std::nullopt;
}

// Occurrences of `needle` in `text`.
size_t count(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

std::string routerConfig(int priority, const std::string& snmpSocket) {
  std::ostringstream c;
  c << "global_defs {\n  router_id h4lab\n  dataplane none\n";
  c << "  metrics_listen 127.0.0.1:" << kMetricsPort << "\n";
  if (!snmpSocket.empty()) {
    c << "  enable_snmp_vrrp\n  enable_snmp_checker\n  enable_snmp_rfcv3\n  enable_traps\n"
      << "  snmp_socket unix:" << snmpSocket << "\n";
  }
  c << "}\n"
    << "vrrp_instance VI_H4 {\n  state BACKUP\n  interface eth0\n  virtual_router_id 77\n"
    << "  version 3\n  priority " << priority << "\n  advert_int 0.1\n"
    << "  virtual_ipaddress {\n    198.51.100.77/24\n  }\n}\n";
  if (!snmpSocket.empty()) {
    c << "virtual_server 198.51.100.77 80 {\n  delay_loop 0.2\n  protocol TCP\n"
      << "  real_server " << kRealServer << " " << kRealServerPort << " {\n"
      << "    TCP_CHECK {\n      connect_timeout 0.5\n      retry 0\n      warmup 0\n    }\n"
      << "  }\n}\n";
  }
  return c.str();
}

class SnmpTrapsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!runningAsRoot()) GTEST_SKIP() << "needs root for network namespaces";
    if (runCommand("command -v snmpd && command -v snmpwalk && command -v snmptrapd").exitCode !=
        0) {
      GTEST_SKIP() << "snmpd/snmpwalk/snmptrapd not installed (scripts/deps.sh installs them)";
    }
    ASSERT_TRUE(bridge_.ok() && master_.ok() && backup_.ok());
    ASSERT_TRUE(plugIntoBridge(bridge_, master_, "h4p1", "198.51.100.1/24"));
    ASSERT_TRUE(plugIntoBridge(bridge_, backup_, "h4p2", "198.51.100.2/24"));
    dir_ = fs::temp_directory_path() / ("h4-" + master_.name());
    fs::create_directories(dir_);
    std::ofstream(path("snmpd.conf")) << "master agentx\n"
                                      << "agentXSocket unix:" << path("agentx") << "\n"
                                      << "agentaddress udp:127.0.0.1:1161\n"
                                      << "rocommunity public 127.0.0.1\n"
                                      << "trap2sink 127.0.0.1:1162 public\n";
    std::ofstream(path("snmptrapd.conf")) << "disableAuthorization yes\n";
    std::ofstream(path("master.conf")) << routerConfig(200, path("agentx"));
    std::ofstream(path("backup.conf")) << routerConfig(100, "");
    std::ofstream(path("server.py")) << acceptingServerScript(kRealServer, kRealServerPort);
  }

  void TearDown() override {
    if (!dir_.empty()) {
      std::error_code ignored;
      fs::remove_all(dir_, ignored);
    }
  }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  std::vector<std::string> vigildArgs(const std::string& name) const {
    return directorArgs(dir_, name);
  }

  std::string metricsOf(const NetNs& ns) const {
    return ns
        .exec("curl -s --max-time 2 http://127.0.0.1:" + std::to_string(kMetricsPort) + "/metrics")
        .output;
  }

  std::string walk(const std::string& oid) const {
    return master_.exec("snmpwalk -On -v2c -c public -t 1 -r 0 udp:127.0.0.1:1161 " + oid).output;
  }

  std::string traps() const { return readFile(path("traps.log")); }

  // Whether snmptrapd logged `count` or more notifications of type `trap`.
  bool trapsLogged(const std::string& trap, size_t atLeast) const {
    return count(traps(), kTrapOid + trap) >= atLeast;
  }

  NetNs bridge_{"h4br"};
  NetNs master_{"h4m"};
  NetNs backup_{"h4b"};
  fs::path dir_;
};

TEST_F(SnmpTrapsTest, TrapsAndVrrpv3TablesAndAStoppedSnmpdNeverDelaysVrrp) {
  NsProcess trapd(master_, path("snmptrapd.out"),
                  {"/usr/sbin/snmptrapd", "-f", "-C", "-c", path("snmptrapd.conf"), "-n", "-On",
                   "-Lf", path("traps.log"), "udp:127.0.0.1:1162"});
  NsProcess snmpd(master_, path("snmpd.out"),
                  {"/usr/sbin/snmpd", "-f", "-C", "-c", path("snmpd.conf"), "-Lf",
                   path("snmpd.log"), "-p", path("snmpd.pid")});
  NsProcess server(master_, path("server.out"), {"/usr/bin/python3", path("server.py")});
  ASSERT_TRUE(trapd.start() && snmpd.start() && server.start());
  ASSERT_TRUE(waitFor(seconds(10), [&] {
    return master_.exec("test -S " + path("agentx")).exitCode == 0 &&
           master_.exec("ss -lnt | grep -q :" + std::to_string(kRealServerPort)).exitCode == 0;
  })) << readFile(path("snmpd.log"));

  // 1. Becoming MASTER: both notifications, and the VRRPv3 rows.
  NsProcess master(master_, path("master.log"), vigildArgs("master"));
  ASSERT_TRUE(master.start());
  ASSERT_TRUE(
      waitFor(seconds(20),
              [&] { return trapsLogged(kInstanceStateChange, 1) && trapsLogged(kNewMaster, 1); }))
      << traps() << "\nvigild:\n"
      << master.log();
  const std::string logged = traps();
  EXPECT_NE(logged.find(".1.3.6.1.4.1.9586.100.5.2.3.1.2.1 = STRING: \"VI_H4\""), std::string::npos)
      << logged;
  EXPECT_NE(logged.find(".1.3.6.1.4.1.9586.100.5.2.3.1.4.1 = INTEGER: 2"), std::string::npos)
      << logged;
  EXPECT_NE(logged.find(".1.3.6.1.4.1.9586.100.5.1.2.0 = STRING: \"h4lab\""), std::string::npos)
      << logged;

  const std::string ifIndex = master_.exec("cat /sys/class/net/eth0/ifindex").output;
  ASSERT_FALSE(ifIndex.empty());
  const std::string row = "." + ifIndex.substr(0, ifIndex.find('\n')) + ".77.1";
  EXPECT_NE(logged.find(".1.3.6.1.2.1.207.1.2.5.1.2" + row + " = INTEGER: 3"), std::string::npos)
      << logged;  // vrrpv3StatisticsNewMasterReason masterNoResponse(3)

  std::string operations;
  ASSERT_TRUE(waitFor(seconds(10), [&] {
    operations = walk(kOperationsTable);
    return operations.find(kOperationsTable + ".1.6" + row + " = INTEGER: 3") != std::string::npos;
  })) << operations;
  EXPECT_NE(operations.find(kOperationsTable + ".1.4" + row + " = Hex-STRING: C6 33 64 01"),
            std::string::npos)
      << operations;  // primary address 198.51.100.1
  EXPECT_NE(operations.find(kOperationsTable + ".1.9" + row + " = INTEGER: 10"), std::string::npos)
      << operations;  // 10 centiseconds
  const std::string associated = walk(kAssociatedTable);
  EXPECT_NE(associated.find(kAssociatedTable + ".1.2" + row + ".4.198.51.100.77 = INTEGER: 1"),
            std::string::npos)
      << associated;
  const std::string statistics = walk(kStatisticsTable);
  EXPECT_NE(statistics.find(kStatisticsTable + ".1.1" + row + " = Counter32: 1"), std::string::npos)
      << statistics;

  // 2. The real server stops.
  ASSERT_TRUE(waitFor(seconds(10), [&] {
    return walk(".1.3.6.1.4.1.9586.100.5.3.4.1.6.1.1").find("INTEGER: 1") != std::string::npos;
  })) << master.log();
  // The check worker may have reported the server down before its first
  // check passed: that change was a trap too.
  const size_t rsTraps = count(traps(), kTrapOid + kRealServerStateChange);
  server.killGroup();
  ASSERT_TRUE(server.reap(seconds(5)));
  ASSERT_TRUE(
      waitFor(seconds(15), [&] { return trapsLogged(kRealServerStateChange, rsTraps + 1); }))
      << traps() << "\nvigild:\n"
      << master.log();
  EXPECT_NE(traps().find(".1.3.6.1.4.1.9586.100.5.3.4.1.6.1.1 = INTEGER: 2"), std::string::npos)
      << traps();

  // 3. The peer joins as BACKUP; then snmpd stops for 3 s.
  NsProcess backup(backup_, path("backup.log"), vigildArgs("backup"));
  ASSERT_TRUE(backup.start());
  auto state = [](const std::string& metrics, const char* name) {
    return instanceSample(metrics, "vigil_vrrp_instance_state",
                          std::string(",state=\"") + name + "\"");
  };
  auto transitions = [](const std::string& metrics) {
    return instanceSample(metrics, "vigil_vrrp_instance_transitions_total");
  };
  std::string backupMetrics;
  ASSERT_TRUE(waitFor(seconds(15),
                      [&] {
                        backupMetrics = metricsOf(backup_);
                        return state(backupMetrics, "BACKUP") == 1.0;
                      }))
      << backupMetrics << backup.log();
  const std::string before = metricsOf(master_);
  const auto masterTransitions = transitions(before);
  const auto backupTransitions = transitions(metricsOf(backup_));
  const auto lateCount = sample(before, "vigil_vrrp_loop_lateness_seconds_count");
  const auto lateFast = sample(before, "vigil_vrrp_loop_lateness_seconds_bucket{le=\"0.1\"}");
  ASSERT_TRUE(masterTransitions && backupTransitions && lateCount && lateFast) << before;

  snmpd.signal(SIGSTOP);
  NsProcess restarted(master_, path("server2.out"), {"/usr/bin/python3", path("server.py")});
  ASSERT_TRUE(restarted.start());
  EXPECT_EQ(walk(kOperationsTable).find("INTEGER: 3"), std::string::npos);  // no answer
  // The stop's length is what is under test, not a wait for an outcome.
  std::this_thread::sleep_for(seconds(3));
  const std::string during = metricsOf(master_);
  snmpd.signal(SIGCONT);

  // A snapshot taken after the stop ended (snapshots come every 1 s).
  std::string after;
  ASSERT_TRUE(waitFor(seconds(5), [&] {
    after = metricsOf(master_);
    return sample(after, "vigil_vrrp_loop_lateness_seconds_count") >
           sample(during, "vigil_vrrp_loop_lateness_seconds_count");
  })) << after;
  const double samples = *sample(after, "vigil_vrrp_loop_lateness_seconds_count") - *lateCount;
  const double fast =
      *sample(after, "vigil_vrrp_loop_lateness_seconds_bucket{le=\"0.1\"}") - *lateFast;
  EXPECT_GE(samples, 10);  // one per timer the master's loop fires (adverts every 0.1 s)
  EXPECT_EQ(samples, fast) << after;
  EXPECT_EQ(state(after, "MASTER"), 1.0);
  EXPECT_EQ(transitions(after), masterTransitions);
  EXPECT_EQ(transitions(metricsOf(backup_)), backupTransitions);

  // The real server's recovery, noticed while snmpd was stopped, is
  // delivered once it runs again.
  EXPECT_TRUE(waitFor(seconds(15), [&] {
    return trapsLogged(kRealServerStateChange, rsTraps + 2);
  })) << traps();

  master.signal(SIGTERM);
  backup.signal(SIGTERM);
  EXPECT_TRUE(master.reap(seconds(10))) << master.log();
  EXPECT_TRUE(backup.reap(seconds(10))) << backup.log();
}

}  // namespace
}  // namespace vigil::test
