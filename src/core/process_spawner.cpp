#include "core/process_spawner.h"

#include <grp.h>
#include <linux/close_range.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include "core/posix_event_loop.h"

namespace vigil {
namespace {

// The exit status a child reports when it could not become the script.
constexpr int kExecFailed = 127;
constexpr int kSetIdFailed = 126;

}  // namespace

Result<pid_t> PosixProcessSpawner::spawn(const SpawnRequest& request,
                                         EventLoop::ChildCallback onExit) {
  if (request.argv.empty()) {
    return Error{EINVAL, "spawn: empty command"};
  }
  // Built before fork: the child only makes async-signal-safe calls.
  std::vector<char*> args;
  for (const auto& arg : request.argv) {
    args.push_back(const_cast<char*>(arg.c_str()));
  }
  args.push_back(nullptr);
  std::optional<RunAs> runAs = request.runAs;
  bool root = ::geteuid() == 0;
  auto childMain = [&args, runAs, root]() -> int {
    ::syscall(SYS_close_range, 3u, ~0u, 0u);
    if (runAs && root) {
      // Group first: once the uid is dropped we may no longer change it.
      if (::setgroups(0, nullptr) != 0 || ::setgid(runAs->gid) != 0 || ::setuid(runAs->uid) != 0) {
        return kSetIdFailed;
      }
    }
    ::execvp(args[0], args.data());
    return kExecFailed;
  };
  return loop_.spawnChild(childMain, request.timeout, std::move(onExit));
}

void PosixProcessSpawner::terminate(pid_t pid) {
  if (pid > 0) {
    ::kill(pid, SIGTERM);
  }
}

}  // namespace vigil
