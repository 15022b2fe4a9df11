// Entries of virtual_rules / static_rules: `ip rule add`'s grammar (without
// its abbreviations, as keepalived.conf(5) says), typed here so that a bad
// value is a configuration error at its word, not a failed install.
#include <net/if.h>
#include <strings.h>

#include <algorithm>
#include <array>
#include <cstring>

#include "config/parse_vrrp_internal.h"
#include "config/parse_vrrp_words.h"
#include "core/netlink/route_manager.h"

namespace vigil::config::vrrp {
namespace {

using parse::quoted;

using parse::decimalOrHex;

// IP protocol names `ip rule ... ip_proto` accepts (any case), or 0-255.
std::optional<uint8_t> ipProtocol(std::string_view text) {
  struct Named {
    const char* name;
    uint8_t value;
  };
  static constexpr std::array<Named, 10> kNames{{{"icmp", 1},
                                                 {"igmp", 2},
                                                 {"tcp", 6},
                                                 {"udp", 17},
                                                 {"dccp", 33},
                                                 {"gre", 47},
                                                 {"esp", 50},
                                                 {"ah", 51},
                                                 {"ipv6-icmp", 58},
                                                 {"sctp", 132}}};
  for (const Named& n : kNames) {
    if (text.size() == strlen(n.name) && strncasecmp(text.data(), n.name, text.size()) == 0) {
      return n.value;
    }
  }
  auto v = decimalOrHex(text);
  if (!v || *v > 255) return std::nullopt;
  return static_cast<uint8_t>(*v);
}

bool isValueKeyword(const std::string& o) {
  static constexpr std::array<std::string_view, 22> kWords{"from",
                                                           "to",
                                                           "table",
                                                           "lookup",
                                                           "preference",
                                                           "priority",
                                                           "pref",
                                                           "order",
                                                           "goto",
                                                           "iif",
                                                           "oif",
                                                           "fwmark",
                                                           "tos",
                                                           "dsfield",
                                                           "realms",
                                                           "uidrange",
                                                           "protocol",
                                                           "ip_proto",
                                                           "sport",
                                                           "dport",
                                                           "suppress_prefixlength",
                                                           "suppress_ifgroup"};
  return std::find(kWords.begin(), kWords.end(), o) != kWords.end();
}

struct RuleParser {
  VirtualRule& r;
  AddressUse use;
  EntryWords& w;
  ParseContext& ctx;

  bool bad(const Token& opt, const Token& v, std::string_view expected) {
    ctx.error(v.pos, w.what(opt.text) + " " + quoted(v.text) + " is not " + std::string(expected));
    return false;
  }

  // keepalived skips a rule whose address is malformed (with a warning);
  // Debian's own sample has one, so vigil does the same.
  bool prefix(const Token& v, std::optional<IpPrefix>& out) {
    if (v.text == "all") {
      return true;
    }
    out = IpPrefix::parse(v.text);
    if (!out) {
      ctx.warning(v.pos, w.what("address") + " " + quoted(v.text) +
                             " is not a valid address or address/prefix; the rule is skipped");
    }
    return out.has_value();
  }

  // `N` or `N-M` (N <= M <= max).
  bool range(const Token& opt, const Token& v, uint32_t max, std::optional<RuleRange>& out) {
    const std::string& t = v.text;
    const size_t dash = t.find('-');
    auto start = decimalOrHex(std::string_view(t).substr(0, dash));
    auto end =
        dash == std::string::npos ? start : decimalOrHex(std::string_view(t).substr(dash + 1));
    if (!start || !end || *start > *end || *end > max) {
      return bad(opt, v, "N or N-M with N <= M <= " + std::to_string(max));
    }
    out = RuleRange{*start, *end};
    return true;
  }

  bool fwmark(const Token& opt, const Token& v) {
    const std::string& t = v.text;
    const size_t slash = t.find('/');
    auto mark = decimalOrHex(std::string_view(t).substr(0, slash));
    auto mask = slash == std::string::npos ? std::optional<uint32_t>(UINT32_MAX)
                                           : decimalOrHex(std::string_view(t).substr(slash + 1));
    if (!mark || !mask) return bad(opt, v, "a mark or MARK/MASK (decimal or 0x hexadecimal)");
    r.fwmark = *mark;
    if (slash != std::string::npos) r.fwmask = *mask;
    return true;
  }

  // `realms [FROM/]TO`, each a number 0-65535 or a name of rt_realms.
  bool realms(const Token& opt, const Token& v) {
    const std::string_view t = v.text;
    const size_t slash = t.find('/');
    if (t.empty() || slash == 0 || slash + 1 == t.size()) {
      return bad(opt, v, "TO or FROM/TO with realm numbers 0-65535 or names");
    }
    auto from = slash == std::string::npos ? std::optional<uint32_t>(0)
                                           : ctx.realm(v, t.substr(0, slash), w.what(opt.text));
    auto to = ctx.realm(v, slash == std::string::npos ? t : t.substr(slash + 1), w.what(opt.text));
    if (!from || !to) return false;
    r.realms = *from << 16 | *to;
    return true;
  }

  bool byte(const Token& opt, const Token& v, std::optional<uint8_t>& out) {
    auto n = decimalOrHex(v.text);
    if (!n || *n > 255) return bad(opt, v, "a number 0-255");
    out = static_cast<uint8_t>(*n);
    return true;
  }

  bool interface(const Token& opt, const Token& v, std::string& out) {
    if (v.text.empty() || v.text.size() >= IFNAMSIZ) {
      return bad(opt, v, "an interface name of at most " + std::to_string(IFNAMSIZ - 1) + " bytes");
    }
    out = v.text;
    return true;
  }

