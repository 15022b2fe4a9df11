// Entries of virtual_ipaddress(_excluded) / static_ipaddress and
// virtual_routes / static_routes (rules: parse_vrrp_rule.cpp).
// Addresses are fully typed. Routes type the fields vigil needs to identify
// and install them and keep the rest of `ip route` grammar as written, in
// order.
#include <algorithm>
#include <array>

#include "config/parse_vrrp_internal.h"
#include "config/parse_vrrp_words.h"

namespace vigil::config::vrrp {
namespace {

using parse::quoted;

using Words = EntryWords;

bool isOneOf(const std::string& word, std::initializer_list<std::string_view> list) {
  return std::find(list.begin(), list.end(), word) != list.end();
}

bool sameFamily(const IpAddress& a, int family, const Token& tok, Words& w, ParseContext& ctx,
                const char* opt) {
  if (a.family() == family) {
    return true;
  }
  ctx.error(tok.pos, w.what(opt) + " " + tok.text + " is not of the same family as the address");
  return false;
}

bool addressBroadcast(const Token& v, VirtualAddress& a, Words& w, ParseContext& ctx) {
  if (v.text == "+" || v.text == "-") {
    a.broadcastMode = v.text == "+" ? VirtualAddress::Broadcast::SetHostBits
                                    : VirtualAddress::Broadcast::ClearHostBits;
    return true;
  }
  auto b = ctx.address(v, w.what("brd"));
  if (!b || !sameFamily(*b, a.prefix.address.family(), v, w, ctx, "brd")) {
    return false;
  }
  a.broadcastMode = VirtualAddress::Broadcast::Address;
  a.broadcast = *b;
  return true;
}

bool addressPreferredLft(const Token& v, VirtualAddress& a, Words& w, ParseContext& ctx) {
  if (v.text == "forever") {
    a.preferredLft = VirtualAddress::kForever;
    return true;
  }
  auto secs = ctx.integer(v, w.what("preferred_lft"), 0, VirtualAddress::kForever - 1);
  if (secs) {
    a.preferredLft = static_cast<uint32_t>(*secs);
  }
  return secs.has_value();
}

// An option taking a value; false after an error.
bool addressValueOption(const Token& opt, const Token& v, VirtualAddress& a, AddressUse use,
                        Words& w, ParseContext& ctx) {
  const std::string& o = opt.text;
  if (o == "brd") {
    return addressBroadcast(v, a, w, ctx);
  }
  if (o == "dev") {
    a.dev = v.text;
  } else if (o == "label") {
    a.label = v.text;
  } else if (o == "scope") {
    auto s = ctx.oneOf(v, "scope", {"global", "site", "link", "host", "nowhere"});
    a.scope = s.value_or(a.scope);
    return s.has_value();
  } else if (o == "peer") {
    auto p = ctx.prefix(v, w.what("peer"));
    if (!p || !sameFamily(p->address, a.prefix.address.family(), v, w, ctx, "peer")) {
      return false;
    }
    a.peer = *p;
  } else if (o == "preferred_lft") {
    return addressPreferredLft(v, a, w, ctx);
  } else if (o == "track_group" && use == AddressUse::Static) {
    a.trackGroup = v.text;
  } else {
    w.unknown(opt);
    return false;
  }
  return true;
}

bool addressFlag(const std::string& o, VirtualAddress& a, AddressUse use) {
  bool* flag = nullptr;
  if (o == "home") {
    flag = &a.home;
  } else if (o == "-nodad" || o == "nodad") {
    flag = &a.noDad;
  } else if (o == "mngtmpaddr") {
    flag = &a.mngTmpAddr;
  } else if (o == "noprefixroute") {
    flag = &a.noPrefixRoute;
  } else if (o == "autojoin") {
    flag = &a.autoJoin;
  } else if (o == "no_track" && use == AddressUse::Virtual) {
    flag = &a.noTrack;
  } else if (o == "use_vmac" && use == AddressUse::Virtual) {
    flag = &a.useVmac;
  }
  if (flag != nullptr) {
    *flag = true;
  }
  return flag != nullptr;
}

bool isAddressValueOption(const std::string& o) {
  return isOneOf(o, {"brd", "dev", "label", "scope", "peer", "preferred_lft", "track_group"});
}

// Route words vigil passes through: `ip route` options that take one value.
bool isRouteValueOption(const std::string& o) {
  return isOneOf(o, {"tos",          "dsfield",  "realms",  "realm",      "mtu",
                     "advmss",       "rtt",      "rttvar",  "reordering", "window",
                     "cwnd",         "ssthresh", "rto_min", "initcwnd",   "initrwnd",
                     "features",     "quickack", "congctl", "pref",       "fastopen_no_cookie",
                     "hoplimit",     "expires",  "vrf",     "encap",      "weight",
                     "ttl-propagate"});
}

bool isRouteFlag(const std::string& o) {
  return isOneOf(o, {"onlink", "pervasive", "append", "add", "prepend", "inet", "inet6", "lock"});
}

bool isRouteType(const std::string& o) {
  return isOneOf(o, {"unicast", "blackhole", "unreachable", "prohibit", "throw", "local",
                     "broadcast", "anycast", "multicast", "nat"});
}

struct RouteParser {
  VirtualRoute& r;
  AddressUse use;
  Words& w;
  ParseContext& ctx;
  bool haveTo = false;

