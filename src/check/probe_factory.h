#pragma once

#include <memory>
#include <string>

#include "check/checker.h"
#include "check/lvs_notify.h"
#include "check/probe.h"
#include "config/config.h"
#include "config/model_lvs.h"
#include "core/event_loop.h"
#include "core/process_spawner.h"
#include "core/result.h"

// Turns a configured checker into the Probe that runs it, and into a ready
// Checker. The one place that knows which probe class serves which
// CheckerType.
namespace vigil::check {

class HttpProbeMaker;
class TcpSocketPool;
class TcpSynProber;

// What some probe types need from the worker. A probe type whose
// dependency is missing fails to build with an error saying which.
struct ProbeDeps {
  ProcessSpawner* spawner = nullptr;  // MISC_CHECK
  // MISC_CHECK: splits misc_path and resolves `user` (vigild passes the same
  // rules as vrrp_script's; tests a plain split).
  ScriptPreparer prepareScript;
  // HTTP_GET, SSL_GET (vigild: the module loader of cli/vigild/http_module.h).
  HttpProbeMaker* http = nullptr;
  std::shared_ptr<const config::SslContext> ssl;  // SSL_GET; null: defaults
  // TCP_CHECK without bind options reuses its sockets; null: one per attempt.
  TcpSocketPool* tcpPool = nullptr;
  // TCP_CHECK in tcp_check_mode syn; null (or no raw sockets): it connects.
  TcpSynProber* tcpSyn = nullptr;
  // FILE_CHECK: the configuration the checker comes from, for its
  // track_file block and its real server's weight.
  std::shared_ptr<const config::Config> config;
};

// The probe for `checker`, or an error for the caller to log (a missing
// dependency, a FILE_CHECK whose track_file is not in deps.config).
Result<std::unique_ptr<Probe>> makeProbe(EventLoop& loop, const config::Checker& checker,
                                         const ProbeDeps& deps);

// How long one attempt may take: misc_timeout for MISC_CHECK,
// connect_timeout per host for SMTP_CHECK, connect_timeout plus
// kUdpSilenceMargin for a UDP_CHECK without require_reply (its probe
// passes on silence at connect_timeout), connect_timeout for the rest.
Duration attemptTimeout(const config::Checker& checker);
inline constexpr Duration kUdpSilenceMargin = std::chrono::seconds(1);

// "TCP_CHECK [10.0.0.2]:80", "MISC_CHECK /usr/bin/check-db": for logs.
std::string describe(const config::Checker& checker);

// makeProbe() wrapped in a (not yet started) Checker with the right
// attempt timeout, named by describe().
Result<std::unique_ptr<Checker>> makeChecker(EventLoop& loop, const config::Checker& checker,
                                             const ProbeDeps& deps,
                                             Checker::RandomSource random = {});

}  // namespace vigil::check
