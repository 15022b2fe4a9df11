#pragma once

#include <memory>

#include "check/probe.h"
#include "config/model_lvs.h"
#include "core/event_loop.h"

// Where HTTP_GET and SSL_GET probes come from. The probes need libcurl,
// OpenSSL's TLS and PCRE2, and libcurl's dependency chain alone (GnuTLS,
// LDAP, Kerberos, SSH, ...) is ~2.6 MB of mappings in every process that
// links it. vigild therefore builds them in a loadable module (vigil-http.so,
// see cli/vigild/http_module.h) that only a check worker with such a checker
// loads; test binaries and vigilctl link CurlHttpProbeMaker directly.
namespace vigil::check {

class HttpProbeMaker {
 public:
  virtual ~HttpProbeMaker() = default;

  // A probe for `checker`, which holds an HttpCheck. `ssl` is the global
  // SSL { } block (null: the library's defaults); only SSL_GET uses it.
  // Never null: a maker that cannot build probes returns ones whose every
  // attempt fails as Internal, saying why.
  virtual std::unique_ptr<Probe> makeHttpProbe(const config::Checker& checker,
                                               std::shared_ptr<const config::SslContext> ssl) = 0;
};

// The module's one entry point, looked up by this (C, unmangled) name: a new
// maker whose probes run on `loop`. C++ types cross the boundary unchanged,
// so the module must come from vigild's own build: it exports, under
// kHttpModuleBuildName, that build's id (a NUL-terminated string,
// VIGIL_MODULE_BUILD in the generated module_build.h), and vigild calls the
// entry only when the id is its own (cli/vigild/module_loader.h).
inline constexpr const char* kHttpModuleEntryName = "vigil_http_module_create";
inline constexpr const char* kHttpModuleBuildName = "vigil_http_module_build";
using HttpModuleEntry = HttpProbeMaker* (*)(EventLoop& loop);

}  // namespace vigil::check
