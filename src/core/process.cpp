#include "core/process.h"

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstring>

#include "core/unique_fd.h"

namespace vigil {

void resetSignalsForChild() {
  struct sigaction byDefault {};
  byDefault.sa_handler = SIG_DFL;
  sigemptyset(&byDefault.sa_mask);
  for (int signo = 1; signo < NSIG; ++signo) {
    if (signo != SIGKILL && signo != SIGSTOP) {
      ::sigaction(signo, &byDefault, nullptr);
    }
  }
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
}

int closeInheritedFds(int keepFd) {
  int lowest = 3;
  if (keepFd >= 0) {
    if (keepFd != 3 && ::dup2(keepFd, 3) < 0) {
      return -1;
    }
    lowest = 4;
  }
  if (::syscall(SYS_close_range, lowest, ~0U, 0) != 0) {
    long max = ::sysconf(_SC_OPEN_MAX);
    for (long fd = lowest; fd < (max > 0 && max < 65536 ? max : 65536); ++fd) {
      ::close(static_cast<int>(fd));
    }
  }
  return keepFd >= 0 ? 3 : -1;
}

bool dieWithParent(int signo, pid_t expectedParent) {
  if (::prctl(PR_SET_PDEATHSIG, signo) != 0) {
    return false;
  }
  return ::getppid() == expectedParent;
}

std::string describeExitStatus(int waitStatus) {
  if (WIFEXITED(waitStatus)) {
    return "exited with status " + std::to_string(WEXITSTATUS(waitStatus));
  }
  if (WIFSIGNALED(waitStatus)) {
    int signo = WTERMSIG(waitStatus);
    const char* name = strsignal(signo);
    return "killed by signal " + std::to_string(signo) + " (" + (name ? name : "?") + ")";
  }
  return "wait status " + std::to_string(waitStatus);
}

Status writePidFile(const std::string& path, pid_t pid) {
  std::string tmp = path + ".tmp";
  UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!fd) {
    return errnoError("cannot create pid file " + tmp);
  }
  std::string text = std::to_string(pid) + "\n";
  if (::write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
    Error error = errnoError("cannot write pid file " + tmp);
    ::unlink(tmp.c_str());
    return error;
  }
  fd.reset();
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    Error error = errnoError("cannot rename pid file to " + path);
    ::unlink(tmp.c_str());
    return error;
  }
  return {};
}

}  // namespace vigil
