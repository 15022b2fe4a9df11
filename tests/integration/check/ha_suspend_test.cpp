#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "fakes/process_probe.h"
#include "support/netns.h"
#include "support/run_command.h"
#include "support/vigild_lab.h"
#include "support/wait_for.h"

// ha_suspend with a real vigild (`dataplane none`) in a namespace: while
// the virtual service's address is not on any interface, its real server
// sees no check connections and /status says the service is suspended;
// `ip addr add` starts the checks (the server goes UP on the notify FIFO)
// and /status says it is not; `ip addr del` stops them again.
namespace vigil::test {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr uint16_t kRealPort = 18291;
constexpr uint16_t kMonitorPort = 18292;
const std::string kService = "[10.0.0.100]:tcp:80";  // VirtualServer::describe()

// A TCP listener that accepts and closes, printing one line per accept.
std::vector<std::string> countingServer(uint16_t port) {
  return {"python3", "-c",
          "import socket\n"
          "s = socket.socket()\n"
          "s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
          "s.bind(('127.0.0.1', " +
              std::to_string(port) +
              "))\n"
              "s.listen(16)\n"
              "while True:\n"
              "    c, _ = s.accept()\n"
              "    c.close()\n"
              "    print('accept', flush=True)\n"};
}

size_t occurrences(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// Lines read so far from a FIFO opened for reading before vigild starts.
class Fifo {
 public:
  explicit Fifo(const std::string& path) {
    ::mkfifo(path.c_str(), 0600);
    fd_ = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  }
  ~Fifo() {
    if (fd_ >= 0) ::close(fd_);
  }
  bool ok() const { return fd_ >= 0; }
  size_t count(const std::string& line) {
    char buf[4096];
    ssize_t n = 0;
    while ((n = ::read(fd_, buf, sizeof buf)) > 0) text_.append(buf, static_cast<size_t>(n));
    return occurrences(text_, line + "\n");
  }
  const std::string& text() const { return text_; }

 private:
  int fd_ = -1;
  std::string text_;
};

class HaSuspendTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!runningAsRoot()) GTEST_SKIP() << "needs root for network namespaces";
    ASSERT_TRUE(lab_.ok());
    ASSERT_EQ(lab_.ns()
                  .exec("ip link set lo up && ip link add h2vip type veth peer name h2vipp && "
                        "ip link set h2vipp up && ip link set h2vip up")
                  .exitCode,
              0);
  }

  // The server counts accepts to see whether checks run, so the checks
  // complete the handshake: the default connect mode resets before the final
  // ACK and the listener would accept nothing.
  void writeConfig() const {
    std::ostringstream c;
    c << "global_defs {\n  dataplane none\n  tcp_check_mode handshake\n  lvs_notify_fifo "
      << lab_.path("lvs.fifo") << "\n  metrics_listen 127.0.0.1:" << kMonitorPort << "\n}\n"
      << "virtual_server 10.0.0.100 80 {\n  protocol TCP\n  lb_algo rr\n  ha_suspend\n"
      << "  alpha\n  real_server 127.0.0.1 " << kRealPort << " {\n"
      << "    TCP_CHECK {\n      connect_timeout 0.5\n      delay_loop 0.2\n"
      << "      retry 0\n      warmup 0\n    }\n  }\n}\n";
    lab_.write("vigil.conf", c.str());
  }

  size_t accepts() const { return occurrences(lab_.read("rs.log"), "accept"); }

  // The service's "suspended" field in the check worker's part of /status;
  // nullopt while /status does not show it (not serving yet, no snapshot).
  std::optional<bool> statusSuspended() const {
    CommandResult r = lab_.ns().exec(
        "curl -s --max-time 2 http://127.0.0.1:" + std::to_string(kMonitorPort) + "/status");
    json doc = json::parse(r.output, nullptr, false);
    if (!doc.is_object() || !doc.contains("workers") || !doc["workers"].is_array()) {
      return std::nullopt;
    }
    for (const json& worker : doc["workers"]) {
      const json snapshot = worker.value("snapshot", json::object());
      if (!snapshot.is_object() || snapshot.value("worker", "") != "check") continue;
      for (const json& vs : snapshot.value("virtual_servers", json::array())) {
        if (vs.value("name", "") == kService && vs.contains("suspended") &&
            vs["suspended"].is_boolean()) {
          return vs["suspended"].get<bool>();
        }
      }
    }
    return std::nullopt;
  }

  bool statusSays(bool suspended) const {
    return waitFor(seconds(5), [&] { return statusSuspended() == suspended; }).has_value();
  }

  std::string logs() const { return lab_.describe({"vigild.log"}); }

  VigildLab lab_{"h2hs", "h2-ha-suspend"};
};

