#include "cli/vigild/lean_start.h"

#include <sys/prctl.h>
#include <unistd.h>

#include <cstdlib>

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

}  // namespace

void restartWithoutGnutlsLoadTimeInit(char** argv) {
  if (const char* name = std::getenv(kRestartedMarker); name != nullptr) {
    ::prctl(PR_SET_NAME, name);
    forgetRestartVariables();
    return;
  }
  if (std::getenv(kGnutlsNoImplicitInit) != nullptr) return;
  char name[17] = {};  // PR_GET_NAME: at most 16 bytes with the NUL
  if (::prctl(PR_GET_NAME, name) != 0) return;
  if (::setenv(kGnutlsNoImplicitInit, "1", 1) != 0 || ::setenv(kRestartedMarker, name, 1) != 0) {
    forgetRestartVariables();
    return;
  }
  ::execv("/proc/self/exe", argv);
  forgetRestartVariables();  // no /proc: run with GnuTLS initialised, as before
}

}  // namespace vigil::cli
