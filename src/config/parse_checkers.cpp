// Checker blocks inside a real_server: the keywords they share, and
// TCP_CHECK, MISC_CHECK, SMTP_CHECK, DNS_CHECK, UDP_CHECK, PING_CHECK,
// FILE_CHECK (HTTP_GET and SSL_GET are in parse_checker_http.cpp).
#include "config/lvs_names.h"
#include "config/parse_lvs_internal.h"

namespace vigil::config::lvs {
namespace {

using D = CheckerDraft;
using parse::args;
using parse::flagInto;
using parse::quoted;
using parse::what;

template <class Probe>
Probe& probe(D& d) {
  return std::get<Probe>(d.probe);
}

// connect_ip, connect_port, bindto, bind_port, bind_if, fwmark: into the
// ProbeTarget that `get` finds (a checker's own, or an SMTP host's).
template <class T, class Get>
void addTargetKeywords(KeywordTable<T>& t, Get get) {
  t.on("connect_ip", [get](const Node& n, T& target, ParseContext& ctx) {
    if (args(n, ctx, 1)) {
      if (auto a = ctx.address(n.args[0], what(n))) {
        get(target).address = *a;
      }
    }
  });
  t.on("connect_port", [get](const Node& n, T& target, ParseContext& ctx) {
    if (args(n, ctx, 1)) {
      if (auto p = ctx.port(n.args[0], what(n))) {
        get(target).port = *p;
      }
    }
  });
  // The bind options: each keyword changes a copy of the target's (left
  // as it was when the value does not parse).
  auto binding = [get](auto set) {
    return [get, set](const Node& n, T& target, ParseContext& ctx) {
      ProbeTarget& probeTarget = get(target);
      ProbeBinding changed = probeTarget.binding();
      set(n, changed, ctx);
      probeTarget.setBinding(changed);
    };
  };
  t.on("bindto", binding([](const Node& n, ProbeBinding& b, ParseContext& ctx) {
         if (args(n, ctx, 1)) {
           if (auto a = ctx.address(n.args[0], what(n))) {
             b.address = *a;
           }
         }
       }));
  t.on("bind_port", binding([](const Node& n, ProbeBinding& b, ParseContext& ctx) {
         if (args(n, ctx, 1)) {
           if (auto p = ctx.port(n.args[0], what(n))) {
             b.port = *p;
           }
         }
       }));
  t.on("bind_if", binding([](const Node& n, ProbeBinding& b, ParseContext& ctx) {
         if (!args(n, ctx, 1)) {
           return;
         }
         auto name = InterfaceName::from(n.args[0].text);
         if (!name) {
           ctx.error(n.args[0].pos, "interface name " + quoted(n.args[0].text) +
                                        " is longer than " +
                                        std::to_string(InterfaceName::kMaxLength) + " characters");
           return;
         }
         b.interface = *name;
       }));
  t.on("fwmark", binding([](const Node& n, ProbeBinding& b, ParseContext& ctx) {
         if (auto v = parse::integerArg(n, ctx, 1, UINT32_MAX)) {
           b.fwmark = static_cast<uint32_t>(*v);
         }
       }));
}

// keepalived's free-form hex strings: each word is read two digits at a
// time, an odd last digit making a byte of its own ("Ab12f 3" is AB 12 0F
// 03). With `wildcards`, an x/X digit matches anything (its mask nibble is 0).
bool readHex(const Node& node, bool wildcards, std::vector<MaskedByte>& out, ParseContext& ctx) {
  auto nibble = [wildcards](char c, uint8_t& value, uint8_t& m) {
    m = 0xf;
    if (c >= '0' && c <= '9') {
      value = static_cast<uint8_t>(c - '0');
    } else if (c >= 'a' && c <= 'f') {
      value = static_cast<uint8_t>(c - 'a' + 10);
    } else if (c >= 'A' && c <= 'F') {
      value = static_cast<uint8_t>(c - 'A' + 10);
    } else if (wildcards && (c == 'x' || c == 'X')) {
      value = 0;
      m = 0;
    } else {
      return false;
    }
    return true;
  };
  for (const Token& word : node.args) {
    const std::string& w = word.text;
    for (size_t i = 0; i < w.size();) {
      // A lone last digit is the low nibble; the high one is a fixed 0.
      uint8_t hi = 0, lo = 0, hiMask = 0xf, loMask = 0;
      bool ok = (w.size() - i >= 2) ? nibble(w[i], hi, hiMask) && nibble(w[i + 1], lo, loMask)
                                    : nibble(w[i], lo, loMask);
      if (!ok) {
        ctx.error(word.pos, what(node) + " must be hex digits" + (wildcards ? " (x for any)" : "") +
                                ", got " + quoted(w));
        return false;
      }
      i += (w.size() - i >= 2) ? 2 : 1;
      out.push_back(
          {static_cast<uint8_t>(hi << 4 | lo), static_cast<uint8_t>(hiMask << 4 | loMask)});
    }
  }
  return true;
}

const KeywordTable<D>& tcpTable() {
  static const KeywordTable<D> table = [] {
    KeywordTable<D> t("TCP_CHECK");
    addCommonCheckerKeywords(t, true);
    t.on("tcp_check_mode", [](const Node& n, D& d, ParseContext& ctx) {
      if (auto v = parse::tcpCheckModeArg(n, ctx)) {
        probe<TcpCheck>(d).mode = *v;
        probe<TcpCheck>(d).modeSet = true;
      }
    });
    return t;
  }();
  return table;
}

const KeywordTable<D>& pingTable() {
  static const KeywordTable<D> table = [] {
    KeywordTable<D> t("PING_CHECK");
    addCommonCheckerKeywords(t, true);
    return t;
  }();
  return table;
}

const KeywordTable<D>& miscTable() {
  static const KeywordTable<D> table = [] {
    KeywordTable<D> t("MISC_CHECK");
    addCommonCheckerKeywords(t, false);
    t.on("misc_path", [](const Node& n, D& d, ParseContext& ctx) {
      if (args(n, ctx, 1, SIZE_MAX)) {
        probe<MiscCheck>(d).script.command = ParseContext::joinArgs(n);
        probe<MiscCheck>(d).script.pos = n.pos();
      }
    });
    t.on("misc_timeout", [](const Node& n, D& d, ParseContext& ctx) {
      if (auto v = parse::secondsArg(n, ctx, 0, kMaxTimer)) {
        d.miscTimeout = v;
      }
    });
    t.on("misc_dynamic", flagInto<D>([](D& d) -> bool& { return probe<MiscCheck>(d).dynamic; }));
    t.on("user", [](const Node& n, D& d, ParseContext& ctx) {
      if (auto account = parse::scriptAccount(n, ctx)) {
        probe<MiscCheck>(d).script.user = account->user;
        probe<MiscCheck>(d).script.group = account->group;
      }
    });
    return t;
  }();
  return table;
}

const KeywordTable<ProbeTarget>& smtpHostTable() {
  static const KeywordTable<ProbeTarget> table = [] {
    KeywordTable<ProbeTarget> t("SMTP_CHECK host");
    addTargetKeywords(t, [](ProbeTarget& p) -> ProbeTarget& { return p; });
    return t;
  }();
  return table;
}

const KeywordTable<D>& smtpTable() {
  static const KeywordTable<D> table = [] {
    KeywordTable<D> t("SMTP_CHECK");
    addCommonCheckerKeywords(t, true);
    t.on("helo_name", [](const Node& n, D& d, ParseContext& ctx) {
      if (args(n, ctx, 1)) {
        probe<SmtpCheck>(d).heloName = n.args[0].text;
      }
    });
    t.on("host", [](const Node& n, D& d, ParseContext& ctx) {
      if (ctx.expectArgs(n, 0) && ctx.expectBlock(n)) {
        ProbeTarget host;
        smtpHostTable().apply(n.children, host, ctx);
        probe<SmtpCheck>(d).hosts.push_back(host);
      }
    });
    return t;
  }();
  return table;
}

const KeywordTable<D>& dnsTable() {
  static const KeywordTable<D> table = [] {
    KeywordTable<D> t("DNS_CHECK");
    addCommonCheckerKeywords(t, true);
    t.on("type", [](const Node& n, D& d, ParseContext& ctx) {
      if (!args(n, ctx, 1)) {
        return;
      }
      if (auto type = dnsTypeNamed(n.args[0].text)) {
        probe<DnsCheck>(d).type = *type;
      } else {
        ctx.error(n.args[0].pos, "unknown DNS_CHECK 'type' " + quoted(n.args[0].text) +
                                     " (expected one of " + dnsTypeList() + ")");
      }
    });
    t.on("name", [](const Node& n, D& d, ParseContext& ctx) {
      if (args(n, ctx, 1)) {
        probe<DnsCheck>(d).name = n.args[0].text;
      }
    });
    return t;
  }();
  return table;
}

const KeywordTable<D>& udpTable() {
  static const KeywordTable<D> table = [] {
    KeywordTable<D> t("UDP_CHECK");
    addCommonCheckerKeywords(t, true);
    t.on("payload", [](const Node& n, D& d, ParseContext& ctx) {
      std::vector<MaskedByte> bytes;
      if (args(n, ctx, 1, SIZE_MAX) && readHex(n, false, bytes, ctx)) {
        auto& payload = probe<UdpCheck>(d).payload;
        payload.clear();
        for (MaskedByte b : bytes) {
          payload.push_back(b.value);
        }
      }
    });
    t.on("require_reply", [](const Node& n, D& d, ParseContext& ctx) {
      std::vector<MaskedByte> bytes;
      if (ctx.expectNoBlock(n) && readHex(n, true, bytes, ctx)) {
        probe<UdpCheck>(d).requireReply = true;
        probe<UdpCheck>(d).reply = std::move(bytes);
      }
    });
    t.on("min_reply_length",
         parse::integerInto<D>([](D& d) -> uint16_t& { return probe<UdpCheck>(d).minReplyLength; },
                               0, UINT16_MAX));
    t.on("max_reply_length",
         parse::integerInto<D>([](D& d) -> uint16_t& { return probe<UdpCheck>(d).maxReplyLength; },
                               0, UINT16_MAX));
    return t;
  }();
  return table;
}

// FILE_CHECK has none of the common keywords.
const KeywordTable<D>& fileTable() {
  static const KeywordTable<D> table = [] {
    KeywordTable<D> t("FILE_CHECK");
    t.on("track_file", [](const Node& n, D& d, ParseContext& ctx) {
      if (args(n, ctx, 1)) {
        probe<FileCheck>(d).trackFile = n.args[0].text;
        probe<FileCheck>(d).trackFilePos = n.args[0].pos;
      }
    });
    t.on("weight", [](const Node& n, D& d, ParseContext& ctx) {
      if (!args(n, ctx, 1, 2)) {
        return;
      }
      auto w = ctx.integer(n.args[0], what(n), -INT32_MAX, INT32_MAX);
      std::optional<std::string> sense = "noreverse";
      if (n.args.size() == 2) {
        sense = ctx.oneOf(n.args[1], "'weight' option", {"reverse", "noreverse"});
      }
      if (w && sense) {
        probe<FileCheck>(d).weight = static_cast<int32_t>(*w);
        probe<FileCheck>(d).reverse = *sense == "reverse";
      }
    });
    t.on("dynamic", flagInto<D>([](D& d) -> bool& { return probe<FileCheck>(d).dynamic; }));
    return t;
  }();
  return table;
}

struct CheckerKind {
  std::string_view keyword;
  CheckerType type;
  CheckerProbe (*make)();
  const KeywordTable<D>& (*table)();
};

constexpr CheckerKind kCheckerKinds[] = {
    {"TCP_CHECK", CheckerType::Tcp, [] { return CheckerProbe(TcpCheck{}); }, tcpTable},
    {"HTTP_GET", CheckerType::Http, [] { return CheckerProbe(HttpCheck{}); }, httpCheckerTable},
    {"SSL_GET", CheckerType::Ssl,
     [] {
       HttpCheck http;
       http.tls = true;
       return CheckerProbe(std::move(http));
     },
     httpCheckerTable},
    {"MISC_CHECK", CheckerType::Misc, [] { return CheckerProbe(MiscCheck{}); }, miscTable},
    {"SMTP_CHECK", CheckerType::Smtp, [] { return CheckerProbe(SmtpCheck{}); }, smtpTable},
    {"DNS_CHECK", CheckerType::Dns, [] { return CheckerProbe(DnsCheck{}); }, dnsTable},
    {"UDP_CHECK", CheckerType::Udp, [] { return CheckerProbe(UdpCheck{}); }, udpTable},
    {"PING_CHECK", CheckerType::Ping, [] { return CheckerProbe(PingCheck{}); }, pingTable},
    {"FILE_CHECK", CheckerType::File, [] { return CheckerProbe(FileCheck{}); }, fileTable},
};

}  // namespace

void addCommonCheckerKeywords(KeywordTable<D>& t, bool withTarget) {
  if (withTarget) {
    addTargetKeywords(t, [](D& d) -> ProbeTarget& { return d.target; });
  }
  addTimingKeywords(t, [](D& d) -> InheritedSettings& { return d.settings; });
  // keepalived's old name for retry.
  t.on("nb_get_retry", [](const Node& n, D& d, ParseContext& ctx) {
    if (auto v = parse::integerArg(n, ctx, 0, UINT32_MAX)) {
      d.settings.retry = static_cast<uint32_t>(*v);
    }
  });
  t.on("alpha", flagInto<D>([](D& d) -> std::optional<bool>& { return d.settings.alpha; }));
  t.on("log_all_failures", [](const Node& n, D& d, ParseContext& ctx) {
    if (ctx.expectNoBlock(n)) {
      if (auto v = ctx.flag(n)) {
        d.checker.base.logAllFailures = *v;
        d.checker.base.logAllFailuresSet = true;
      }
    }
  });
}

bool parseChecker(const Node& node, RealServerDraft& rs, ParseContext& ctx) {
  if (node.name() == "BFD_CHECK") {
    ctx.unsupportedKeyword(node, "vigil has no BFD; the real server is not tracked by it");
    return true;
  }
  for (const CheckerKind& kind : kCheckerKinds) {
    if (node.name() != kind.keyword) {
      continue;
    }
    CheckerDraft draft;
    draft.checker.base.type = kind.type;
    draft.checker.base.pos = node.pos();
    draft.probe = kind.make();
    draft.valid = ctx.expectArgs(node, 0);
    kind.table().apply(node.children, draft, ctx);
    rs.checkers.push_back(std::move(draft));
    return true;
  }
  return false;
}

}  // namespace vigil::config::lvs
