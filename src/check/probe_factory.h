#pragma once

#include <memory>
#include <string>

#include "check/checker.h"
#include "check/lvs_notify.h"
#include "check/probe.h"
#include "config/model_lvs.h"
#include "core/event_loop.h"
#include "core/process_spawner.h"
#include "core/result.h"

// Turns a configured checker into the Probe that runs it, and into a ready
// Checker. The one place that knows which probe class serves which
// CheckerType.
namespace vigil::check {

class CurlMulti;

// What some probe types need from the worker. A probe type whose
// dependency is missing fails to build with an error saying which.
struct ProbeDeps {
  ProcessSpawner* spawner = nullptr;  // MISC_CHECK
  // MISC_CHECK: splits misc_path and resolves `user` (vigild passes the same
  // rules as vrrp_script's; tests a plain split).
  ScriptPreparer prepareScript;
  CurlMulti* curl = nullptr;                      // HTTP_GET, SSL_GET
  std::shared_ptr<const config::SslContext> ssl;  // SSL_GET; null: defaults
};

// The probe for `checker`. Types vigil cannot run yet (SMTP_CHECK,
// DNS_CHECK, UDP_CHECK, PING_CHECK, FILE_CHECK) give an ENOTSUP error
// "<TYPE> not supported yet", for the caller to log.
Result<std::unique_ptr<Probe>> makeProbe(EventLoop& loop, const config::Checker& checker,
                                         const ProbeDeps& deps);

// How long one attempt may take: misc_timeout for MISC_CHECK,
// connect_timeout for the rest.
Duration attemptTimeout(const config::Checker& checker);

// "TCP_CHECK [10.0.0.2]:80", "MISC_CHECK /usr/bin/check-db": for logs.
std::string describe(const config::Checker& checker);

// makeProbe() wrapped in a (not yet started) Checker with the right
// attempt timeout, named by describe().
Result<std::unique_ptr<Checker>> makeChecker(EventLoop& loop, const config::Checker& checker,
                                             const ProbeDeps& deps,
                                             Checker::RandomSource random = {});

}  // namespace vigil::check
