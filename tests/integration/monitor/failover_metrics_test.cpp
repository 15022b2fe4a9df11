#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "support/director_pair.h"
#include "support/netns.h"
#include "support/prometheus_scrape.h"
#include "support/run_command.h"
#include "support/vrrp_lab.h"
#include "support/wait_for.h"

// Two vigild directors on a bridge, each checking the same real server (a
// TCP listener in a namespace of its own on the bridge), read only through
// /metrics as the Prometheus client library parses it (and one scrape
// through `promtool check metrics`, Prometheus' own linter):
//
// 1. The higher-priority director is MASTER, the other BACKUP; both see the
//    real server up.
// 2. The master dies: every process of its vigild is SIGKILLed (no
//    priority-0 advert, as when a machine fails). The backup's scrape shows
//    it MASTER, its transitions counters up by the takeover.
// 3. The real server stops: the surviving director's scrape shows it down.
namespace vigil::test {
namespace {

namespace fs = std::filesystem;
using std::chrono::seconds;

constexpr uint16_t kMetricsPort = 19658;
constexpr uint16_t kRealServerPort = 18258;
constexpr const char* kRealServer = "203.0.113.10";
constexpr const char* kVs = "[203.0.113.88]:tcp:80";
const std::map<std::string, std::string> kInstance = {{"vrrp_instance", "VI_h8"}};

std::map<std::string, std::string> instanceIn(const std::string& state) {
  return {{"vrrp_instance", "VI_h8"}, {"state", state}};
}

const std::map<std::string, std::string> kRealServerLabels = {
    {"virtual_server", kVs}, {"real_server", std::string(kRealServer) + ":18258"}};

// Where scripts/deps.sh leaves promtool (VIGIL_PROMTOOL overrides), or one
// on PATH; empty when there is none.
std::string promtool() {
  const char* env = std::getenv("VIGIL_PROMTOOL");
  for (const std::string& candidate :
       {std::string(env ? env : ""), std::string("/var/cache/vigil/promtool/promtool")}) {
    if (!candidate.empty() && ::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  CommandResult which = runCommand("command -v promtool", false);
  if (which.exitCode != 0) return "";
  return which.output.substr(0, which.output.find('\n'));
}

std::string directorConfig(const std::string& routerId, int priority) {
  std::ostringstream c;
  c << "global_defs {\n  router_id " << routerId << "\n  dataplane none\n"
    << "  metrics_listen 127.0.0.1:" << kMetricsPort << "\n}\n"
    << "vrrp_instance VI_h8 {\n  state BACKUP\n  interface eth0\n  virtual_router_id 88\n"
    << "  version 3\n  priority " << priority << "\n  advert_int 0.1\n"
    << "  virtual_ipaddress {\n    203.0.113.88/24\n  }\n}\n"
    << "virtual_server 203.0.113.88 80 {\n  delay_loop 0.2\n  protocol TCP\n"
    << "  real_server " << kRealServer << " " << kRealServerPort << " {\n"
    << "    TCP_CHECK {\n      connect_timeout 0.5\n      retry 0\n      warmup 0\n    }\n"
    << "  }\n}\n";
  return c.str();
}

// Whether `pid` no longer runs (gone, or a zombie nobody reaped yet).
bool processGone(pid_t pid) {
  if (::kill(pid, 0) != 0) return true;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), {});
  const size_t paren = text.rfind(')');
  return paren == std::string::npos || text.compare(paren + 2, 1, "Z") == 0;
}

class FailoverMetricsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!runningAsRoot()) GTEST_SKIP() << "needs root for network namespaces";
    if (runCommand("/usr/bin/python3 -c 'import prometheus_client'").exitCode != 0) {
      GTEST_SKIP() << "python3-prometheus-client is not installed (scripts/deps.sh)";
    }
    ASSERT_TRUE(bridge_.ok() && master_.ok() && backup_.ok() && server_.ok());
    ASSERT_TRUE(plugIntoBridge(bridge_, master_, "h8p1", "203.0.113.1/24"));
    ASSERT_TRUE(plugIntoBridge(bridge_, backup_, "h8p2", "203.0.113.2/24"));
    ASSERT_TRUE(plugIntoBridge(bridge_, server_, "h8p3", std::string(kRealServer) + "/24"));
    dir_ = fs::temp_directory_path() / ("h8-" + master_.name());
    fs::create_directories(dir_);
    std::ofstream(path("master.conf")) << directorConfig("h8master", 200);
    std::ofstream(path("backup.conf")) << directorConfig("h8backup", 100);
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

  pid_t pidFrom(const std::string& name) const {
    std::ifstream in(path(name));
    pid_t pid = 0;
    in >> pid;
    return pid;
  }

  PrometheusScrape scrape(const NetNs& ns) const { return PrometheusScrape::of(ns, kMetricsPort); }

  NetNs bridge_{"h8br"};
  NetNs master_{"h8m"};
  NetNs backup_{"h8b"};
  NetNs server_{"h8rs"};
  fs::path dir_;
};

