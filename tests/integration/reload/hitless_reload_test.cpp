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

#include "support/metrics_text.h"
#include "support/netns.h"
#include "support/run_command.h"
#include "support/test_paths.h"
#include "support/vrrp_lab.h"
#include "support/wait_for.h"

// Issue 7, the VRRP side of a hitless reload: two vigild directors on a
// bridge (VRRPv3, advert_int 0.05); the master is sent SIGHUP 100 times,
// alternating two files that differ by one VIP and one real server, while a
// client keeps TCP connections to a server on the VIP busy. Nothing may
// notice: no VRRP transition on either director, no reset or stall on the
// connections, no flap of the real server both files share, the
// supervisor's and the workers' memory stays put, and the VRRP loop is never
// late by more than 0.1 s (its lateness histogram on the master's /metrics).
// A broken file changes nothing but the log.
namespace vigil::test {
namespace {

using namespace std::chrono_literals;

constexpr const char* kVip = "10.12.0.100";
constexpr const char* kExtraVip = "10.12.0.101";
constexpr const char* kRealServer = "10.12.0.10";
constexpr uint16_t kKeptPort = 18201;   // in both files
constexpr uint16_t kAddedPort = 18202;  // in file B only
constexpr uint16_t kEchoPort = 18300;
constexpr int kReloads = 100;
constexpr int kConnections = 3;
// Growth of a worker's VmRSS across the reloads (after a warm-up of
// kWarmup reloads, which lets the allocator reach its working set).
constexpr long kRssBoundKb = 1024;
constexpr int kWarmup = 10;
constexpr int kMetricsPort = 19712;
// The VRRP worker's loop-lateness histogram: one sample per timer its loop
// fires (an advert every 50 ms here, the 1 s snapshot, a 5 s probe floor).
// A sample above 0.1 s (two advert intervals here) is a stall of the VRRP
// timing that a reload must not cause.
constexpr const char* kLateCount = "vigil_vrrp_loop_lateness_seconds_count";
constexpr const char* kLateFast = "vigil_vrrp_loop_lateness_seconds_bucket{le=\"0.1\"}";
constexpr const char* kLateAll = "vigil_vrrp_loop_lateness_seconds_bucket{le=\"+Inf\"}";

size_t count(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
    ++n;
  }
  return n;
}

std::string readFile(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// VmRSS in kB of the process whose pid is in `pidFile`; nullopt if unknown.
std::optional<long> rssKb(const std::string& pidFile) {
  const std::string pid = readFile(pidFile);
  if (pid.empty()) return std::nullopt;
  std::istringstream status(
      readFile("/proc/" + std::to_string(std::atol(pid.c_str())) + "/status"));
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
  }
  return std::nullopt;
}

// The loop-lateness samples between two scrapes: all of them, and those at
// or under 0.1 s; nullopt if either scrape lacks the histogram (it failed).
std::optional<LoopLateness> lateBetween(const std::string& before, const std::string& after) {
  const std::optional<LoopLateness> from = loopLateness(before);
  const std::optional<LoopLateness> to = loopLateness(after);
  if (!from || !to) return std::nullopt;
  return LoopLateness{to->count - from->count, to->upTo100ms - from->upTo100ms};
}

// Exits 0 once the master's /status (port argv[1]) reports a refused reload
// (last_reload.ok false) and a VRRP worker snapshot taken at least argv[2]
// seconds after it; prints how far after.
constexpr const char* kSnapshotAfterRefusedReload = R"py(
import json, sys, time, urllib.request
status = json.load(urllib.request.urlopen("http://127.0.0.1:%s/status" % sys.argv[1], timeout=2))
reload = status.get("last_reload") or {}
if reload.get("ok") is not False:
    print("no refused reload reported: %s" % reload)
    sys.exit(1)
vrrp = [w for w in status["workers"] if w["name"] == "vrrp"][0]
taken = time.time() - vrrp["snapshot_seconds_ago"]
print("vrrp snapshot %.3f s after the refused reload" % (taken - reload["time"]))
sys.exit(0 if taken >= reload["time"] + float(sys.argv[2]) else 1)
)py";

