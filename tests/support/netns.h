#pragma once

#include <fcntl.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <string>

#include "support/run_command.h"

namespace vigil::test {

inline bool runningAsRoot() { return geteuid() == 0; }

// A named network namespace (`ip netns add`) that lives as long as this
// object: the destructor deletes it, so a failing test leaves nothing behind.
// Names are unique per process: PREFIX-PID-N.
class NetNs {
 public:
  explicit NetNs(const std::string& prefix = "vgt") {
    static std::atomic<int> counter{0};
    name_ = prefix + "-" + std::to_string(getpid()) + "-" + std::to_string(counter++);
    created_ = runCommand("ip netns add " + name_).exitCode == 0;
  }
  ~NetNs() {
    if (created_) {
      (void)runCommand("ip netns del " + name_);
    }
  }
  NetNs(const NetNs&) = delete;
  NetNs& operator=(const NetNs&) = delete;

  bool ok() const { return created_; }
  const std::string& name() const { return name_; }
  std::string path() const { return "/run/netns/" + name_; }

  // Runs a shell command inside the namespace.
  CommandResult exec(const std::string& command) const {
    return runCommand("ip netns exec " + name_ + " sh -c '" + command + "'");
  }

 private:
  std::string name_;
  bool created_ = false;
};

// Brings up lo and an `eth0` with address `cidr` in `ns`: one end of a veth
// pair whose other end (eth0p) stays in `ns` too, so eth0 is up and can
// send, and nothing hears it. For a daemon that wants an interface alone.
inline bool plugLonelyEth0(const NetNs& ns, const std::string& cidr) {
  return ns.exec(
               "ip link set lo up && ip link add eth0 type veth peer name eth0p && "
               "ip link set eth0p up && ip addr add " +
               cidr + " dev eth0 && ip link set eth0 up")
             .exitCode == 0;
}

// Moves the calling thread into a namespace until destroyed, then back.
// Sockets opened meanwhile stay in the namespace they were opened in.
class NetNsEnter {
 public:
  explicit NetNsEnter(const NetNs& ns) {
    original_ = ::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    int target = ::open(ns.path().c_str(), O_RDONLY | O_CLOEXEC);
    entered_ = original_ >= 0 && target >= 0 && ::setns(target, CLONE_NEWNET) == 0;
    if (target >= 0) {
      ::close(target);
    }
  }
  ~NetNsEnter() {
    if (entered_) {
      (void)::setns(original_, CLONE_NEWNET);
    }
    if (original_ >= 0) {
      ::close(original_);
    }
  }
  NetNsEnter(const NetNsEnter&) = delete;
  NetNsEnter& operator=(const NetNsEnter&) = delete;

  bool ok() const { return entered_; }

 private:
  int original_ = -1;
  bool entered_ = false;
};

// Runs fn in a forked child that has entered ns; returns fn's result, or -1
// when the child could not enter or did not exit normally.
inline int runInNetNs(const NetNs& ns, const std::function<int()>& fn) {
  pid_t pid = fork();
  if (pid < 0) {
    return -1;
  }
  if (pid == 0) {
    NetNsEnter enter(ns);
    _exit(enter.ok() ? fn() : 255);
  }
  int status = 0;
  if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) {
    return -1;
  }
  return WEXITSTATUS(status) == 255 ? -1 : WEXITSTATUS(status);
}

}  // namespace vigil::test
