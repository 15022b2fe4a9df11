#include "vrrp/accept_filter_cleanup.h"

#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include "vrrp/accept_filter_rules.h"

extern char** environ;

namespace vigil::vrrp {
namespace {

// Waits for `pid` to exit, at most `timeout`; false when it is still
// running. A pidfd makes the wait a poll() with a deadline, not a sleep loop.
bool waitExit(pid_t pid, Duration timeout) {
  const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (pidfd < 0) return true;  // no pidfd (old kernel): waitpid() below blocks
  pollfd pfd{pidfd, POLLIN, 0};
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(timeout).count();
  int ready = 0;
  do {
    ready = ::poll(&pfd, 1, static_cast<int>(ms));
  } while (ready < 0 && errno == EINTR);
  ::close(pidfd);
  return ready > 0;
}

}  // namespace

Status removeAcceptFilterTable(const std::string& nft, Duration timeout) {
  const std::string command = nftDeleteTableCommand();
  const std::string what = nft + " " + command;
  char* argv[] = {const_cast<char*>(nft.c_str()), const_cast<char*>(command.c_str()), nullptr};
  pid_t pid = 0;
  if (int rc = ::posix_spawnp(&pid, nft.c_str(), nullptr, nullptr, argv, environ); rc != 0) {
    return Error{rc, what};
  }
  const bool exited = waitExit(pid, timeout);
  if (!exited) ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!exited) return Error{ETIMEDOUT, what};
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return Error{
        EIO, what + ": exit status " +
                 std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status))};
  }
  return {};
}

}  // namespace vigil::vrrp
