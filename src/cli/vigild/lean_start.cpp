#include "cli/vigild/lean_start.h"

#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace vigil::cli {
namespace {

constexpr const char* kGnutlsNoImplicitInit = "GNUTLS_NO_IMPLICIT_INIT";
// Set only by the first image for the second: the variable above is ours.
// Its value is the first image's process name: exec of /proc/self/exe
// would otherwise rename the process "exe" (ps, pgrep, systemd).
constexpr const char* kRestartedMarker = "VIGILD_LEAN_RESTART";

void forgetRestartVariables() {
  ::unsetenv(kRestartedMarker);
  ::unsetenv(kGnutlsNoImplicitInit);
}

// Why the restart did not happen: `step` failed with `error` (an errno).
std::string failure(const char* step, int error) {
  return std::string("lean restart (without GnuTLS's load-time init) skipped: ") + step + ": " +
         std::strerror(error) + "; running with it, ~1 MB more RSS";
}

}  // namespace

std::optional<std::string> restartWithoutGnutlsLoadTimeInit(char** argv) {
  if (const char* name = std::getenv(kRestartedMarker); name != nullptr) {
    ::prctl(PR_SET_NAME, name);
    forgetRestartVariables();
    return std::nullopt;
  }
  if (std::getenv(kGnutlsNoImplicitInit) != nullptr) return std::nullopt;
  char name[17] = {};  // PR_GET_NAME: at most 16 bytes with the NUL
  if (::prctl(PR_GET_NAME, name) != 0) return failure("reading the process name", errno);
  if (::setenv(kGnutlsNoImplicitInit, "1", 1) != 0 || ::setenv(kRestartedMarker, name, 1) != 0) {
    const int error = errno;
    forgetRestartVariables();
    return failure("setting its environment", error);
  }
  ::execv("/proc/self/exe", argv);
  const int error = errno;
  forgetRestartVariables();  // e.g. no /proc: run with GnuTLS initialised, as before
  return failure("executing /proc/self/exe", error);
}

}  // namespace vigil::cli
