#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <fstream>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "support/netns.h"
#include "support/test_paths.h"
#include "support/wait_for.h"

// The pieces every two-router VRRP lab test needs (tests/integration/vrrp,
// tests/interop/vrrp): a bridge in its own namespace, routers' namespaces
// plugged into it, router processes in process groups of their own, and
// bounded polling for what the routers do.
namespace vigil::test {

// The VIP and the two routers' addresses for one address family.
struct LabAddresses {
  const char* vip;
  const char* vipPrefix;
  const char* first;
  const char* second;
  const char* ipFlag;  // "-4" / "-6" for ip(8)
  const char* inet;    // "inet" / "inet6" as `ip addr` prints it
};

// Whether `ns` has the lab's VIP on eth0.
inline bool holdsVip(const NetNs& ns, const LabAddresses& lab) {
  // No quotes: NetNs::exec wraps the command in single quotes.
  return ns.exec(std::string("ip ") + lab.ipFlag + " addr show dev eth0 | grep -qF " + lab.inet +
                 "\\ " + lab.vip + "/")
             .exitCode == 0;
}

// Creates a bridge in `bridge` and connects `ns`'s new eth0 (with `address`)
// to it through a veth whose bridge end is `port`. Duplicate address
// detection is off so addresses are usable at once.
inline ::testing::AssertionResult plugIntoBridge(const NetNs& bridge, const NetNs& ns,
                                                 const std::string& port,
                                                 const std::string& address) {
  if (bridge
          .exec("ip link show br0 >/dev/null 2>&1 || "
                "(ip link add br0 type bridge && ip link set br0 up)")
          .exitCode != 0) {
    return ::testing::AssertionFailure() << "cannot create br0 in " << bridge.name();
  }
  if (ns.exec("sysctl -qw net.ipv6.conf.default.accept_dad=0").exitCode != 0 ||
      bridge.exec("ip link add " + port + " type veth peer name eth0 netns " + ns.name() +
                  " && ip link set " + port + " master br0 up")
              .exitCode != 0 ||
      ns.exec("ip link set lo up && ip addr add " + address + " dev eth0 && ip link set eth0 up")
              .exitCode != 0) {
    return ::testing::AssertionFailure() << "cannot plug " << ns.name() << " into the bridge";
  }
  return ::testing::AssertionSuccess();
}

// A router process started in a namespace (`ip netns exec NS argv...`), in a
// process group of its own so the whole tree can be SIGKILLed; the
// destructor kills whatever of it is left.
// argv of a TCP server on address:port (an IPv4 literal) that accepts and
// closes every connection: a real server a TCP_CHECK finds up, until it is
// stopped.
inline std::vector<std::string> acceptAndCloseServer(uint16_t port,
                                                     const std::string& address = "127.0.0.1") {
  return {"python3", "-c",
          "import socket\n"
          "s = socket.socket()\n"
          "s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
          "s.bind(('" +
              address + "', " + std::to_string(port) +
              "))\n"
              "s.listen(16)\n"
              "while True:\n"
              "    c, _ = s.accept()\n"
              "    c.close()\n"};
}

class NsProcess {
 public:
  NsProcess(const NetNs& ns, std::string logPath, std::vector<std::string> argv)
      : ns_(ns), log_(std::move(logPath)), argv_(std::move(argv)) {}
  ~NsProcess() {
    if (pid_ > 0) {
      ::kill(-pid_, SIGKILL);
      reap(std::chrono::seconds(5));
    }
  }
  NsProcess(const NsProcess&) = delete;
  NsProcess& operator=(const NsProcess&) = delete;

  bool start() {
    std::vector<std::string> full = {"ip", "netns", "exec", ns_.name()};
    full.insert(full.end(), argv_.begin(), argv_.end());
    std::vector<char*> args;
    for (std::string& a : full) args.push_back(a.data());
    args.push_back(nullptr);
    pid_ = ::fork();
    if (pid_ == 0) {
      ::setpgid(0, 0);
      int fd = ::open(log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      ::dup2(fd, STDOUT_FILENO);
      ::dup2(fd, STDERR_FILENO);
      ::execvp("ip", args.data());
      ::_exit(127);
    }
    if (pid_ > 0) ::setpgid(pid_, pid_);
    return pid_ > 0;
  }

  void signal(int signo) const { ::kill(pid_, signo); }
  void killGroup() const { ::kill(-pid_, SIGKILL); }

  // Waits for the process to exit; true when it did within `limit`.
  bool reap(std::chrono::milliseconds limit) {
    const bool exited = waitFor(limit, [&] {
                          int status = 0;
                          return ::waitpid(pid_, &status, WNOHANG) == pid_;
                        }).has_value();
    if (exited) pid_ = -1;
    return exited;
  }

  std::string log() const {
    std::ifstream in(log_);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

 private:
  const NetNs& ns_;
  std::string log_;
  std::vector<std::string> argv_;
  pid_t pid_ = -1;
};

// One vigild in `ns` with its files named DIR/NAME.*: the configuration
// (writeConfig), its log, its pid files, the VRRP worker's among them.
class LabVigild {
 public:
  LabVigild(const NetNs& ns, const std::string& dir, const std::string& name)
      : config_(dir + "/" + name + ".conf"),
        vrrpPidFile_(dir + "/" + name + ".vrrp.pid"),
        process_(ns, dir + "/" + name + ".log",
                 {std::string(VIGIL_BIN_DIR) + "/vigild", "-n", "-l", "-f", config_, "-i",
                  ns.name(), "-p", dir + "/" + name + ".pid", "-r", vrrpPidFile_}) {}

  void writeConfig(const std::string& text) const { std::ofstream(config_) << text; }
  bool start() { return process_.start(); }
  void signal(int signo) const { process_.signal(signo); }
  bool reap(std::chrono::milliseconds limit) { return process_.reap(limit); }
  std::string log() const { return process_.log(); }
  pid_t vrrpWorker() const {
    std::ifstream in(vrrpPidFile_);
    pid_t pid = 0;
    in >> pid;
    return pid;
  }

 private:
  std::string config_;
  std::string vrrpPidFile_;
  NsProcess process_;
};

}  // namespace vigil::test