std::vector<std::string> python(const std::string& code) { return {"python3", "-c", code}; }

// Accepts and closes: enough for TCP_CHECK.
std::vector<std::string> acceptServer(uint16_t port) {
  return python(
      "import socket\n"
      "s = socket.socket()\n"
      "s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
      "s.bind(('0.0.0.0', " +
      std::to_string(port) +
      "))\n"
      "s.listen(64)\n"
      "while True:\n"
      "    c, _ = s.accept()\n"
      "    c.close()\n");
}

// Echoes every connection on the VIP.
std::vector<std::string> echoServer() {
  return python(std::string("import socket, threading\n"
                            "s = socket.socket()\n"
                            "s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
                            "s.bind(('") +
                kVip + "', " + std::to_string(kEchoPort) +
                "))\n"
                "s.listen(16)\n"
                "def serve(c):\n"
                "    while True:\n"
                "        d = c.recv(4096)\n"
                "        if not d:\n"
                "            return\n"
                "        c.sendall(d)\n"
                "while True:\n"
                "    c, _ = s.accept()\n"
                "    threading.Thread(target=serve, args=(c,), daemon=True).start()\n");
}

// Holds kConnections connections to the echo server and sends a line on
// each every 20 ms until `stop` exists (at most 60 s); any reset, close or
// answer later than 1 s ends it with "error ...", else it prints "rounds N".
std::vector<std::string> client(const std::string& stop) {
  return python(std::string("import os, socket, sys, time\n"
                            "socks = [socket.create_connection(('") +
                kVip + "', " + std::to_string(kEchoPort) + "), timeout=5) for _ in range(" +
                std::to_string(kConnections) +
                ")]\n"
                "for s in socks:\n"
                "    s.settimeout(1.0)\n"
                "print('connected', flush=True)\n"
                "n = 0\n"
                "deadline = time.time() + 60\n"
                "try:\n"
                "    while not os.path.exists('" +
                stop +
                "') and time.time() < deadline:\n"
                "        for s in socks:\n"
                "            s.sendall(b'ping\\n')\n"
                "            got = b''\n"
                "            while len(got) < 5:\n"
                "                d = s.recv(5 - len(got))\n"
                "                if not d:\n"
                "                    raise ConnectionError('closed by peer')\n"
                "                got += d\n"
                "        n += 1\n"
                "        time.sleep(0.02)\n"
                "except Exception as e:\n"
                "    print('error', type(e).__name__, e, flush=True)\n"
                "    sys.exit(1)\n"
                "print('rounds', n, flush=True)\n");
}

class HitlessReloadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!runningAsRoot()) GTEST_SKIP() << "needs root for network namespaces";
    ASSERT_TRUE(bridge_.ok() && master_.ok() && backup_.ok() && servers_.ok());
    char pattern[] = "/tmp/vigil-h12-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
    ASSERT_TRUE(plugIntoBridge(bridge_, master_, "p1", "10.12.0.1/24"));
    ASSERT_TRUE(plugIntoBridge(bridge_, backup_, "p2", "10.12.0.2/24"));
    ASSERT_TRUE(plugIntoBridge(bridge_, servers_, "p3", std::string(kRealServer) + "/24"));
  }
  void TearDown() override {
    processes_.clear();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  std::string path(const std::string& name) const { return dir_ + "/" + name; }

  // File A: the VIP and the kept real server. File B adds a second VIP and
  // a second real server. The backup (file A, no servers) has
  // skip_check_adv_addr: once it has heard the master it takes its adverts
  // with either address list, as keepalived's option says.
  std::string configText(int priority, bool withExtras, bool withServers) const {
    std::ostringstream c;
    c << "global_defs {\n  dataplane none\n  metrics_listen 127.0.0.1:" << kMetricsPort << "\n}\n"
      << "vrrp_instance VI_h12 {\n  state BACKUP\n  interface eth0\n  virtual_router_id 112\n"
      << "  version 3\n  priority " << priority << "\n  advert_int 0.05\n"
      << "  virtual_ipaddress {\n    " << kVip << "/24\n";
    if (withExtras) c << "    " << kExtraVip << "/24\n";
    c << "  }\n";
    if (!withServers) c << "  skip_check_adv_addr\n";
    c << "}\n";
    if (!withServers) return c.str();
    // alpha: a real server starts down, so coming up runs notify_up.
    c << "virtual_server 10.12.0.200 80 {\n  protocol TCP\n  lb_algo rr\n  alpha\n";
    for (uint16_t port : {kKeptPort, kAddedPort}) {
      if (port == kAddedPort && !withExtras) continue;
      c << "  real_server " << kRealServer << " " << port << " {\n"
        << "    notify_up \"/usr/bin/touch " << path("up-" + std::to_string(port)) << "\"\n"
        << "    notify_down \"/usr/bin/touch " << path("down-" + std::to_string(port)) << "\"\n"
        << "    TCP_CHECK {\n      connect_timeout 0.5\n      delay_loop 0.2\n"
        << "      retry 0\n      warmup 0\n    }\n  }\n";
    }
    c << "}\n";
    return c.str();
  }

  NsProcess& start(const NetNs& ns, const std::string& name, std::vector<std::string> argv) {
    processes_.push_back(std::make_unique<NsProcess>(ns, path(name + ".log"), std::move(argv)));
    EXPECT_TRUE(processes_.back()->start());
    return *processes_.back();
  }
  NsProcess& startDirector(const NetNs& ns, const std::string& name, const std::string& text) {
    std::ofstream(path(name + ".conf")) << text;
    return start(ns, name,
                 {std::string(VIGIL_BIN_DIR) + "/vigild", "-n", "-l", "-f", path(name + ".conf"),
                  "-i", ns.name(), "-p", path(name + ".pid"), "-r", path(name + ".vrrp.pid"), "-c",
                  path(name + ".check.pid")});
  }

  bool holds(const NetNs& ns, const std::string& address) const {
    return ns.exec("ip -4 addr show dev eth0 | grep -qF \"inet " + address + "/\"").exitCode == 0;
  }
  // The master's /metrics (its supervisor's latest worker snapshots, taken
  // every 1 s).
  std::string masterMetrics() const {
    return master_
        .exec("curl -s --max-time 2 http://127.0.0.1:" + std::to_string(kMetricsPort) + "/metrics")
        .output;
  }
  // A scrape whose lateness count has grown by at least `timers` since
  // `earlier`: the VRRP loop fired that many more timers, and the snapshot
  // was taken after them. Empty if none within 10 s, or if `earlier` has no
  // count (a failed scrape).
  std::string metricsAfter(const std::string& earlier, double timers) const {
    const auto baseline = metricSample(earlier, kLateCount);
    if (!baseline) return std::string();
    std::string now;
    const auto grown = waitFor(10s, [&] {
      now = masterMetrics();
      const auto count = metricSample(now, kLateCount);
      return count && *count >= *baseline + timers;
    });
    return grown ? now : std::string();
  }
  bool listening(const NetNs& ns, uint16_t port) const {
    return ns.exec("ss -ltn | grep -q :" + std::to_string(port) + "\\ ").exitCode == 0;
  }

  NetNs bridge_{"h12b"};
  NetNs master_{"h12m"};
  NetNs backup_{"h12s"};
  NetNs servers_{"h12r"};
  std::string dir_;
  std::vector<std::unique_ptr<NsProcess>> processes_;
};

