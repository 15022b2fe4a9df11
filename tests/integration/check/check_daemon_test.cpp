#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/netns.h"
#include "support/run_command.h"
#include "support/test_paths.h"
#include "support/vigild_lab.h"
#include "support/vrrp_lab.h"
#include "support/wait_for.h"

// vigild's check worker against real TCP servers in a network namespace,
// with `dataplane none`: stopping a server puts its RS DOWN line on the
// lvs_notify_fifo and runs its notify_down script; starting it again, UP.
namespace vigil::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// A TCP listener that accepts and closes, as a real server for TCP_CHECK.

// Lines read so far from a FIFO the test holds open for reading (opened
// before vigild starts, so no line is dropped for want of a reader).
class FifoReader {
 public:
  explicit FifoReader(const std::string& path) {
    ::mkfifo(path.c_str(), 0600);
    fd_ = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  }
  ~FifoReader() {
    if (fd_ >= 0) ::close(fd_);
  }
  bool ok() const { return fd_ >= 0; }

  bool has(const std::string& line) {
    char buf[4096];
    ssize_t n = 0;
    while ((n = ::read(fd_, buf, sizeof buf)) > 0) text_.append(buf, static_cast<size_t>(n));
    return text_.find(line + "\n") != std::string::npos;
  }
  const std::string& text() const { return text_; }

 private:
  int fd_ = -1;
  std::string text_;
};

class CheckDaemonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!runningAsRoot()) GTEST_SKIP() << "needs root for network namespaces";
    ASSERT_TRUE(ns_.ok());
    ASSERT_EQ(ns_.exec("ip link set lo up").exitCode, 0);
    dir_ = std::filesystem::temp_directory_path() / ("vcw-" + ns_.name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override {
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  std::string writeConfig() const {
    std::ostringstream c;
    c << "global_defs {\n  dataplane none\n  lvs_notify_fifo " << path("lvs.fifo")
      << "\n  metrics_listen off\n}\n"
      << "virtual_server 10.0.0.100 80 {\n  protocol TCP\n  lb_algo rr\n"
      << "  quorum_down \"/bin/touch " << path("quorum-down") << "\"\n";
    for (uint16_t port : {kPortA, kPortB}) {
      c << "  real_server 127.0.0.1 " << port << " {\n"
        << "    notify_down \"/bin/touch " << path("down-" + std::to_string(port)) << "\"\n"
        << "    TCP_CHECK {\n      connect_timeout 0.5\n      delay_loop 0.2\n"
        << "      retry 0\n      warmup 0\n    }\n  }\n";
    }
    c << "}\n";
    std::ofstream(path("vigil.conf")) << c.str();
    return path("vigil.conf");
  }

  bool listening(uint16_t port) const {
    return ns_.exec("ss -ltn | grep -q 127.0.0.1:" + std::to_string(port)).exitCode == 0;
  }

  static constexpr uint16_t kPortA = 18081;
  static constexpr uint16_t kPortB = 18082;
  NetNs ns_{"vcw"};
  std::filesystem::path dir_;
};

TEST_F(CheckDaemonTest, StoppingAndStartingARealServerFlipsItsState) {
  const std::string config = writeConfig();
  FifoReader fifo(path("lvs.fifo"));
  ASSERT_TRUE(fifo.ok());
  auto serverA = std::make_unique<NsProcess>(ns_, path("a.log"), acceptAndCloseServer(kPortA));
  NsProcess serverB(ns_, path("b.log"), acceptAndCloseServer(kPortB));
  ASSERT_TRUE(serverA->start());
  ASSERT_TRUE(serverB.start());
  ASSERT_TRUE(waitFor(seconds(5), [&] { return listening(kPortA) && listening(kPortB); }));
  NsProcess daemon(ns_, path("vigild.log"),
                   {vigild(), "-n", "-l", "-C", "-f", config, "-p", path("vigild.pid")});
  ASSERT_TRUE(daemon.start());

  serverA->killGroup();
  serverA.reset();
  const std::string rsA = "RS [127.0.0.1]:tcp:" + std::to_string(kPortA) + " [10.0.0.100]:tcp:80";
  // delay_loop 0.2 + a refused connect: well within two seconds.
  EXPECT_TRUE(waitFor(seconds(5), [&] { return fifo.has(rsA + " DOWN"); }))
      << fifo.text() << daemon.log();
  EXPECT_TRUE(waitFor(
      seconds(2), [&] { return std::filesystem::exists(path("down-" + std::to_string(kPortA))); }));
  EXPECT_FALSE(std::filesystem::exists(path("quorum-down")));

  NsProcess restarted(ns_, path("a2.log"), acceptAndCloseServer(kPortA));
  ASSERT_TRUE(restarted.start());
  EXPECT_TRUE(waitFor(seconds(5), [&] { return fifo.has(rsA + " UP"); }))
      << fifo.text() << daemon.log();
  EXPECT_EQ(fifo.text().find("[127.0.0.1]:tcp:" + std::to_string(kPortB)), std::string::npos)
      << "the other server never changed";

  daemon.signal(SIGTERM);
  EXPECT_TRUE(daemon.reap(seconds(5))) << daemon.log();
}

// utime + stime of a process, in clock ticks; -1 when it is gone.
long cpuTicks(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), {});
  size_t close = stat.rfind(')');
  if (close == std::string::npos) return -1;
  std::istringstream fields(stat.substr(close + 2));
  std::string field;
  long utime = 0;
  long stime = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i == 14) utime = std::stol(field);
    if (i == 15) stime = std::stol(field);
  }
  return utime + stime;
}