  bool unsignedValue(const Token& opt, const Token& v, uint32_t max, std::optional<uint32_t>& out) {
    auto n = ctx.integer(v, w.what(opt.text), 0, max);
    if (n) out = static_cast<uint32_t>(*n);
    return n.has_value();
  }

  bool valueOption(const Token& opt) {
    const Token* v = w.value(opt);
    if (v == nullptr) {
      return false;
    }
    const std::string& o = opt.text;
    if (o == "from" || o == "to") return prefix(*v, o == "from" ? r.from : r.to);
    if (o == "table" || o == "lookup") {
      if (!ctx.routeTable(*v, w.what(o))) return false;
      r.table = v->text;
      return true;
    }
    if (o == "preference" || o == "priority" || o == "pref" || o == "order") {
      return unsignedValue(opt, *v, UINT32_MAX, r.preference);
    }
    if (o == "goto") {
      std::optional<uint32_t> target;
      if (!unsignedValue(opt, *v, UINT32_MAX, target)) return false;
      r.action = VirtualRule::Action::Goto;
      r.gotoTarget = *target;
      return true;
    }
    if (o == "iif") return interface(opt, *v, r.iif);
    if (o == "oif") return interface(opt, *v, r.oif);
    if (o == "fwmark") return fwmark(opt, *v);
    if (o == "tos" || o == "dsfield") return byte(opt, *v, r.tos);
    if (o == "realms") return realms(opt, *v);
    if (o == "uidrange") return range(opt, *v, UINT32_MAX, r.uidRange);
    if (o == "sport") return range(opt, *v, 65535, r.sport);
    if (o == "dport") return range(opt, *v, 65535, r.dport);
    if (o == "protocol") {
      r.protocol = netlink::routeProtocolNamed(v->text);
      return r.protocol ? true : bad(opt, *v, "a protocol name of rt_protos or a number 0-255");
    }
    if (o == "ip_proto") {
      r.ipProto = ipProtocol(v->text);
      return r.ipProto ? true : bad(opt, *v, "an IP protocol (tcp, udp, icmp, ...) or 0-255");
    }
    if (o == "suppress_prefixlength") return unsignedValue(opt, *v, 128, r.suppressPrefixLength);
    if (o == "suppress_ifgroup") return unsignedValue(opt, *v, INT32_MAX, r.suppressIfGroup);
    r.trackGroup = v->text;  // track_group
    return true;
  }

  bool word(const Token& tok) {
    const std::string& o = tok.text;
    if (isValueKeyword(o) || (o == "track_group" && use == AddressUse::Static)) {
      return valueOption(tok);
    }
    if (o == "no_track" && use == AddressUse::Virtual) {
      r.noTrack = true;
    } else if (o == "inet6") {
      r.inet6 = true;
    } else if (o == "inet") {
      r.inet6 = false;
    } else if (o == "not") {
      r.invert = true;
    } else if (o == "l3mdev") {
      r.l3mdev = true;
    } else if (o == "blackhole") {
      r.action = VirtualRule::Action::Blackhole;
    } else if (o == "prohibit") {
      r.action = VirtualRule::Action::Prohibit;
    } else if (o == "unreachable") {
      r.action = VirtualRule::Action::Unreachable;
    } else if (o == "nop") {
      r.action = VirtualRule::Action::Nop;
    } else {
      w.unknown(tok);
      return false;
    }
    return true;
  }
};

// Combinations the kernel refuses (fib_nl2rule), reported at the entry.
bool consistent(const VirtualRule& r, const Node& entry, std::string_view block,
                ParseContext& ctx) {
  auto refuse = [&](const std::string& why) {
    ctx.error(entry.pos(), quoted(block) + " entry " + why);
    return false;
  };
  if (r.from && r.to && r.from->address.family() != r.to->address.family()) {
    return refuse("mixes IPv4 and IPv6 addresses");
  }
  if (r.inet6 && ((r.from && !r.from->address.isV6()) || (r.to && !r.to->address.isV6()))) {
    return refuse("says inet6 but has an IPv4 address");
  }
  if (r.l3mdev && !r.table.empty()) return refuse("has both 'l3mdev' and 'table'");
  if (r.l3mdev && r.action != VirtualRule::Action::Lookup) {
    return refuse("has 'l3mdev' with another action than a table lookup");
  }
  if (r.fwmask && !r.fwmark) return refuse("has a fwmark mask without a mark");
  return true;
}

}  // namespace

std::optional<VirtualRule> parseRule(const Node& entry, std::string_view block, AddressUse use,
                                     ParseContext& ctx) {
  if (!ctx.expectNoBlock(entry)) {
    return std::nullopt;
  }
  VirtualRule r;
  r.pos = entry.pos();
  EntryWords w(entry, block, ctx);
  RuleParser p{r, use, w, ctx};
  while (!w.done()) {
    if (!p.word(w.next())) {
      return std::nullopt;
    }
  }
  if (!consistent(r, entry, block, ctx)) return std::nullopt;
  return r;
}

}  // namespace vigil::config::vrrp

namespace vigil::config {

int VirtualRule::family() const {
  if ((from && from->address.isV6()) || (to && to->address.isV6()) || inet6) {
    return AF_INET6;
  }
  return AF_INET;
}

std::string_view ruleActionName(VirtualRule::Action action) {
  switch (action) {
    case VirtualRule::Action::Goto:
      return "goto";
    case VirtualRule::Action::Nop:
      return "nop";
    case VirtualRule::Action::Blackhole:
      return "blackhole";
    case VirtualRule::Action::Unreachable:
      return "unreachable";
    case VirtualRule::Action::Prohibit:
      return "prohibit";
    case VirtualRule::Action::Lookup:
      break;
  }
  return "";
}

}  // namespace vigil::config
