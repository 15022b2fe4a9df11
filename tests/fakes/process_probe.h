#pragma once

#include <poll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <optional>
#include <string>
#include <thread>

#include "core/unique_fd.h"

namespace vigil::fakes {

// Watches real processes from tests with bounded waits.

// A pidfd becomes readable when the process exits, even when it is not our
// child (a worker of a supervisor the test started).
inline UniqueFd openPidFd(pid_t pid) {
  return UniqueFd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
}

inline bool waitGone(const UniqueFd& pidFd, std::chrono::milliseconds limit) {
  pollfd p{pidFd.get(), POLLIN, 0};
  return ::poll(&p, 1, static_cast<int>(limit.count())) == 1;
}

// The wait status of our child `pid`, or nullopt if it is still running
// after `limit`.
inline std::optional<int> waitExit(pid_t pid, std::chrono::milliseconds limit) {
  UniqueFd pidFd = openPidFd(pid);
  if (pidFd && !waitGone(pidFd, limit)) {
    return std::nullopt;
  }
  int status = 0;
  if (::waitpid(pid, &status, 0) != pid) {
    return std::nullopt;
  }
  return status;
}

// Polls `check` every 10 ms until it yields a value or `limit` passes. For
// real processes whose progress the test cannot observe otherwise (a pid
// file); never for testing timing.
template <class F>
auto pollFor(F check, std::chrono::milliseconds limit) -> decltype(check()) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  for (;;) {
    if (auto value = check()) {
      return value;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      return {};
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

// The pid in a pid file, nullopt when absent or incomplete.
inline std::optional<pid_t> readPidFile(const std::string& path) {
  std::ifstream in(path);
  long pid = 0;
  if (in >> pid && pid > 0) {
    return static_cast<pid_t>(pid);
  }
  return std::nullopt;
}

}  // namespace vigil::fakes
