// virtual_server { ... real_server { ... } } into drafts, then resolved.
#include "config/parse_lvs_internal.h"

namespace vigil::config::lvs {
namespace {

using parse::args;
using parse::flagInto;
using parse::what;

constexpr uint32_t kDefaultPersistenceTimeout = 360;  // ipvsadm's and keepalived's
constexpr int64_t kMaxWeight = INT32_MAX;             // the kernel's weight is an int

std::shared_ptr<const ScriptCommand> readScript(const Node& node, ParseContext& ctx) {
  if (auto s = parse::scriptCommand(node, ctx)) {
    return std::make_shared<const ScriptCommand>(std::move(*s));
  }
  return nullptr;
}

// `KW IP [PORT]` of real_server and sorry_server; port 0 or none: no port.
bool readAddressPort(const Node& node, const std::string& what, IpAddress& address, uint16_t& port,
                     ParseContext& ctx) {
  if (!ctx.expectArgs(node, 1, 2)) {
    return false;
  }
  auto a = ctx.address(node.args[0], what + " address");
  if (!a) {
    return false;
  }
  address = *a;
  if (node.args.size() == 2) {
    auto p = ctx.port(node.args[1], what + " port", true);
    if (!p) {
      return false;
    }
    port = *p;
  }
  return true;
}

// smtp_alert [BOOL], remembering that it was written (else global_defs decides).
template <class D>
typename KeywordTable<D>::Handler smtpAlertInto() {
  return [](const Node& n, D& d, ParseContext& ctx) {
    if (ctx.expectNoBlock(n)) {
      if (auto v = ctx.flag(n)) {
        d.server.smtpAlert = *v;
        d.server.smtpAlertSet = true;
      }
    }
  };
}

const KeywordTable<RealServerDraft>& realServerTable() {
  using D = RealServerDraft;
  static const KeywordTable<D> table = [] {
    KeywordTable<D> t("real_server");
    addTimingKeywords(t, [](D& d) -> InheritedSettings& { return d.settings; });
    t.on("weight", [](const Node& n, D& d, ParseContext& ctx) {
      if (auto v = parse::integerArg(n, ctx, 0, kMaxWeight)) {
        d.weight = static_cast<uint32_t>(*v);
      }
    });
    t.on({"lvs_method", "lb_kind"}, [](const Node& n, D& d, ParseContext& ctx) {
      if (auto fw = parseForwarding(n, ctx)) {
        d.forwarding = ForwardingSetting{*fw, n.pos()};
      }
    });
    t.on("uthreshold",
         parse::integerInto<D>([](D& d) -> uint32_t& { return d.options.upperThreshold; }, 0,
                               UINT32_MAX));
    t.on("lthreshold", [](const Node& n, D& d, ParseContext& ctx) {
      if (auto v = parse::integerArg(n, ctx, 0, UINT32_MAX)) {
        d.options.lowerThreshold = static_cast<uint32_t>(*v);
        d.lowerThresholdPos = n.args[0].pos;
      }
    });
    t.on("inhibit_on_failure",
         flagInto<D>([](D& d) -> std::optional<bool>& { return d.inhibitOnFailure; }));
    t.on("alpha", flagInto<D>([](D& d) -> std::optional<bool>& { return d.settings.alpha; }));
    t.on("smtp_alert", smtpAlertInto<D>());
    t.on("notify_up",
         [](const Node& n, D& d, ParseContext& ctx) { d.options.notifyUp = readScript(n, ctx); });
    t.on("notify_down",
         [](const Node& n, D& d, ParseContext& ctx) { d.options.notifyDown = readScript(n, ctx); });
    t.on("virtualhost", [](const Node& n, D& d, ParseContext& ctx) {
      d.options.virtualhost = readSharedString(n, ctx);
    });
    t.on("snmp_name", [](const Node& n, D& d, ParseContext& ctx) {
      d.options.snmpName = readSharedString(n, ctx);
    });
    t.otherwise([](const Node& n, D& d, ParseContext& ctx) {
      if (!parseChecker(n, d, ctx)) {
        ctx.unknownKeyword(n, "real_server");
      }
    });
    return t;
  }();
  return table;
}

void readRealServer(const Node& node, VirtualServerDraft& vs, ParseContext& ctx) {
  RealServerDraft rs;
  rs.server.pos = node.pos();
  rs.valid = readAddressPort(node, "real server", rs.server.address, rs.server.port, ctx);
  realServerTable().apply(node.children, rs, ctx);
  if (rs.valid) {
    vs.realServers.push_back(std::move(rs));
  } else {
    vs.valid = false;
  }
}

void readSorryServer(const Node& node, VirtualServerDraft& vs, ParseContext& ctx) {
  SorryServer sorry;
  sorry.pos = node.pos();
  if (ctx.expectNoBlock(node) &&
      readAddressPort(node, "sorry server", sorry.address, sorry.port, ctx)) {
    vs.sorry = sorry;
  }
}

void readPersistenceTimeout(const Node& node, VirtualServerDraft& vs, ParseContext& ctx) {
  if (!args(node, ctx, 0, 1)) {
    return;
  }
  if (node.args.empty()) {
    vs.server.persistenceTimeout = kDefaultPersistenceTimeout;
  } else if (auto v = ctx.unsignedInt(node.args[0], what(node), 1, UINT32_MAX)) {
    vs.server.persistenceTimeout = *v;
  }
}

// flag-1/2/3, hashed, ops and the scheduler-specific spellings.
void addServiceFlagKeywords(KeywordTable<VirtualServerDraft>& t) {
  using D = VirtualServerDraft;
  auto bit = [](uint8_t flag) {
    return [flag](const Node& n, D& d, ParseContext& ctx) {
      if (args(n, ctx, 0)) {
        d.server.schedulerFlags |= flag;
      }
    };
  };
  t.on("flag-1", bit(kSchedulerFlag1));
  t.on("flag-2", bit(kSchedulerFlag2));
  t.on("flag-3", bit(kSchedulerFlag3));
  t.on({"sh-port", "sh-fallback", "mh-port", "mh-fallback"},
       [](const Node& n, D& d, ParseContext& ctx) {
         if (args(n, ctx, 0)) {
           d.schedulerFlags.push_back({n.name(), n.pos()});
         }
       });
  t.on("hashed", flagInto<D>([](D& d) -> bool& { return d.server.hashed; }));
  t.on("ops", flagInto<D>([](D& d) -> bool& { return d.server.onePacket; }));
}

void addQuorumKeywords(KeywordTable<VirtualServerDraft>& t) {
  using D = VirtualServerDraft;
  t.on("quorum",
       parse::integerInto<D>([](D& d) -> uint32_t& { return d.server.quorum; }, 1, UINT32_MAX));
  t.on("hysteresis",
       parse::integerInto<D>([](D& d) -> uint32_t& { return d.server.hysteresis; }, 0, UINT32_MAX));
  t.on("quorum_up",
       [](const Node& n, D& d, ParseContext& ctx) { d.server.quorumUp = readScript(n, ctx); });
  t.on("quorum_down",
       [](const Node& n, D& d, ParseContext& ctx) { d.server.quorumDown = readScript(n, ctx); });
  t.on("alpha", [](const Node& n, D& d, ParseContext& ctx) {
    if (auto v = ctx.flag(n)) {
      d.server.alpha = *v;
    }
  });
  t.on("omega", flagInto<D>([](D& d) -> bool& { return d.server.omega; }));
}

void addSorryServerKeywords(KeywordTable<VirtualServerDraft>& t) {
  using D = VirtualServerDraft;
  t.on("sorry_server", readSorryServer);
  t.on("sorry_server_inhibit", [](const Node& n, D& d, ParseContext& ctx) {
    if (auto v = ctx.flag(n)) {
      d.sorryInhibit = *v;
      d.sorryInhibitPos = n.pos();
    }
  });
  t.on("sorry_server_lvs_method", [](const Node& n, D& d, ParseContext& ctx) {
    if (auto fw = parseForwarding(n, ctx)) {
      d.sorryForwarding = ForwardingSetting{*fw, n.pos()};
    }
  });
}

void addServiceKeywords(KeywordTable<VirtualServerDraft>& t) {
  using D = VirtualServerDraft;
  t.on({"lb_algo", "lvs_sched"}, [](const Node& n, D& d, ParseContext& ctx) {
    if (auto s = parseScheduler(n, ctx)) {
      d.server.scheduler = *s;
    }
  });
  t.on({"lb_kind", "lvs_method"}, [](const Node& n, D& d, ParseContext& ctx) {
    if (auto fw = parseForwarding(n, ctx)) {
      d.forwarding = ForwardingSetting{*fw, n.pos()};
    }
  });
  t.on("protocol", [](const Node& n, D& d, ParseContext& ctx) {
    if (auto p = parseProtocol(n, ctx)) {
      d.server.protocol = *p;
      d.server.protocolPos = n.args[0].pos;
    }
  });
  t.on("persistence_timeout", readPersistenceTimeout);
  t.on("persistence_granularity", [](const Node& n, D& d, ParseContext& ctx) {
    if (args(n, ctx, 1)) {
      d.granularity = n.args[0];
    }
  });
  t.on("persistence_engine", [](const Node& n, D& d, ParseContext& ctx) {
    if (args(n, ctx, 1)) {
      d.server.persistenceEngine = n.args[0].text;
    }
  });
  t.on("ip_family", [](const Node& n, D& d, ParseContext& ctx) {
    if (args(n, ctx, 1) && ctx.oneOf(n.args[0], "'ip_family'", {"inet", "inet6"})) {
      d.ipFamily = n.args[0];
    }
  });
  t.on("ha_suspend", flagInto<D>([](D& d) -> bool& { return d.server.haSuspend; }));
  addServiceFlagKeywords(t);
}

const KeywordTable<VirtualServerDraft>& virtualServerTable() {
  using D = VirtualServerDraft;
  static const KeywordTable<D> table = [] {
    KeywordTable<D> t("virtual_server");
    addTimingKeywords(t, [](D& d) -> InheritedSettings& { return d.settings; });
    addServiceKeywords(t);
    addQuorumKeywords(t);
    addSorryServerKeywords(t);
    t.on("weight", parse::integerInto<D>([](D& d) -> uint32_t& { return d.realServerWeight; }, 0,
                                         kMaxWeight));
    t.on("inhibit_on_failure",
         flagInto<D>([](D& d) -> bool& { return d.server.inhibitOnFailure; }));
    t.on("smtp_alert", smtpAlertInto<D>());
    t.on("virtualhost", [](const Node& n, D& d, ParseContext& ctx) {
      d.server.virtualhost = readSharedString(n, ctx);
    });
    t.on("snmp_name", [](const Node& n, D& d, ParseContext& ctx) {
      d.server.snmpName = readSharedString(n, ctx);
    });
    t.on("real_server", readRealServer);
    return t;
  }();
  return table;
}

// `virtual_server IP [PORT] | fwmark N | group NAME`.
bool readServiceTarget(const Node& node, VirtualServer& vs, ParseContext& ctx) {
  if (!ctx.expectArgs(node, 1, 2)) {
    return false;
  }
  const Token& first = node.args[0];
  if (first.text == "group" || first.text == "fwmark") {
    if (node.args.size() != 2) {
      ctx.error(first.pos, "'virtual_server " + first.text + "' needs a " +
                               (first.text == "group" ? "group name" : "mark number"));
      return false;
    }
    if (first.text == "group") {
      vs.kind = ServiceKind::Group;
      vs.groupName = node.args[1].text;
      return true;
    }
    auto mark = ctx.unsignedInt(node.args[1], "'fwmark'", 1, UINT32_MAX);
    vs.kind = ServiceKind::Fwmark;
    vs.fwmark = mark.value_or(0);
    return mark.has_value();
  }
  auto address = ctx.address(first, "virtual server address");
  if (!address) {
    return false;
  }
  vs.kind = ServiceKind::Address;
  vs.address = *address;
  vs.family = address->family();
  if (node.args.size() == 2) {
    auto port = ctx.port(node.args[1], "virtual server port", true);
    if (!port) {
      return false;
    }
    vs.port = *port;
  }
  return true;
}

}  // namespace

std::shared_ptr<const std::string> readSharedString(const Node& node, ParseContext& ctx) {
  if (!args(node, ctx, 1)) {
    return nullptr;
  }
  return std::make_shared<const std::string>(node.args[0].text);
}

std::optional<VirtualServer> parseVirtualServer(const Node& node, ParseContext& ctx) {
  VirtualServerDraft draft;
  draft.server.pos = node.pos();
  bool targetOk = readServiceTarget(node, draft.server, ctx);
  if (!ctx.expectBlock(node)) {
    return std::nullopt;
  }
  virtualServerTable().apply(node.children, draft, ctx);
  if (!targetOk || !draft.valid) {
    return std::nullopt;
  }
  return resolveVirtualServer(std::move(draft), ctx);
}

}  // namespace vigil::config::lvs
