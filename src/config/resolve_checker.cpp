// A checker's settings resolved: checker <- real server <- virtual server
// <- the checker type's default, and its target from the real server.
#include "config/parse_lvs_internal.h"

namespace vigil::config::lvs {
namespace {

using namespace std::chrono_literals;

constexpr Duration kDefaultDelayLoop = 60s;
constexpr Duration kDefaultConnectTimeout = 5s;
constexpr uint16_t kSmtpPort = 25;
constexpr uint16_t kDnsPort = 53;

// What a checker type uses when no level sets retry / delay_before_retry
// (keepalived.conf(5)): DNS_CHECK retries 3 times after delay_loop,
// MISC_CHECK does not retry, HTTP_GET and SSL_GET wait 3 s, others 1 s.
struct TypeDefaults {
  uint32_t retry = 1;
  std::optional<Duration> delayBeforeRetry = 1s;  // nullopt: the delay_loop
};

TypeDefaults defaultsFor(CheckerType type) {
  switch (type) {
    case CheckerType::Dns:
      return {3, std::nullopt};
    case CheckerType::Misc:
      return {0, 1s};
    case CheckerType::Http:
    case CheckerType::Ssl:
      return {1, 3s};
    default:
      return {};
  }
}

template <class T>
std::optional<T> firstSet(const std::optional<T>& a, const std::optional<T>& b,
                          const std::optional<T>& c) {
  return a ? a : (b ? b : c);
}

void resolveBase(CheckerBase& base, CheckerType type, const InheritedSettings& own,
                 const InheritedSettings& rs, const InheritedSettings& vs, bool rsAlpha) {
  TypeDefaults defaults = defaultsFor(type);
  base.delayLoop = firstSet(own.delayLoop, rs.delayLoop, vs.delayLoop).value_or(kDefaultDelayLoop);
  base.connectTimeout = firstSet(own.connectTimeout, rs.connectTimeout, vs.connectTimeout)
                            .value_or(kDefaultConnectTimeout);
  base.retry = firstSet(own.retry, rs.retry, vs.retry).value_or(defaults.retry);
  base.delayBeforeRetry = firstSet(own.delayBeforeRetry, rs.delayBeforeRetry, vs.delayBeforeRetry)
                              .value_or(defaults.delayBeforeRetry.value_or(base.delayLoop));
  base.warmup = firstSet(own.warmup, rs.warmup, vs.warmup).value_or(base.delayLoop);
  base.alpha = own.alpha.value_or(rsAlpha);
}

// Fills what the checker left unset from `fallback`, then from the real
// server.
ProbeTarget resolveTarget(ProbeTarget t, const ProbeTarget& fallback, const RealServer& rs) {
  if (t.address.empty()) {
    t.address = fallback.address.empty() ? rs.address : fallback.address;
  }
  if (t.port == 0) {
    t.port = fallback.port == 0 ? rs.port : fallback.port;
  }
  if (!t.bound()) {
    t.shareBinding(fallback);  // an SMTP host without its own: the checker's
  } else if (fallback.bound()) {
    ProbeBinding b = t.binding();
    const ProbeBinding& f = fallback.binding();
    if (b.address.empty()) {
      b.address = f.address;
    }
    if (b.port == 0) {
      b.port = f.port;
    }
    if (b.interface.empty()) {
      b.interface = f.interface;
    }
    if (b.fwmark == 0) {
      b.fwmark = f.fwmark;
    }
    t.setBinding(b);
  }
  return t;
}

// Reports what makes a target unusable; `defaultPort` replaces a missing
// port where the protocol has a well-known one.
bool checkTarget(ProbeTarget& t, const Checker& c, uint16_t defaultPort, ParseContext& ctx) {
  const CheckerType type = c.base.type;
  const std::string name(toString(type));
  bool ok = true;
  const IpAddress& bindto = t.bindAddress();
  if (!bindto.empty() && bindto.family() != t.address.family()) {
    ctx.error(c.base.pos, name + " 'bindto' " + bindto.toString() +
                              " is not of the same address family as the target " +
                              t.address.toString());
    ok = false;
  }
  if (bindto.isV6() && bindto.isLinkLocal() && t.bindInterface().empty()) {
    ctx.error(c.base.pos,
              name + " 'bindto' " + bindto.toString() + " is link-local and needs 'bind_if'");
    ok = false;
  }
  if (t.port == 0) {
    t.port = defaultPort;
  }
  if (t.port == 0 && type != CheckerType::Ping) {
    ctx.error(c.base.pos, name +
                              " has no port to connect to: give the real server a port "
                              "or set 'connect_port'");
    ok = false;
  }
  if (type == CheckerType::Ping) {
    t.port = 0;
  }
  return ok;
}

bool resolveHttp(HttpCheck& http, const CheckerDraft& d, const Checker& c, const RealServer& rs,
                 ParseContext& ctx) {
  if (http.urls.empty()) {
    ctx.error(c.base.pos,
              std::string(toString(c.base.type)) + " needs at least one url { path ... }");
    return false;
  }
  auto virtualhost = d.virtualhost ? d.virtualhost : rs.virtualhost();
  for (HttpUrl& url : http.urls) {
    if (!url.virtualhost) {
      url.virtualhost = virtualhost;
    }
  }
  if (!http.tls && (http.enableSni || http.verifyCertificate || !http.sniName.empty())) {
    ctx.warning(c.base.pos, "enable_sni, sni_name and verify_cert apply only to SSL_GET");
  }
  return true;
}

// SMTP_CHECK's host blocks take what they leave unset from the checker's
// own connect_* settings; without host blocks, the checker is its one host.
bool resolveSmtp(SmtpCheck& smtp, Checker& c, const CheckerDraft& d, const RealServer& rs,
                 ParseContext& ctx) {
  if (smtp.hosts.empty()) {
    smtp.hosts.push_back(ProbeTarget{});
  }
  bool ok = true;
  for (ProbeTarget& host : smtp.hosts) {
    host = resolveTarget(host, d.target, rs);
    ok = checkTarget(host, c, kSmtpPort, ctx) && ok;
  }
  c.target = smtp.hosts.front();
  return ok;
}

bool resolveUdp(const UdpCheck& udp, const Checker& c, ParseContext& ctx) {
  if (udp.minReplyLength > udp.maxReplyLength) {
    ctx.error(c.base.pos, "UDP_CHECK 'min_reply_length' " + std::to_string(udp.minReplyLength) +
                              " is above 'max_reply_length' " + std::to_string(udp.maxReplyLength));
    return false;
  }
  return true;
}

// The per-type part: required settings and per-type defaults.
bool resolveProbe(Checker& c, CheckerDraft& d, const RealServer& rs, ParseContext& ctx) {
  return std::visit(
      [&](auto& probe) -> bool {
        using P = std::decay_t<decltype(probe)>;
        if constexpr (std::is_same_v<P, HttpCheck>) {
          return resolveHttp(probe, d, c, rs, ctx);
        } else if constexpr (std::is_same_v<P, SmtpCheck>) {
          return resolveSmtp(probe, c, d, rs, ctx);
        } else if constexpr (std::is_same_v<P, UdpCheck>) {
          return resolveUdp(probe, c, ctx);
        } else if constexpr (std::is_same_v<P, MiscCheck>) {
          if (probe.script.command.empty()) {
            ctx.error(c.base.pos, "MISC_CHECK needs a 'misc_path'");
            return false;
          }
          bool timeoutSet = d.miscTimeout && d.miscTimeout->count() > 0;
          probe.timeout = timeoutSet ? *d.miscTimeout : c.base.delayLoop;
          return true;
        } else if constexpr (std::is_same_v<P, FileCheck>) {
          if (probe.trackFile.empty()) {
            ctx.error(c.base.pos, "FILE_CHECK needs a 'track_file'");
            return false;
          }
          return true;
        } else {
          return true;  // TCP_CHECK, DNS_CHECK, PING_CHECK: a target only
        }
      },
      d.probe);
}

// TCP_CHECK and PING_CHECK have (next to) no per-type settings: they all
// share one per setting.
std::shared_ptr<const CheckerProbe> share(CheckerProbe probe) {
  static const auto kPing = std::make_shared<const CheckerProbe>(PingCheck{});
  if (const auto* tcp = std::get_if<TcpCheck>(&probe)) {
    return sharedTcpCheck(*tcp);
  }
  if (std::holds_alternative<PingCheck>(probe)) {
    return kPing;
  }
  return std::make_shared<const CheckerProbe>(std::move(probe));
}

// Where the probe connects; SMTP_CHECK sets it from its hosts instead.
bool resolveCheckerTarget(Checker& c, const CheckerDraft& d, const RealServer& rs,
                          ParseContext& ctx) {
  c.target = resolveTarget(d.target, ProbeTarget{}, rs);
  switch (c.base.type) {
    case CheckerType::Misc:
    case CheckerType::File:
    case CheckerType::Smtp:
      return true;
    case CheckerType::Dns:
      return checkTarget(c.target, c, kDnsPort, ctx);
    default:
      return checkTarget(c.target, c, 0, ctx);
  }
}

}  // namespace

Checker resolveChecker(CheckerDraft draft, const RealServer& rs,
                       const InheritedSettings& rsSettings, const InheritedSettings& vsSettings,
                       ParseContext& ctx, bool& ok) {
  Checker c = std::move(draft.checker);
  resolveBase(c.base, c.base.type, draft.settings, rsSettings, vsSettings, rs.alpha);
  bool targetOk = resolveCheckerTarget(c, draft, rs, ctx);
  ok = resolveProbe(c, draft, rs, ctx) && targetOk && draft.valid;
  c.probe = share(std::move(draft.probe));
  return c;
}

}  // namespace vigil::config::lvs