TEST_F(HitlessReloadTest, HundredReloadsOfTheMasterChangeNothingRunning) {
  start(servers_, "rs-kept", acceptServer(kKeptPort));
  start(servers_, "rs-added", acceptServer(kAddedPort));
  ASSERT_TRUE(waitFor(
      10s, [&] { return listening(servers_, kKeptPort) && listening(servers_, kAddedPort); }));
  const std::string fileA = configText(200, false, true);
  const std::string fileB = configText(200, true, true);
  NsProcess& master = startDirector(master_, "master", fileA);
  ASSERT_TRUE(waitFor(15s, [&] { return holds(master_, kVip); })) << master.log();
  NsProcess& backup = startDirector(backup_, "backup", configText(100, false, false));
  ASSERT_TRUE(waitFor(10s, [&] { return count(backup.log(), "Entering BACKUP") == 1; }))
      << backup.log();
  ASSERT_TRUE(waitFor(10s, [&] { return std::filesystem::exists(path("up-18201")); }))
      << master.log();

  start(master_, "echo", echoServer());
  ASSERT_TRUE(waitFor(10s, [&] { return listening(master_, kEchoPort); }));
  const std::string stop = path("stop");
  NsProcess& traffic = start(servers_, "client", client(stop));
  ASSERT_TRUE(waitFor(10s, [&] { return traffic.log().find("connected") != std::string::npos; }))
      << traffic.log();

  const size_t masterEntered = count(master.log(), "Entering");
  const size_t backupEntered = count(backup.log(), "Entering");
  ASSERT_EQ(count(master.log(), "Entering MASTER"), 1u) << master.log();
  // The histogram and its bucket boundaries are there before the reloads.
  std::string lateBefore;
  ASSERT_TRUE(waitFor(10s, [&] {
    lateBefore = masterMetrics();
    return metricSample(lateBefore, kLateCount).has_value();
  })) << lateBefore;
  ASSERT_TRUE(metricSample(lateBefore, kLateFast) && metricSample(lateBefore, kLateAll))
      << lateBefore;
  std::optional<long> supervisorBefore;
  std::optional<long> vrrpBefore;
  std::optional<long> checkBefore;
  bool extraSeen = false;
  bool addedServerChecked = false;
  for (int i = 1; i <= kReloads; ++i) {
    std::ofstream(path("master.conf")) << (i % 2 == 1 ? fileB : fileA);
    master.signal(SIGHUP);
    // Paced by the daemon: the next SIGHUP once this one was taken in.
    ASSERT_TRUE(
        waitFor(5s, [&] { return count(master.log(), "reloading ") >= static_cast<size_t>(i); }))
        << "reload " << i << "\n"
        << master.log();
    std::this_thread::sleep_for(50ms);
    if (i == 1) extraSeen = waitFor(5s, [&] { return holds(master_, kExtraVip); }).has_value();
    if (i == kWarmup) {
      supervisorBefore = rssKb(path("master.pid"));
      vrrpBefore = rssKb(path("master.vrrp.pid"));
      checkBefore = rssKb(path("master.check.pid"));
    }
  }
  // The last file was A: the extra VIP goes, the kept one stays.
  EXPECT_TRUE(waitFor(5s, [&] { return !holds(master_, kExtraVip); })) << master.log();
  EXPECT_TRUE(holds(master_, kVip));
  EXPECT_FALSE(holds(backup_, kVip));
  addedServerChecked = std::filesystem::exists(path("up-18202"));

  std::ofstream(stop) << "stop\n";
  ASSERT_TRUE(traffic.reap(5s)) << traffic.log();
  const std::string clientLog = traffic.log();
  EXPECT_NE(clientLog.find("rounds"), std::string::npos) << clientLog;
  EXPECT_EQ(clientLog.find("error"), std::string::npos) << clientLog;

  const std::string masterLog = master.log();
  EXPECT_EQ(count(masterLog, "Entering"), masterEntered) << masterLog;
  EXPECT_EQ(count(backup.log(), "Entering"), backupEntered) << backup.log();
  EXPECT_TRUE(extraSeen) << "file B's extra VIP never appeared";
  EXPECT_TRUE(addedServerChecked) << "file B's real server was never checked up";
  EXPECT_FALSE(std::filesystem::exists(path("down-18201"))) << masterLog;
  EXPECT_EQ(count(masterLog, "disabling real server " + std::string(kRealServer) + ":" +
                                 std::to_string(kKeptPort)),
            0u)
      << masterLog;
  EXPECT_EQ(count(masterLog, "reload aborted"), 0u) << masterLog;

  const std::optional<long> supervisorAfter = rssKb(path("master.pid"));
  const std::optional<long> vrrpAfter = rssKb(path("master.vrrp.pid"));
  const std::optional<long> checkAfter = rssKb(path("master.check.pid"));
  ASSERT_TRUE(supervisorBefore && vrrpBefore && checkBefore && supervisorAfter && vrrpAfter &&
              checkAfter);
  std::cout << "RSS kB: supervisor " << *supervisorBefore << " -> " << *supervisorAfter << ", vrrp "
            << *vrrpBefore << " -> " << *vrrpAfter << ", check " << *checkBefore << " -> "
            << *checkAfter << "; client " << clientLog;
  EXPECT_LE(*supervisorAfter - *supervisorBefore, kRssBoundKb);
  EXPECT_LE(*vrrpAfter - *vrrpBefore, kRssBoundKb);
  EXPECT_LE(*checkAfter - *checkBefore, kRssBoundKb);

  // The VRRP loop was never late by more than 0.1 s over the reloads: every
  // timer's sample since before the first SIGHUP, up to a snapshot taken
  // after the last, is in the le="0.1" bucket.
  const std::string lateStart = masterMetrics();
  ASSERT_TRUE(metricSample(lateStart, kLateCount)) << "scrape failed: " << lateStart;
  const std::string lateAfter = metricsAfter(lateStart, 1);
  ASSERT_FALSE(lateAfter.empty()) << "no new lateness sample after the reloads";
  const std::optional<LoopLateness> reloads = lateBetween(lateBefore, lateAfter);
  ASSERT_TRUE(reloads) << lateBefore << "\n---\n" << lateAfter;
  std::cout << "VRRP loop lateness over the reloads: " << reloads->count << " samples, "
            << reloads->upTo100ms << " at or under 0.1 s\n";
  EXPECT_GE(reloads->count, 100);  // 100 reloads take seconds: 20 adverts a second
  EXPECT_EQ(reloads->count, reloads->upTo100ms) << lateAfter;

  // A broken file: the reload is refused where the error is, and nothing
  // that runs changes.
  std::ofstream(path("master.conf")) << fileA << "vrrp_instance VI_bad {\n  priority\n";
  master.signal(SIGHUP);
  EXPECT_TRUE(waitFor(5s, [&] { return count(master.log(), "reload aborted") == 1; }))
      << master.log();
  // Room for a transition, should one come: /status reports the refused
  // reload and a VRRP worker snapshot taken 0.5 s (about three of the
  // backup's Master_Down_Intervals) after it; the lateness samples up to
  // that snapshot are all on time.
  const std::string atAbort = masterMetrics();
  std::ofstream(path("refused.py")) << kSnapshotAfterRefusedReload;
  CommandResult refused;
  EXPECT_TRUE(waitFor(10s, [&] {
    refused =
        master_.exec("python3 " + path("refused.py") + " " + std::to_string(kMetricsPort) + " 0.5");
    return refused.exitCode == 0;
  })) << refused.output;
  // A scrape with samples after the refused-reload snapshot's: the check
  // below then covers timers, never an empty interval.
  const std::string afterAbort = metricsAfter(atAbort, 1);
  const std::optional<LoopLateness> broken = lateBetween(atAbort, afterAbort);
  ASSERT_TRUE(broken) << "a scrape around the refused reload failed:\n"
                      << atAbort << "\n---\n"
                      << afterAbort;
  EXPECT_GT(broken->count, 0) << atAbort << "\n---\n" << afterAbort;
  EXPECT_EQ(broken->count, broken->upTo100ms) << afterAbort;
  const std::string brokenLog = master.log();
  // FILE:LINE:COL, as `vigild -t` prints it.
  EXPECT_TRUE(std::regex_search(brokenLog, std::regex(path("master.conf") + ":[0-9]+:[0-9]+: ")))
      << brokenLog;
  EXPECT_EQ(count(brokenLog, "Entering"), masterEntered) << brokenLog;
  EXPECT_EQ(count(backup.log(), "Entering"), backupEntered) << backup.log();
  EXPECT_TRUE(holds(master_, kVip));
  EXPECT_FALSE(holds(backup_, kVip));
}

}  // namespace
}  // namespace vigil::test
