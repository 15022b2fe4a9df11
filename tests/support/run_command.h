#pragma once

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

#include "support/test_paths.h"

namespace vigil::test {

struct CommandResult {
  int exitCode = -1;
  std::string output;  // stdout, and stderr unless told otherwise
};

// Runs a shell command and captures what it prints; for tests that drive
// the built binaries.
// With mergeStderr false, stderr goes to the test's own stderr.
inline CommandResult runCommand(const std::string& command, bool mergeStderr = true) {
  CommandResult result;
  FILE* pipe = popen((mergeStderr ? command + " 2>&1" : command).c_str(), "r");
  if (pipe == nullptr) {
    return result;
  }
  std::array<char, 4096> buf{};
  size_t n = 0;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) {
    result.output.append(buf.data(), n);
  }
  int status = pclose(pipe);
  result.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

inline std::string vigild() { return std::string(VIGIL_BIN_DIR) + "/vigild"; }

}  // namespace vigil::test