  bool address(const Token& v, const char* opt, std::optional<IpAddress>& out) {
    out = ctx.address(v, w.what(opt));
    return out.has_value();
  }

  bool destination(const Token& v) {
    if (v.text == "default") {
      bool v6 = std::find(r.options.begin(), r.options.end(), "inet6") != r.options.end();
      r.to = *IpPrefix::parse(v6 ? "::/0" : "0.0.0.0/0");
      haveTo = true;
      return true;
    }
    auto p = ctx.prefix(v, w.what("destination"));
    if (p) {
      r.to = *p;
      haveTo = true;
    }
    return p.has_value();
  }

  bool valueOption(const Token& opt) {
    const Token* v = w.value(opt);
    if (v == nullptr) {
      return false;
    }
    const std::string& o = opt.text;
    if (o == "src") {
      return address(*v, "src", r.src);
    }
    if (o == "to") {
      return destination(*v);
    }
    if (o == "via" || o == "gw") {
      if (v->text == "inet" || v->text == "inet6") {
        if ((v = w.value(*v)) == nullptr) {
          return false;
        }
      }
      return address(*v, "via", r.via);
    }
    if (o == "dev" || o == "oif") {
      r.dev = v->text;
    } else if (o == "table") {
      if (!ctx.routeTable(*v, w.what(o))) return false;
      r.table = v->text;
    } else if (o == "metric" || o == "priority" || o == "preference") {
      auto m = ctx.integer(*v, w.what(o), 0, UINT32_MAX);
      r.metric = m ? std::optional<uint32_t>(static_cast<uint32_t>(*m)) : std::nullopt;
      return m.has_value();
    } else if (o == "scope") {
      r.scope = v->text;
    } else if (o == "protocol" || o == "proto") {
      r.protocol = v->text;
    } else if (o == "track_group") {
      r.trackGroup = v->text;
    } else {  // "or" (an old second next hop) and pass-through options
      r.options.push_back(o);
      r.options.push_back(v->text);
      // `ip route` metrics may be locked: "ssthresh lock 107".
      if (v->text == "lock") {
        if ((v = w.value(*v)) == nullptr) {
          return false;
        }
        r.options.push_back(v->text);
      }
    }
    return true;
  }

  bool isValueOption(const std::string& o) const {
    return isOneOf(o, {"src", "to", "via", "gw", "dev", "oif", "table", "metric", "priority",
                       "preference", "scope", "protocol", "proto", "or"}) ||
           (o == "track_group" && use == AddressUse::Static) || isRouteValueOption(o);
  }

  bool word(const Token& tok) {
    const std::string& o = tok.text;
    if (o == "nexthop") {  // multipath: the rest of the line, as written
      r.options.push_back(o);
      while (!w.done()) {
        r.options.push_back(w.next().text);
      }
      return true;
    }
    if (isValueOption(o)) {
      return valueOption(tok);
    }
    if (o == "no_track" && use == AddressUse::Virtual) {
      r.noTrack = true;
    } else if (isRouteType(o) && r.type.empty() && !haveTo) {
      r.type = o;
    } else if (isRouteFlag(o)) {
      r.options.push_back(o);
    } else if (!haveTo) {
      return destination(tok);
    } else {
      w.unknown(tok);
      return false;
    }
    return true;
  }
};

bool familiesAgree(const VirtualRoute& r, const Token& where, ParseContext& ctx,
                   std::string_view block) {
  int family = r.to.address.family();
  bool ok = (!r.src || r.src->family() == family) && (!r.via || r.via->family() == family);
  if (!ok) {
    ctx.error(where.pos, quoted(block) + " entry mixes IPv4 and IPv6 addresses");
  }
  return ok;
}

}  // namespace

std::optional<VirtualAddress> parseAddress(const Node& entry, std::string_view block,
                                           AddressUse use, ParseContext& ctx) {
  if (!ctx.expectNoBlock(entry)) {
    return std::nullopt;
  }
  Words w(entry, block, ctx);
  const Token& first = w.next();
  auto prefix = ctx.prefix(first, quoted(block) + " entry");
  if (!prefix) {
    return std::nullopt;
  }
  VirtualAddress a;
  a.prefix = *prefix;
  a.pos = first.pos;
  while (!w.done()) {
    const Token& opt = w.next();
    if (addressFlag(opt.text, a, use)) {
      continue;
    }
    if (!isAddressValueOption(opt.text)) {
      w.unknown(opt);
      return std::nullopt;
    }
    const Token* v = w.value(opt);
    if (v == nullptr || !addressValueOption(opt, *v, a, use, w, ctx)) {
      return std::nullopt;
    }
  }
  return a;
}

std::optional<VirtualRoute> parseRoute(const Node& entry, std::string_view block, AddressUse use,
                                       ParseContext& ctx) {
  if (!ctx.expectNoBlock(entry)) {
    return std::nullopt;
  }
  VirtualRoute r;
  r.pos = entry.pos();
  Words w(entry, block, ctx);
  RouteParser p{r, use, w, ctx};
  while (!w.done()) {
    if (!p.word(w.next())) {
      return std::nullopt;
    }
  }
  if (!p.haveTo) {
    ctx.error(entry.pos(), quoted(block) + " entry has no destination");
    return std::nullopt;
  }
  if (!familiesAgree(r, entry.keyword, ctx, block)) {
    return std::nullopt;
  }
  return r;
}

}  // namespace vigil::config::vrrp