TEST_F(FailoverMetricsTest, BackupsScrapeFollowsTheMastersDeathAndTheRealServersStop) {
  NsProcess realServer(server_, path("server.out"), {"/usr/bin/python3", path("server.py")});
  ASSERT_TRUE(realServer.start());
  ASSERT_TRUE(waitFor(seconds(10), [&] {
    return server_.exec("ss -lnt | grep -q :" + std::to_string(kRealServerPort)).exitCode == 0;
  }));

  // 1. The master first, so it wins at once; then the backup joins.
  NsProcess master(master_, path("master.log"), vigildArgs("master"));
  ASSERT_TRUE(master.start());
  ASSERT_TRUE(waitFor(seconds(15),
                      [&] {
                        const PrometheusScrape s = scrape(master_);
                        return s.value("vigil_vrrp_instance_state", instanceIn("MASTER")) == 1.0 &&
                               s.value("vigil_real_server_up", kRealServerLabels) == 1.0;
                      }))
      << scrape(master_).describe() << master.log();
  NsProcess backup(backup_, path("backup.log"), vigildArgs("backup"));
  ASSERT_TRUE(backup.start());
  ASSERT_TRUE(waitFor(seconds(15),
                      [&] {
                        const PrometheusScrape s = scrape(backup_);
                        return s.value("vigil_vrrp_instance_state", instanceIn("BACKUP")) == 1.0 &&
                               s.value("vigil_real_server_up", kRealServerLabels) == 1.0;
                      }))
      << scrape(backup_).describe() << backup.log();
  EXPECT_EQ(scrape(master_).value("vigil_vrrp_instance_state", instanceIn("MASTER")), 1.0);

  // Prometheus' own linter takes the backup's body as it is served.
  const std::string tool = promtool();
  if (!tool.empty()) {
    const nlohmann::json body = scrapeHelper(backup_, kMetricsPort, "get", "/metrics");
    ASSERT_EQ(body.value("status", 0), 200) << body.dump();
    std::ofstream(path("backup.prom")) << body.value("body", "");
    const CommandResult lint = runCommand(tool + " check metrics < " + path("backup.prom"));
    EXPECT_EQ(lint.exitCode, 0) << lint.output;
  }

  const PrometheusScrape before = scrape(backup_);
  ASSERT_TRUE(before.ok()) << before.describe();
  const double transitions =
      before.value("vigil_vrrp_instance_transitions_total", kInstance).value_or(-1);
  const double masterTransitions =
      before.value("vigil_vrrp_instance_master_transitions_total", kInstance).value_or(-1);
  ASSERT_GE(transitions, 1.0) << before.describe();  // INIT -> BACKUP
  ASSERT_EQ(masterTransitions, 0.0) << before.describe();

  // 2. The master's machine "fails": its supervisor and both workers are
  // SIGKILLed at once (one signal to the process group they share), so none
  // can send a priority-0 advert or be respawned.
  const std::vector<pid_t> masterPids = {pidFrom("master.pid"), pidFrom("master-vrrp.pid"),
                                         pidFrom("master-check.pid")};
  for (pid_t pid : masterPids) ASSERT_GT(pid, 0) << master.log();
  master.killGroup();
  ASSERT_TRUE(master.reap(seconds(5)));
  EXPECT_TRUE(waitFor(seconds(5), [&] {
    for (pid_t pid : masterPids) {
      if (!processGone(pid)) return false;
    }
    return true;
  }));

  ASSERT_TRUE(waitFor(seconds(10),
                      [&] {
                        return scrape(backup_).value("vigil_vrrp_instance_state",
                                                     instanceIn("MASTER")) == 1.0;
                      }))
      << scrape(backup_).describe() << backup.log();
  const PrometheusScrape after = scrape(backup_);
  EXPECT_EQ(after.value("vigil_vrrp_instance_state", instanceIn("BACKUP")), 0.0);
  EXPECT_GT(after.value("vigil_vrrp_instance_transitions_total", kInstance).value_or(0),
            transitions)
      << after.describe();
  EXPECT_EQ(after.value("vigil_vrrp_instance_master_transitions_total", kInstance), 1.0)
      << after.describe();
  EXPECT_EQ(after.value("vigil_real_server_up", kRealServerLabels), 1.0);

  // 3. The real server stops: the surviving director sees it go down.
  realServer.killGroup();
  ASSERT_TRUE(realServer.reap(seconds(5)));
  EXPECT_TRUE(waitFor(seconds(10), [&] {
    const PrometheusScrape s = scrape(backup_);
    return s.value("vigil_real_server_up", kRealServerLabels) == 0.0 &&
           s.value("vigil_virtual_server_real_servers_up", {{"virtual_server", kVs}}) == 0.0;
  })) << scrape(backup_).describe();
  EXPECT_EQ(scrape(backup_).value("vigil_vrrp_instance_state", instanceIn("MASTER")), 1.0);

  backup.signal(SIGTERM);
  EXPECT_TRUE(backup.reap(seconds(10))) << backup.log();
  // Everything else ran, and that is what this test is for: it passes, with
  // the missing linter on record (XML property) and in the log rather than
  // a skip that would hide the pass.
  if (tool.empty()) {
    RecordProperty("promtool", "not found: `promtool check metrics` not run");
    std::cerr << "NOTE: promtool not found, `promtool check metrics` not run (scripts/deps.sh "
                 "fetches it to /var/cache/vigil/promtool/promtool)\n";
  } else {
    RecordProperty("promtool", tool);
  }
}

}  // namespace
}  // namespace vigil::test
