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

#include "support/netns.h"
#include "support/run_command.h"
#include "support/vrrp_lab.h"
#include "support/wait_for.h"

// Issue 7, the VRRP side of a hitless reload: two vigild directors on a
// bridge (VRRPv3, advert_int 0.05); the master is sent SIGHUP 100 times,
// alternating two files that differ by one VIP and one real server, while a
// client keeps TCP connections to a server on the VIP busy. Nothing may
// notice: no VRRP transition on either director, no reset or stall on the
// connections, no flap of the real server both files share, and the
// workers' memory stays put. A broken file changes nothing but the log.
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
    c << "global_defs {\n  dataplane none\n}\n"
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

  const std::optional<long> vrrpAfter = rssKb(path("master.vrrp.pid"));
  const std::optional<long> checkAfter = rssKb(path("master.check.pid"));
  ASSERT_TRUE(vrrpBefore && checkBefore && vrrpAfter && checkAfter);
  std::cout << "RSS kB: vrrp " << *vrrpBefore << " -> " << *vrrpAfter << ", check " << *checkBefore
            << " -> " << *checkAfter << "; client " << clientLog;
  EXPECT_LE(*vrrpAfter - *vrrpBefore, kRssBoundKb);
  EXPECT_LE(*checkAfter - *checkBefore, kRssBoundKb);

  // A broken file: the reload is refused where the error is, and nothing
  // that runs changes.
  std::ofstream(path("master.conf")) << fileA << "vrrp_instance VI_bad {\n  priority\n";
  master.signal(SIGHUP);
  EXPECT_TRUE(waitFor(5s, [&] { return count(master.log(), "reload aborted") == 1; }))
      << master.log();
  std::this_thread::sleep_for(500ms);  // room for a transition, should one come
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
