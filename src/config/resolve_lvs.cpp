// A virtual_server block resolved once it has been read whole: what real
// servers and the sorry server inherit, ports, scheduler flags, and the
// settings whose meaning depends on the address family. Checks that need
// other blocks (groups, duplicates, global_defs) are in validate_lvs.cpp.
#include <bit>

#include "config/parse_lvs_internal.h"

namespace vigil::config::lvs {
namespace {

using parse::quoted;

constexpr uint32_t kDefaultPersistenceTimeout = 360;

void resolveSchedulerFlags(VirtualServerDraft& d, ParseContext& ctx) {
  VirtualServer& vs = d.server;
  for (const PendingFlag& flag : d.schedulerFlags) {
    bool forSh = flag.name.starts_with("sh-");
    LvsScheduler needs = forSh ? LvsScheduler::Sh : LvsScheduler::Mh;
    if (vs.scheduler != needs) {
      ctx.warning(flag.pos, quoted(flag.name) + " applies only to the " +
                                std::string(toString(needs)) + " scheduler; ignored");
      continue;
    }
    vs.schedulerFlags |= flag.name.ends_with("-port") ? kSchedulerFlag2 : kSchedulerFlag1;
  }
}

std::string familyName(int family) { return family == AF_INET6 ? "IPv6" : "IPv4"; }

// persistence_granularity: an IPv4 netmask (255.255.255.0) or an IPv6 prefix
// length (64). Returns the family the written form implies, or AF_UNSPEC.
int readGranularity(const Token& tok, uint8_t& prefix, ParseContext& ctx) {
  if (tok.text.find('.') != std::string::npos) {
    auto mask = IpAddress::parse(tok.text);
    if (!mask || !mask->isV4()) {
      ctx.error(tok.pos,
                "'persistence_granularity' must be an IPv4 netmask such as "
                "255.255.255.0 or an IPv6 prefix length, got " +
                    quoted(tok.text));
      return AF_UNSPEC;
    }
    const uint8_t* b = mask->bytes();
    uint32_t bits = uint32_t{b[0]} << 24 | uint32_t{b[1]} << 16 | uint32_t{b[2]} << 8 | b[3];
    auto ones = static_cast<unsigned>(std::countl_one(bits));
    if (ones == 0 || (ones < 32 && (bits << ones) != 0)) {
      ctx.error(tok.pos, "'persistence_granularity' netmask " + tok.text +
                             " is not a contiguous, non-zero netmask");
      return AF_UNSPEC;
    }
    prefix = static_cast<uint8_t>(ones);
    return AF_INET;
  }
  auto length = ctx.integer(tok, "'persistence_granularity'", 1, 128);
  if (!length) {
    return AF_UNSPEC;
  }
  prefix = static_cast<uint8_t>(*length);
  return AF_INET6;
}

// ip_family and persistence_granularity: checked against an address's
// family, or they give a fwmark or group service its family.
bool resolveFamily(VirtualServerDraft& d, ParseContext& ctx) {
  VirtualServer& vs = d.server;
  bool ok = true;
  if (d.ipFamily) {
    int family = d.ipFamily->text == "inet6" ? AF_INET6 : AF_INET;
    if (vs.family != AF_UNSPEC && vs.family != family) {
      ctx.error(d.ipFamily->pos, "'ip_family' " + d.ipFamily->text + " conflicts with the " +
                                     familyName(vs.family) + " virtual server address");
      ok = false;
    }
    vs.family = family;
  }
  if (!d.granularity) {
    return ok;
  }
  uint8_t prefix = 0;
  int family = readGranularity(*d.granularity, prefix, ctx);
  if (family == AF_UNSPEC) {
    return false;
  }
  if (vs.family != AF_UNSPEC && vs.family != family) {
    ctx.error(d.granularity->pos,
              vs.family == AF_INET
                  ? "'persistence_granularity' of an IPv4 service is a netmask such as "
                    "255.255.255.0, got " +
                        quoted(d.granularity->text)
                  : "'persistence_granularity' of an IPv6 service is a prefix length 1-128, got " +
                        quoted(d.granularity->text));
    return false;
  }
  vs.family = family;
  vs.persistenceGranularity = prefix;
  if (vs.persistenceTimeout == 0) {
    vs.persistenceTimeout = kDefaultPersistenceTimeout;
  }
  return ok;
}

// DR and TUN deliver to the virtual server's own port, so a real server's
// port there is either that port or none; NAT servers without a port take
// the service's. Group services are checked per entry in validateLvs.
void resolvePort(uint16_t& port, const Forwarding& fw, const VirtualServer& vs,
                 const SourcePos& pos, const std::string& what, ParseContext& ctx) {
  bool nat = fw.method == ForwardingMethod::Nat;
  if (vs.kind == ServiceKind::Address) {
    if (port == 0) {
      port = vs.port;
    } else if (!nat && port != vs.port) {
      ctx.warning(pos, what + " port " + std::to_string(port) + " differs from the virtual " +
                           "server's port " + std::to_string(vs.port) + "; " +
                           std::string(toString(fw.method)) + " forwards to " +
                           std::to_string(vs.port));
      port = vs.port;
    }
  } else if (vs.kind == ServiceKind::Fwmark && !nat && port != 0) {
    ctx.warning(pos, what + " port " + std::to_string(port) +
                         " is ignored: " + std::string(toString(fw.method)) +
                         " to a fwmark service keeps the " + "packet's port");
    port = 0;
  }
}

void resolveSorryServer(VirtualServerDraft& d, ParseContext& ctx) {
  VirtualServer& vs = d.server;
  if (!d.sorry) {
    if (d.sorryForwarding) {
      ctx.warning(d.sorryForwarding->pos,
                  "'sorry_server_lvs_method' without a 'sorry_server'; ignored");
    }
    if (d.sorryInhibitPos.file != nullptr) {
      ctx.warning(d.sorryInhibitPos, "'sorry_server_inhibit' without a 'sorry_server'; ignored");
    }
    return;
  }
  SorryServer sorry = *d.sorry;
  sorry.forwarding = d.sorryForwarding ? d.sorryForwarding->forwarding : vs.forwarding;
  sorry.inhibit = d.sorryInhibit;
  resolvePort(sorry.port, sorry.forwarding, vs, sorry.pos, "sorry server", ctx);
  vs.sorryServer = sorry;
}

// `shared`: the options the previous real server of the service ended up
// with, taken again when equal (servers inheriting the service's virtualhost
// share one object); replaced by this server's otherwise.
std::optional<RealServer> resolveRealServer(RealServerDraft d, const VirtualServerDraft& vsd,
                                            std::shared_ptr<const RealServerOptions>& shared,
                                            ParseContext& ctx) {
  const VirtualServer& vs = vsd.server;
  RealServer rs = std::move(d.server);
  rs.forwarding = d.forwarding ? d.forwarding->forwarding : vs.forwarding;
  rs.weight = d.weight.value_or(vsd.realServerWeight);
  rs.inhibitOnFailure = d.inhibitOnFailure.value_or(vs.inhibitOnFailure);
  rs.alpha = d.settings.alpha.value_or(vs.alpha);
  RealServerOptions& options = d.options;
  if (!options.virtualhost) {
    options.virtualhost = vs.virtualhost;
  }
  if (options != RealServerOptions{}) {
    if (!shared || *shared != options) {
      shared = std::make_shared<const RealServerOptions>(std::move(options));
    }
    rs.options = shared;
  }
  bool ok = true;
  if (rs.upperThreshold() != 0 && rs.lowerThreshold() > rs.upperThreshold()) {
    ctx.error(d.lowerThresholdPos,
              "real server 'lthreshold' " + std::to_string(rs.lowerThreshold()) +
                  " is above its 'uthreshold' " + std::to_string(rs.upperThreshold()));
    ok = false;
  }
  resolvePort(rs.port, rs.forwarding, vs, rs.pos, "real server", ctx);
  rs.checkers.reserve(d.checkers.size());
  for (CheckerDraft& draft : d.checkers) {
    bool checkerOk = true;
    rs.checkers.push_back(
        resolveChecker(std::move(draft), rs, d.settings, vsd.settings, ctx, checkerOk));
    ok = ok && checkerOk;
  }
  if (!ok) {
    return std::nullopt;
  }
  return rs;
}

}  // namespace

std::optional<VirtualServer> resolveVirtualServer(VirtualServerDraft d, ParseContext& ctx) {
  VirtualServer& vs = d.server;
  if (d.forwarding) {
    vs.forwarding = d.forwarding->forwarding;
  }
  resolveSchedulerFlags(d, ctx);
  bool ok = resolveFamily(d, ctx);
  resolveSorryServer(d, ctx);
  if (d.realServers.empty()) {
    ctx.warning(vs.pos, "virtual server " + vs.describe() +
                            " has no real servers; ignored (as keepalived does)");
    return std::nullopt;
  }
  vs.realServers.reserve(d.realServers.size());
  std::shared_ptr<const RealServerOptions> sharedOptions;
  for (RealServerDraft& rsDraft : d.realServers) {
    if (auto rs = resolveRealServer(std::move(rsDraft), d, sharedOptions, ctx)) {
      vs.realServers.push_back(std::move(*rs));
    } else {
      ok = false;
    }
  }
  if (!ok) {
    return std::nullopt;
  }
  return std::move(vs);
}

}  // namespace vigil::config::lvs
