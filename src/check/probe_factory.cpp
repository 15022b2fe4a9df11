#include "check/probe_factory.h"

#include <fmt/format.h>

#include <cerrno>

#include "check/http_probe.h"
#include "check/misc_probe.h"
#include "check/tcp_probe.h"

namespace vigil::check {
namespace {

Error notSupported(const config::Checker& checker) {
  return Error{ENOTSUP, fmt::format("{} not supported yet", config::toString(checker.base.type))};
}

Result<std::unique_ptr<Probe>> makeMiscProbe(EventLoop& loop, const config::Checker& checker,
                                             const config::MiscCheck& misc, const ProbeDeps& deps) {
  if (deps.spawner == nullptr || !deps.prepareScript) {
    return Error{EINVAL, "MISC_CHECK: no process spawner"};
  }
  auto request = deps.prepareScript(misc.script);
  if (!request) {
    return Error{request.error().code,
                 "MISC_CHECK " + misc.script.command + ": " + request.error().message};
  }
  return std::unique_ptr<Probe>(std::make_unique<MiscProbe>(
      loop, *deps.spawner, std::move(*request), attemptTimeout(checker), misc.dynamic));
}

}  // namespace

Result<std::unique_ptr<Probe>> makeProbe(EventLoop& loop, const config::Checker& checker,
                                         const ProbeDeps& deps) {
  switch (checker.base.type) {
    case config::CheckerType::Tcp:
      return std::unique_ptr<Probe>(std::make_unique<TcpProbe>(loop, checker.target));
    case config::CheckerType::Misc:
      return makeMiscProbe(loop, checker, std::get<config::MiscCheck>(*checker.probe), deps);
    case config::CheckerType::Http:
    case config::CheckerType::Ssl:
      if (deps.curl == nullptr) {
        return Error{EINVAL,
                     fmt::format("{}: no curl multi handle", config::toString(checker.base.type))};
      }
      return std::unique_ptr<Probe>(
          std::make_unique<HttpProbe>(loop, checker, *deps.curl, deps.ssl));
    case config::CheckerType::Smtp:
    case config::CheckerType::Dns:
    case config::CheckerType::Udp:
    case config::CheckerType::Ping:
    case config::CheckerType::File:
      break;
  }
  return notSupported(checker);
}

Duration attemptTimeout(const config::Checker& checker) {
  if (const auto* misc = std::get_if<config::MiscCheck>(checker.probe.get())) {
    return misc->timeout;
  }
  return checker.base.connectTimeout;
}

std::string describe(const config::Checker& checker) {
  std::string_view type = config::toString(checker.base.type);
  if (const auto* misc = std::get_if<config::MiscCheck>(checker.probe.get())) {
    return fmt::format("{} {}", type, misc->script.command);
  }
  const config::ProbeTarget& t = checker.target;
  return fmt::format("{} [{}]:{}", type, t.address.toString(), t.port);
}

Result<std::unique_ptr<Checker>> makeChecker(EventLoop& loop, const config::Checker& checker,
                                             const ProbeDeps& deps, Checker::RandomSource random) {
  auto probe = makeProbe(loop, checker, deps);
  if (!probe) {
    return probe.error();
  }
  return std::make_unique<Checker>(loop, checker.base, attemptTimeout(checker), std::move(*probe),
                                   std::move(random), describe(checker));
}

}  // namespace vigil::check
