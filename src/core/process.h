#pragma once

#include <sys/types.h>

#include <string>

#include "core/result.h"

namespace vigil {

// Helpers for the moment between fork() and a child's own main or exec().
// They use only async-signal-safe calls, so they are safe after fork() even
// in a process that has threads.

// Unblocks every signal and restores default dispositions, undoing what the
// parent's event loop set up (its blocked signals would otherwise stay
// blocked in the child, and across exec).
void resetSignalsForChild();

// Closes every descriptor >= 3 except keepFd, which is moved to 3 (when it is
// >= 0). Returns the descriptor keepFd now lives at, or -1.
int closeInheritedFds(int keepFd = -1);

// Makes the kernel send `signo` when the parent dies, and reports whether
// the parent (expectedParent) is still there; if it already died before the
// request took effect, the signal would never come.
bool dieWithParent(int signo, pid_t expectedParent);

// "exited with status 3", "killed by signal 9 (Killed)".
std::string describeExitStatus(int waitStatus);

// Writes "PID\n" to path (replacing it atomically).
Status writePidFile(const std::string& path, pid_t pid);

}  // namespace vigil
