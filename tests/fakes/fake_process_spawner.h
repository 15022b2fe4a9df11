#pragma once

#include <cerrno>
#include <map>
#include <utility>
#include <vector>

#include "core/process_spawner.h"

namespace vigil::fakes {

// Records spawn requests; the test decides when and how each child exits.
class FakeProcessSpawner final : public ProcessSpawner {
 public:
  Result<pid_t> spawn(const SpawnRequest& request, EventLoop::ChildCallback onExit) override {
    if (failNext) {
      failNext = false;
      return Error{EAGAIN, "fork"};
    }
    pid_t pid = nextPid_++;
    requests.push_back(request);
    live[pid] = std::move(onExit);
    return pid;
  }

  void terminate(pid_t pid) override { terminated.push_back(pid); }

  // Ends the oldest live child with an exit code (or as timed out). Returns
  // false when no child is live.
  bool exitOldest(int code, bool timedOut = false) {
    if (live.empty()) {
      return false;
    }
    auto it = live.begin();
    auto cb = std::move(it->second);
    pid_t pid = it->first;
    live.erase(it);
    cb(ChildExit{pid, code << 8, timedOut});
    return true;
  }

  std::vector<SpawnRequest> requests;
  std::map<pid_t, EventLoop::ChildCallback> live;
  std::vector<pid_t> terminated;
  bool failNext = false;

 private:
  pid_t nextPid_ = 1000;
};

}  // namespace vigil::fakes
