#include "check/probe_factory.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <random>

#include "check/dns_probe.h"
#include "check/file_probe.h"
#include "check/http_probe_maker.h"
#include "check/misc_probe.h"
#include "check/ping_probe.h"
#include "check/smtp_probe.h"
#include "check/tcp_probe.h"
#include "check/tcp_syn_probe.h"
#include "check/udp_probe.h"

namespace vigil::check {
namespace {

// Query ids, echo identifiers and random UDP payloads: unpredictable
// enough that a stray or forged datagram does not pass for a reply.
std::function<uint16_t()> randomSource() {
  auto engine = std::make_shared<std::mt19937>(std::random_device{}());
  return [engine] { return static_cast<uint16_t>((*engine)() & 0xffff); };
}

// The real server a FILE_CHECK belongs to: the one whose checker shares
// its parameters (every parsed FILE_CHECK has its own).
const config::RealServer* ownerOf(const config::Config& config, const config::Checker& checker) {
  for (const config::VirtualServer& vs : config.lvs.virtualServers) {
    for (const config::RealServer& rs : vs.realServers) {
      for (const config::Checker& c : rs.checkers) {
        if (c.probe == checker.probe) {
          return &rs;
        }
      }
    }
  }
  return nullptr;
}

Result<std::unique_ptr<Probe>> makeFileProbe(EventLoop& loop, const config::Checker& checker,
                                             const config::FileCheck& file, const ProbeDeps& deps) {
  if (!deps.config) {
    return Error{EINVAL, "FILE_CHECK: no configuration to find its track_file in"};
  }
  const auto& files = deps.config->vrrp.trackFiles;
  auto tracked = std::find_if(files.begin(), files.end(),
                              [&](const config::TrackFile& t) { return t.name == file.trackFile; });
  if (tracked == files.end()) {
    return Error{ENOENT, "FILE_CHECK: no track_file " + file.trackFile};
  }
  const config::RealServer* owner = ownerOf(*deps.config, checker);
  FileRule rule;
  rule.path = tracked->path;
  rule.multiplier = file.weight;
  rule.reverse = file.reverse;
  rule.dynamic = file.dynamic;
  rule.configuredWeight = owner != nullptr ? owner->weight : 1;
  return std::unique_ptr<Probe>(std::make_unique<FileProbe>(loop, std::move(rule)));
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

// Syn mode when configured (validation already kept checks with bind_port,
// bind_if or fwmark in connect mode) and the prober has a raw socket for
// the family; otherwise the check connects rather than fail for want of
// CAP_NET_RAW (the prober logs that once).
bool usesSyn(const config::Checker& checker, const ProbeDeps& deps) {
  const auto* tcp = std::get_if<config::TcpCheck>(checker.probe.get());
  return tcp != nullptr && tcp->mode == config::TcpCheckMode::Syn && deps.tcpSyn != nullptr &&
         deps.tcpSyn->usable(checker.target.address.family());
}

}  // namespace

Result<std::unique_ptr<Probe>> makeProbe(EventLoop& loop, const config::Checker& checker,
                                         const ProbeDeps& deps) {
  switch (checker.base.type) {
    case config::CheckerType::Tcp:
      if (usesSyn(checker, deps)) {
        return std::unique_ptr<Probe>(std::make_unique<TcpSynProbe>(
            loop, *deps.tcpSyn, checker.target, attemptTimeout(checker)));
      }
      return std::unique_ptr<Probe>(std::make_unique<TcpProbe>(
          loop, checker.target, deps.tcpPool, std::get<config::TcpCheck>(*checker.probe).mode));
    case config::CheckerType::Misc:
      return makeMiscProbe(loop, checker, std::get<config::MiscCheck>(*checker.probe), deps);
    case config::CheckerType::Http:
    case config::CheckerType::Ssl:
      if (deps.http == nullptr) {
        return Error{EINVAL,
                     fmt::format("{}: no HTTP probe maker", config::toString(checker.base.type))};
      }
      return deps.http->makeHttpProbe(checker, deps.ssl);
    case config::CheckerType::Smtp:
      return std::unique_ptr<Probe>(std::make_unique<SmtpProbe>(
          loop, std::get<config::SmtpCheck>(*checker.probe), checker.base.connectTimeout));
    case config::CheckerType::Dns:
      return std::unique_ptr<Probe>(std::make_unique<DnsProbe>(
          loop, checker.target, std::get<config::DnsCheck>(*checker.probe), randomSource()));
    case config::CheckerType::Udp: {
      auto random = randomSource();
      return std::unique_ptr<Probe>(std::make_unique<UdpProbe>(
          loop, checker.target, std::get<config::UdpCheck>(*checker.probe),
          checker.base.connectTimeout, [random] { return static_cast<uint8_t>(random()); }));
    }
    case config::CheckerType::Ping:
      return std::unique_ptr<Probe>(
          std::make_unique<PingProbe>(loop, checker.target, randomSource()));
    case config::CheckerType::File:
      return makeFileProbe(loop, checker, std::get<config::FileCheck>(*checker.probe), deps);
  }
  return Error{ENOTSUP,
               fmt::format("{}: unknown checker type", config::toString(checker.base.type))};
}

Duration attemptTimeout(const config::Checker& checker) {
  if (const auto* misc = std::get_if<config::MiscCheck>(checker.probe.get())) {
    return misc->timeout;
  }
  if (const auto* smtp = std::get_if<config::SmtpCheck>(checker.probe.get())) {
    return checker.base.connectTimeout *
           static_cast<int64_t>(std::max<size_t>(smtp->hosts.size(), 1));
  }
  if (const auto* udp = std::get_if<config::UdpCheck>(checker.probe.get());
      udp != nullptr && !udp->requireReply) {
    return checker.base.connectTimeout + kUdpSilenceMargin;
  }
  return checker.base.connectTimeout;
}

std::string describe(const config::Checker& checker) {
  std::string_view type = config::toString(checker.base.type);
  if (const auto* misc = std::get_if<config::MiscCheck>(checker.probe.get())) {
    return fmt::format("{} {}", type, misc->script.command);
  }
  if (const auto* file = std::get_if<config::FileCheck>(checker.probe.get())) {
    return fmt::format("{} {}", type, file->trackFile);
  }
  const config::ProbeTarget& t = checker.target;
  if (checker.base.type == config::CheckerType::Ping) {
    return fmt::format("{} {}", type, t.address.toString());  // ICMP has no port
  }
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