std::vector<std::string> samplesWithCheckers() {
  std::vector<std::string> out;
  const std::filesystem::path dir = "/usr/share/doc/keepalived/samples";
  if (!std::filesystem::exists(dir)) return out;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    std::ifstream in(entry.path());
    std::string text((std::istreambuf_iterator<char>(in)), {});
    for (const char* checker : {"TCP_CHECK", "HTTP_GET", "SSL_GET", "MISC_CHECK", "SMTP_CHECK",
                                "DNS_CHECK", "UDP_CHECK", "PING_CHECK", "FILE_CHECK"}) {
      if (text.find(checker) != std::string::npos) {
        out.push_back(entry.path().string());
        break;
      }
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Debian's sample configurations with checkers load, and their checkers run
// against targets that are unreachable (an empty namespace): every process
// is still alive after two seconds, used little CPU (no busy loop), and
// stops cleanly on SIGTERM. All run at once to keep the test short.
TEST_F(CheckDaemonTest, KeepalivedSamplesWithCheckersRunWithoutCrashOrBusyLoop) {
  const std::vector<std::string> samples = samplesWithCheckers();
  if (samples.empty()) GTEST_SKIP() << "keepalived's samples are not installed";
  std::vector<std::unique_ptr<NsProcess>> daemons;
  for (size_t i = 0; i < samples.size(); ++i) {
    CommandResult test = runCommand(vigild() + " -t -f " + samples[i]);
    EXPECT_EQ(test.exitCode, 0) << samples[i] << "\n" << test.output;
    daemons.push_back(std::make_unique<NsProcess>(
        ns_, path("sample" + std::to_string(i) + ".log"),
        std::vector<std::string>{vigild(), "-n", "-l", "-C", "--single-process", "-f", samples[i],
                                 "-p", path("sample" + std::to_string(i) + ".pid")}));
    ASSERT_TRUE(daemons.back()->start());
  }
  // vigild writes its pid file once started; then two seconds of steady
  // running are measured.
  std::vector<pid_t> pids;
  for (size_t i = 0; i < samples.size(); ++i) {
    const std::string pidFile = path("sample" + std::to_string(i) + ".pid");
    pid_t pid = -1;
    waitFor(seconds(5), [&] {
      std::ifstream in(pidFile);
      return static_cast<bool>(in >> pid);
    });
    ASSERT_GT(pid, 0) << samples[i] << " did not start:\n" << daemons[i]->log();
    pids.push_back(pid);
  }
  std::this_thread::sleep_for(milliseconds(300));
  std::vector<long> before;
  for (pid_t pid : pids) before.push_back(cpuTicks(pid));
  std::this_thread::sleep_for(seconds(2));
  const long ticksPerSecond = ::sysconf(_SC_CLK_TCK);
  for (size_t i = 0; i < daemons.size(); ++i) {
    const long after = cpuTicks(pids[i]);
    ASSERT_GE(before[i], 0) << samples[i] << " exited early:\n" << daemons[i]->log();
    ASSERT_GE(after, 0) << samples[i] << " exited:\n" << daemons[i]->log();
    // A busy loop would burn ~2 s; a healthy one a few ticks. Loose bound
    // for a loaded CI machine: a quarter of a core.
    EXPECT_LT(after - before[i], ticksPerSecond / 2) << samples[i] << "\n" << daemons[i]->log();
  }
  for (const auto& d : daemons) d->signal(SIGTERM);
  for (size_t i = 0; i < daemons.size(); ++i) {
    EXPECT_TRUE(daemons[i]->reap(seconds(5))) << samples[i] << "\n" << daemons[i]->log();
  }
}

// `text` with every delay_loop, connect_timeout and delay_before_retry
// shortened (0.5, 0.5, 0.2 s), so a sample's checkers go down in seconds
// rather than the minute its own timing takes (delay_loop 6 with retry 3
// and delay_before_retry 3, delay_loop 60 for SMTP_CHECK).
std::string withFastTiming(const std::string& text) {
  std::string out = text;
  for (const auto& [keyword, value] :
       {std::pair{"delay_loop", "0.5"}, std::pair{"connect_timeout", "0.5"},
        std::pair{"delay_before_retry", "0.2"}}) {
    // \b: smtp_connect_timeout (global_defs) is left alone.
    const std::regex timing(std::string("\\b") + keyword + "[ \t]+[0-9.]+");
    out = std::regex_replace(out, timing, std::string(keyword) + " " + value);
  }
  return out;
}

// What a check worker snapshot says is wrong with its checkers when every
// target is unreachable: a real server with checkers that is still up, or
// a checker that never finished a probe or saw one succeed. Empty when all
// ran and are down; "no snapshot" when vigild did not answer.
std::string checkersNotDown(const std::string& snapshotText) {
  const nlohmann::json snap = nlohmann::json::parse(snapshotText, nullptr, false);
  if (!snap.is_object() || !snap.contains("virtual_servers")) return "no snapshot";
  std::string problems;
  size_t checkers = 0;
  for (const auto& vs : snap["virtual_servers"]) {
    for (const auto& rs : vs.value("real_servers", nlohmann::json::array())) {
      const auto list = rs.value("checkers", nlohmann::json::array());
      if (list.empty()) continue;  // no checker: nothing takes it down
      const std::string name = rs.value("address", "") + ":" + std::to_string(rs.value("port", 0));
      if (rs.value("up", true)) problems += " " + name + " up;";
      for (const auto& checker : list) {
        ++checkers;
        uint64_t finished = 0;
        const auto outcomes = checker.value("outcomes", nlohmann::json::object());
        for (const auto& [outcome, count] : outcomes.items()) {
          finished += count.get<uint64_t>();
          if (outcome == "up") problems += " " + name + " probe succeeded;";
        }
        if (finished == 0) {
          problems += " " + name + " " + checker.value("type", "?") + " no probe finished (" +
                      checker.dump() + ");";
        }
      }
    }
  }
  return checkers == 0 ? "no checkers" : problems;
}

// The same samples with their checkers' timing shortened, each under a
// supervisor with a control socket: within a few delay_loops every checker
// has finished probes, none succeeded, and every real server with checkers
// is down, as `vigilctl check --json` shows. All run at once.
TEST(CheckDaemonSamplesTest, KeepalivedSamplesCheckersRunAndGoDown) {
  if (!runningAsRoot()) GTEST_SKIP() << "needs root for network namespaces";
  const std::vector<std::string> samples = samplesWithCheckers();
  if (samples.empty()) GTEST_SKIP() << "keepalived's samples are not installed";
  VigildLab lab("h9w", "h9-samples");
  ASSERT_TRUE(lab.ok());
  ASSERT_EQ(lab.ns().exec("ip link set lo up").exitCode, 0);
  std::vector<std::unique_ptr<NsProcess>> daemons;
  for (size_t i = 0; i < samples.size(); ++i) {
    const std::string name = "sample" + std::to_string(i);
    lab.write(name + ".conf", withFastTiming(fileText(samples[i])));
    CommandResult test = runCommand(vigild() + " -t -f " + lab.path(name + ".conf"));
    EXPECT_EQ(test.exitCode, 0) << samples[i] << "\n" << test.output;
    daemons.push_back(std::make_unique<NsProcess>(
        lab.ns(), lab.path(name + ".log"),
        std::vector<std::string>{vigild(), "-n", "-l", "-C", "-f", lab.path(name + ".conf"), "-p",
                                 lab.path(name + ".pid"), "-c", lab.path(name + ".check.pid"), "-r",
                                 lab.path(name + ".vrrp.pid"), "--control-socket",
                                 lab.path(name + ".sock")}));
    ASSERT_TRUE(daemons.back()->start());
  }
  auto snapshotOf = [&](size_t i) {
    return runCommand(std::string(VIGIL_BIN_DIR) + "/vigilctl check --json --socket " +
                          lab.path("sample" + std::to_string(i) + ".sock"),
                      false)
        .output;
  };
  // First attempts within one delay_loop (0.5 s), then at most retry 4
  // failures 0.2 s apart, each bounded by connect_timeout (unreachable
  // targets fail at once); the snapshot is up to 1 s old. 20 s is slack for
  // sixteen daemons starting at once on a loaded machine.
  std::vector<bool> settled(samples.size(), false);
  auto allDown = waitFor(seconds(20), [&] {
    bool all = true;
    for (size_t i = 0; i < samples.size(); ++i) {
      if (!settled[i]) settled[i] = checkersNotDown(snapshotOf(i)).empty();
      all = all && settled[i];
    }
    return all;
  });
  for (size_t i = 0; i < samples.size(); ++i) {
    EXPECT_TRUE(settled[i]) << samples[i] << ":" << checkersNotDown(snapshotOf(i)) << "\n"
                            << lab.read("sample" + std::to_string(i) + ".log");
  }
  if (allDown)
    std::printf("[ samples  ] all checkers down after %lld ms\n",
                static_cast<long long>(allDown->count()));
  for (const auto& d : daemons) d->signal(SIGTERM);
  for (size_t i = 0; i < daemons.size(); ++i) {
    EXPECT_TRUE(daemons[i]->reap(seconds(5))) << samples[i] << "\n" << daemons[i]->log();
  }
}

}  // namespace
}  // namespace vigil::test
