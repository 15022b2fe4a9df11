// vrrp_instance keywords about addresses. The instance's address family is
// decided by the first of its VIPs, unicast peers, source address,
// multicast group or native_ipv6 in file order; every later one must match
// (keepalived refuses mixed families too; excluded VIPs may differ).
#include "config/parse_vrrp_internal.h"

namespace vigil::config::vrrp {
namespace {

using parse::args;
using parse::quoted;
using parse::what;
using Instance = VrrpInstance;

std::string familyName(int family) { return family == AF_INET6 ? "IPv6" : "IPv4"; }

bool claimFamily(Instance& inst, int family, const Token& tok, const std::string& subject,
                 ParseContext& ctx) {
  if (inst.family == AF_UNSPEC) {
    inst.family = family;
    inst.at.family = tok.pos;
    return true;
  }
  if (inst.family == family) {
    return true;
  }
  ctx.error(tok.pos, subject + " is " + familyName(family) + " but vrrp_instance " +
                         quoted(inst.name) + " is " + familyName(inst.family) + " (from " +
                         inst.at.family.format() +
                         "); use virtual_ipaddress_excluded for addresses of the other family");
  return false;
}

void sourceAddress(const Node& node, Instance& inst, ParseContext& ctx) {
  if (!args(node, ctx, 1)) {
    return;
  }
  auto a = ctx.address(node.args[0], what(node));
  if (a &&
      claimFamily(inst, a->family(), node.args[0], what(node) + " " + node.args[0].text, ctx)) {
    inst.sourceAddress = *a;
    inst.at.sourceAddress = node.args[0].pos;
  }
}

void mcastDst(const Node& node, Instance& inst, ParseContext& ctx) {
  if (!args(node, ctx, 1)) {
    return;
  }
  const Token& tok = node.args[0];
  auto a = ctx.address(tok, what(node));
  if (!a) {
    return;
  }
  // RFC 4291 scope 2 (ffX2::) is link-local: adverts never leave the link.
  bool linkScope = a->isV6() && (a->bytes()[1] & 0x0f) == 2;
  if (!a->isMulticast() || (a->isV6() && !linkScope)) {
    ctx.error(tok.pos, what(node) + " " + tok.text + " is not a " +
                           (a->isV6() ? "link-local (ffX2::) " : "") + "multicast address");
    return;
  }
  if (claimFamily(inst, a->family(), tok, what(node) + " " + tok.text, ctx)) {
    inst.mcastDst = *a;
    inst.at.mcastDst = tok.pos;
  }
}

std::optional<uint8_t> peerTtl(const Node& entry, size_t& i, ParseContext& ctx) {
  const Token& opt = entry.args[i];
  if (i + 1 >= entry.args.size()) {
    ctx.error(opt.pos, "'unicast_peer' option " + quoted(opt.text) + " needs a value");
    return std::nullopt;
  }
  auto v = ctx.integer(entry.args[++i], "'unicast_peer' " + opt.text, 0, 255);
  return v ? std::optional<uint8_t>(static_cast<uint8_t>(*v)) : std::nullopt;
}

std::optional<UnicastPeer> peer(const Node& entry, Instance& inst, ParseContext& ctx) {
  if (!ctx.expectNoBlock(entry)) {
    return std::nullopt;
  }
  auto a = ctx.address(entry.keyword, "'unicast_peer' entry");
  if (!a || !claimFamily(inst, a->family(), entry.keyword, "unicast peer " + entry.name(), ctx)) {
    return std::nullopt;
  }
  UnicastPeer p{*a, std::nullopt, std::nullopt, entry.pos()};
  for (size_t i = 0; i < entry.args.size(); ++i) {
    const Token& opt = entry.args[i];
    if (opt.text != "min_ttl" && opt.text != "max_ttl") {
      ctx.error(opt.pos, "unknown 'unicast_peer' option " + quoted(opt.text) +
                             " (expected min_ttl or max_ttl)");
      return std::nullopt;
    }
    auto ttl = peerTtl(entry, i, ctx);
    if (!ttl) {
      return std::nullopt;
    }
    (opt.text == "min_ttl" ? p.minTtl : p.maxTtl) = ttl;
  }
  if (p.minTtl && p.maxTtl && *p.minTtl > *p.maxTtl) {
    ctx.error(entry.pos(), "'unicast_peer' " + entry.name() + ": min_ttl " +
                               std::to_string(*p.minTtl) + " is above max_ttl " +
                               std::to_string(*p.maxTtl));
    return std::nullopt;
  }
  return p;
}

void unicastPeers(const Node& node, Instance& inst, ParseContext& ctx) {
  if (!ctx.expectBlock(node) || !ctx.expectArgs(node, 0)) {
    return;
  }
  inst.unicast = true;
  inst.at.unicastPeer = node.pos();
  for (const Node& entry : node.children) {
    auto p = peer(entry, inst, ctx);
    if (!p) {
      continue;
    }
    if (p->minTtl || p->maxTtl) {  // a TTL range implies checking the source
      inst.checkUnicastSrc = true;
      inst.markSet(InstanceSetting::CheckUnicastSrc);
    }
    inst.unicastPeers.push_back(*p);
  }
}

const KeywordTable<VrrpAuth>& authTable() {
  static const KeywordTable<VrrpAuth> table = [] {
    KeywordTable<VrrpAuth> t("authentication");
    t.on("auth_type", [](const Node& node, VrrpAuth& auth, ParseContext& ctx) {
       if (!args(node, ctx, 1)) {
         return;
       }
       if (auto v = ctx.oneOf(node.args[0], "auth_type", {"PASS", "AH"})) {
         auth.type = *v == "PASS" ? VrrpAuthType::Pass : VrrpAuthType::Ah;
       }
     }).on("auth_pass", [](const Node& node, VrrpAuth& auth, ParseContext& ctx) {
      if (!args(node, ctx, 1)) {
        return;
      }
      // The VRRPv2 authentication field holds 8 bytes.
      auth.password = node.args[0].text;
      if (auth.password.size() > 8) {
        ctx.warning(node.args[0].pos,
                    "'auth_pass' is longer than 8 characters; only the first 8 are used");
        auth.password.resize(8);
      }
    });
    return t;
  }();
  return table;
}

void authentication(const Node& node, Instance& inst, ParseContext& ctx) {
  if (!ctx.expectBlock(node) || !ctx.expectArgs(node, 0)) {
    return;
  }
  VrrpAuth auth;
  auth.pos = node.pos();
  authTable().apply(node.children, auth, ctx);
  if (auth.type == VrrpAuthType::None) {
    ctx.warning(node.pos(), "'authentication' has no 'auth_type'; adverts are not authenticated");
  } else if (auth.password.empty()) {
    ctx.warning(node.pos(), "'authentication' has no 'auth_pass'; adverts are not authenticated");
    auth.type = VrrpAuthType::None;
  }
  inst.auth = auth;
}

void vips(const Node& node, Instance& inst, ParseContext& ctx) {
  if (!ctx.expectBlock(node) || !ctx.expectArgs(node, 0)) {
    return;
  }
  bool excluded = node.name() == "virtual_ipaddress_excluded";
  for (const Node& entry : node.children) {
    auto a = parseAddress(entry, node.name(), AddressUse::Virtual, ctx);
    if (!a) {
      continue;
    }
    if (!excluded &&
        !claimFamily(inst, a->prefix.address.family(), entry.keyword, "VIP " + entry.name(), ctx)) {
      continue;
    }
    (excluded ? inst.excludedVips : inst.vips).push_back(*a);
  }
}

void routes(const Node& node, Instance& inst, ParseContext& ctx) {
  if (!ctx.expectBlock(node) || !ctx.expectArgs(node, 0)) {
    return;
  }
  for (const Node& entry : node.children) {
    if (auto r = parseRoute(entry, node.name(), AddressUse::Virtual, ctx)) {
      inst.routes.push_back(std::move(*r));
    }
  }
}

void rules(const Node& node, Instance& inst, ParseContext& ctx) {
  if (!ctx.expectBlock(node) || !ctx.expectArgs(node, 0)) {
    return;
  }
  for (const Node& entry : node.children) {
    if (auto r = parseRule(entry, node.name(), AddressUse::Virtual, ctx)) {
      inst.rules.push_back(std::move(*r));
    }
  }
}

void nativeIpv6(const Node& node, Instance& inst, ParseContext& ctx) {
  if (args(node, ctx, 0)) {
    inst.nativeIpv6 = true;
    claimFamily(inst, AF_INET6, node.keyword, "'native_ipv6'", ctx);
  }
}

}  // namespace

void addInstanceAddressKeywords(KeywordTable<VrrpInstance>& t) {
  t.on({"mcast_src_ip", "unicast_src_ip"}, sourceAddress)
      .on("mcast_dst_ip", mcastDst)
      .on("unicast_peer", unicastPeers)
      .on("authentication", authentication)
      .on({"virtual_ipaddress", "virtual_ipaddress_excluded"}, vips)
      .on("virtual_routes", routes)
      .on("virtual_rules", rules)
      .on("native_ipv6", nativeIpv6);
}

}  // namespace vigil::config::vrrp