TEST_F(HaSuspendTest, ChecksRunOnlyWhileTheVirtualAddressIsLocal) {
  writeConfig();
  Fifo fifo(lab_.path("lvs.fifo"));
  ASSERT_TRUE(fifo.ok());
  ASSERT_GT(lab_.spawn(countingServer(kRealPort), "rs.log"), 0);
  ASSERT_TRUE(waitFor(seconds(5), [&] {
    return lab_.ns().exec("ss -ltn | grep -q 127.0.0.1:" + std::to_string(kRealPort)).exitCode == 0;
  }));
  const pid_t daemon = lab_.spawn(
      {vigild(), "-n", "-l", "-C", "-f", lab_.path("vigil.conf"), "-p", lab_.path("vigild.pid")},
      "vigild.log");
  ASSERT_GT(daemon, 0);
  ASSERT_TRUE(statusSays(true)) << logs();

  // Suspended: with delay_loop 0.2, a running checker would connect about
  // seven times in this window.
  EXPECT_FALSE(waitFor(milliseconds(1500), [&] { return accepts() > 0; })) << logs();

  const std::string rs = "RS [127.0.0.1]:tcp:" + std::to_string(kRealPort) + " [10.0.0.100]:tcp:80";
  ASSERT_EQ(lab_.ns().exec("ip addr add 10.0.0.100/32 dev h2vip").exitCode, 0);
  EXPECT_TRUE(waitFor(seconds(5), [&] { return fifo.count(rs + " UP") == 1; }))
      << fifo.text() << logs();
  EXPECT_GT(accepts(), 0u);
  EXPECT_TRUE(statusSays(false)) << logs();

  ASSERT_EQ(lab_.ns().exec("ip addr del 10.0.0.100/32 dev h2vip").exitCode, 0);
  EXPECT_TRUE(statusSays(true)) << logs();
  // An attempt already in flight may still land; then nothing more.
  (void)waitFor(milliseconds(700), [] { return false; });
  const size_t settled = accepts();
  EXPECT_FALSE(waitFor(milliseconds(1500), [&] { return accepts() > settled; })) << logs();
  // Suspension keeps the state: the server was not announced DOWN.
  EXPECT_EQ(fifo.count(rs + " DOWN"), 0u) << fifo.text();

  // Stops cleanly on SIGTERM. Waited for without reaping: the lab reaps
  // what it started.
  ASSERT_EQ(::kill(daemon, SIGTERM), 0);
  UniqueFd pidFd = fakes::openPidFd(daemon);
  ASSERT_TRUE(pidFd);
  EXPECT_TRUE(fakes::waitGone(pidFd, milliseconds(5000))) << logs();
  siginfo_t info{};
  ASSERT_EQ(::waitid(P_PID, static_cast<id_t>(daemon), &info, WEXITED | WNOWAIT | WNOHANG), 0);
  EXPECT_EQ(info.si_code, CLD_EXITED) << logs();
  EXPECT_EQ(info.si_status, 0) << logs();
}

}  // namespace
}  // namespace vigil::test
