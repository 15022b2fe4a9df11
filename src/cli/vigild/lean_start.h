#pragma once

#include <optional>
#include <string>

namespace vigil::cli {

// GnuTLS is in every vigild process although vigil never uses it: libcurl
// pulls it in through libldap and librtmp (vigil's TLS is OpenSSL's). Its
// load-time constructor initialises it before main() unless the environment
// has GNUTLS_NO_IMPLICIT_INIT=1, and that costs each director ~1 MB RSS and
// 100 kB of heap that every forked worker inherits (doc/benchmarks.md, "RSS
// per director"). libldap and librtmp call gnutls_global_init() themselves
// before they use it, so skipping the implicit one changes nothing else.
//
// So the daemon starts twice: the first image re-executes /proc/self/exe
// with that variable (and a marker) added; the second removes both from its
// environment, so notify scripts and checkers see the operator's environment
// unchanged. An operator who sets GNUTLS_NO_IMPLICIT_INIT (to 0 to keep the
// implicit init, or when running under a tool that does not follow exec)
// gets no re-execution. If the exec fails, vigild goes on as it is.
//
// Call at the top of main(), before any thread, descriptor or log is
// opened; `argv` is main's. Returns in the image that goes on: nullopt when
// that is the lean one or the operator chose, else why the restart did not
// happen, for main() to log once logging is set up (nothing is yet here).
std::optional<std::string> restartWithoutGnutlsLoadTimeInit(char** argv);

}  // namespace vigil::cli
