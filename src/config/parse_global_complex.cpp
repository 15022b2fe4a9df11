#include <charconv>

#include "config/parse_global_internal.h"

namespace vigil::config::global {
namespace {

using parse::args;
using parse::quoted;
using parse::what;

std::optional<uint8_t> syncByte(const Token& value, const std::string& name, int64_t min,
                                ParseContext& ctx) {
  auto v = ctx.integer(value, "'lvs_sync_daemon' " + name, min, 255);
  return v ? std::optional<uint8_t>(static_cast<uint8_t>(*v)) : std::nullopt;
}

// One `NAME VALUE` option of lvs_sync_daemon; false on a bad value.
bool syncOption(const std::string& name, const Token& value, LvsSyncDaemon& d, ParseContext& ctx) {
  if (name == "id") {
    auto v = syncByte(value, name, 0, ctx);
    d.syncId = v.value_or(0);
    d.syncIdSet = v.has_value();
    return v.has_value();
  }
  if (name == "ttl") {
    d.ttl = syncByte(value, name, 1, ctx);
    return d.ttl.has_value();
  }
  if (name == "maxlen") {
    auto v = ctx.integer(value, "'lvs_sync_daemon' maxlen", 1, 65507);
    d.maxLen = v ? std::optional<uint16_t>(static_cast<uint16_t>(*v)) : std::nullopt;
    return v.has_value();
  }
  if (name == "port") {
    auto v = ctx.port(value, "'lvs_sync_daemon' port");
    d.port = v.value_or(d.port);
    return v.has_value();
  }
  auto a = ctx.address(value, "'lvs_sync_daemon' group");
  if (a && !a->isMulticast()) {
    ctx.error(value.pos, "'lvs_sync_daemon' group " + value.text + " is not a multicast address");
    return false;
  }
  d.group = a.value_or(d.group);
  return a.has_value();
}

bool isSyncOption(const std::string& word) {
  return word == "id" || word == "maxlen" || word == "port" || word == "ttl" || word == "group" ||
         word == "inst";
}

struct FifoName {
  std::optional<NotifyFifo> GlobalDefs::*member;
  const char* fifo;
  const char* script;
};

constexpr FifoName kFifos[] = {
    {&GlobalDefs::notifyFifo, "notify_fifo", "notify_fifo_script"},
    {&GlobalDefs::vrrpNotifyFifo, "vrrp_notify_fifo", "vrrp_notify_fifo_script"},
    {&GlobalDefs::lvsNotifyFifo, "lvs_notify_fifo", "lvs_notify_fifo_script"},
};

}  // namespace

void notificationEmail(const Node& node, GlobalDefs& g, ParseContext& ctx) {
  if (!ctx.expectBlock(node) || !ctx.expectArgs(node, 0)) {
    return;
  }
  for (const Node& entry : node.children) {
    if (!ctx.expectNoBlock(entry)) {
      continue;
    }
    g.notificationEmails.push_back(entry.name());
    for (const Token& more : entry.args) {
      g.notificationEmails.push_back(more.text);
    }
  }
  if (node.children.empty()) {
    ctx.warning(node.pos(), "empty 'notification_email' block");
  }
}

void smtpServer(const Node& node, GlobalDefs& g, ParseContext& ctx) {
  if (!args(node, ctx, 1, 2)) {
    return;
  }
  SmtpServer server{node.args[0].text, 25, node.pos()};
  if (node.args.size() == 2) {
    auto port = ctx.port(node.args[1], "'smtp_server' port");
    if (!port) {
      return;
    }
    server.port = *port;
  }
  g.smtpServer = server;
}

void scriptUser(const Node& node, GlobalDefs& g, ParseContext& ctx) {
  if (auto account = parse::scriptAccount(node, ctx)) {
    g.scriptUser = *account;
  }
}

Handler fifo(std::optional<NotifyFifo> GlobalDefs::*member) {
  return [member](const Node& node, GlobalDefs& g, ParseContext& ctx) {
    if (!args(node, ctx, 1, 3)) {
      return;
    }
    NotifyFifo& f = (g.*member).has_value() ? *(g.*member) : (g.*member).emplace();
    f.path = node.args[0].text;
    f.owner = node.args.size() > 1 ? node.args[1].text : "";
    f.group = node.args.size() > 2 ? node.args[2].text : "";
    f.pos = node.pos();
  };
}

Handler fifoScript(std::optional<NotifyFifo> GlobalDefs::*member) {
  return [member](const Node& node, GlobalDefs& g, ParseContext& ctx) {
    if (auto script = parse::scriptCommand(node, ctx)) {
      NotifyFifo& f = (g.*member).has_value() ? *(g.*member) : (g.*member).emplace();
      f.script = std::move(*script);
    }
  };
}

void minGarp(const Node& node, GlobalDefs& g, ParseContext& ctx) {
  if (!ctx.expectNoBlock(node)) {
    return;
  }
  auto on = ctx.flag(node);
  if (on && *on) {
    // One GARP/NA burst of one message, and no second burst.
    g.vrrp.garpMasterRepeat = 1;
    g.vrrp.garpMasterDelay = Duration{0};
  }
}

void garpExtraIf(const Node& node, GlobalDefs& g, ParseContext& ctx) {
  if (!args(node, ctx, 1, 2)) {
    return;
  }
  bool all = node.args.size() == 2;
  if (all && !ctx.oneOf(node.args[0], "'vrrp_garp_extra_if' option", {"all"})) {
    return;
  }
  if (auto secs = ctx.integer(node.args.back(), what(node), 0, 86400)) {
    g.vrrp.garpExtraIfInterval = std::chrono::seconds(*secs);
    g.vrrp.garpExtraIfAll = all;
  }
}

Handler mcastGroup(int family) {
  return [family](const Node& node, GlobalDefs& g, ParseContext& ctx) {
    if (!args(node, ctx, 1)) {
      return;
    }
    auto a = ctx.address(node.args[0], what(node));
    if (!a) {
      return;
    }
    if (a->family() != family || !a->isMulticast()) {
      ctx.error(node.args[0].pos, what(node) + " must be an IPv" + (family == AF_INET ? "4" : "6") +
                                      " multicast address, got " + quoted(node.args[0].text));
      return;
    }
    (family == AF_INET ? g.vrrp.mcastGroup4 : g.vrrp.mcastGroup6) = *a;
  };
}

void vrrpVersion(const Node& node, GlobalDefs& g, ParseContext& ctx) {
  if (auto v = parse::integerArg(node, ctx, 2, 3)) {
    g.vrrp.version = static_cast<int>(*v);
  }
}

Handler cpuAffinity(ProcessTuning GlobalDefs::*member) {
  return [member](const Node& node, GlobalDefs& g, ParseContext& ctx) {
    if (!args(node, ctx, 1, SIZE_MAX)) {
      return;
    }
    std::vector<int> cpus;
    for (const Token& tok : node.args) {
      auto cpu = ctx.integer(tok, what(node) + " CPU", 0, 4095);
      if (!cpu) {
        return;
      }
      cpus.push_back(static_cast<int>(*cpu));
    }
    (g.*member).cpuAffinity = std::move(cpus);
  };
}

void maxAutoPriority(const Node& node, GlobalDefs& g, ParseContext& ctx) {
  if (!args(node, ctx, 0, 1)) {
    return;
  }
  if (node.args.empty()) {
    g.maxAutoPriority = 99;  // the highest SCHED_RR priority
  } else if (auto v = ctx.integer(node.args[0], what(node), -1, 99)) {
    g.maxAutoPriority = static_cast<int>(*v);
  }
}

void minAutoPriorityDelay(const Node& node, GlobalDefs& g, ParseContext& ctx) {
  if (auto usecs = parse::integerArg(node, ctx, 1, 10'000'000)) {
    g.minAutoPriorityDelay = std::chrono::microseconds(*usecs);
  }
}

void dynamicInterfaces(const Node& node, GlobalDefs& g, ParseContext& ctx) {
  if (!args(node, ctx, 0, 1)) {
    return;
  }
  if (!node.args.empty() &&
      !ctx.oneOf(node.args[0], "'dynamic_interfaces' option", {"allow_if_changes"})) {
    return;
  }
  g.dynamicInterfaces = true;
  g.allowIfChanges = !node.args.empty();
}

void lvsTimeouts(const Node& node, GlobalDefs& g, ParseContext& ctx) {
  if (!ctx.expectNoBlock(node)) {
    return;
  }
  if (node.args.empty()) {
    ctx.error(node.pos(), "'lvs_timeouts' needs at least one of tcp, tcpfin, udp");
    return;
  }
  LvsTimeouts t = g.lvsTimeouts;
  t.pos = node.pos();
  for (size_t i = 0; i < node.args.size(); i += 2) {
    const Token& name = node.args[i];
    auto which = ctx.oneOf(name, "'lvs_timeouts' option", {"tcp", "tcpfin", "udp"});
    if (!which) {
      return;
    }
    if (i + 1 >= node.args.size()) {
      ctx.error(name.pos, "'lvs_timeouts' " + name.text + " needs a number of seconds");
      return;
    }
    auto secs = ctx.integer(node.args[i + 1], "'lvs_timeouts' " + name.text, 1, 2'147'483);
    if (!secs) {
      return;
    }
    auto& slot = *which == "tcp" ? t.tcp : (*which == "tcpfin" ? t.tcpFin : t.udp);
    slot = std::chrono::seconds(*secs);
  }
  g.lvsTimeouts = t;
}

void lvsSyncDaemon(const Node& node, GlobalDefs& g, ParseContext& ctx) {
  if (!args(node, ctx, 1, SIZE_MAX)) {
    return;
  }
  LvsSyncDaemon d;
  d.interface = node.args[0].text;
  d.pos = node.pos();
  for (size_t i = 1; i < node.args.size(); ++i) {
    const Token& word = node.args[i];
    if (isSyncOption(word.text)) {
      if (i + 1 >= node.args.size()) {
        ctx.error(word.pos, "'lvs_sync_daemon' " + word.text + " needs a value");
        return;
      }
      const Token& value = node.args[++i];
      if (word.text == "inst") {
        d.vrrpInstance = value.text;
        d.vrrpInstancePos = value.pos;
      } else if (!syncOption(word.text, value, d, ctx)) {
        return;
      }
    } else if (d.vrrpInstance.empty()) {
      d.vrrpInstance = word.text;
      d.vrrpInstancePos = word.pos;
    } else {
      ctx.error(word.pos, "unknown 'lvs_sync_daemon' option " + quoted(word.text) +
                              " (expected id, maxlen, port, ttl or group)");
      return;
    }
  }
  g.lvsSyncDaemon = d;
}

void lvsFlushOnStop(const Node& node, GlobalDefs& g, ParseContext& ctx) {
  if (!args(node, ctx, 0, 1)) {
    return;
  }
  if (node.args.empty()) {
    g.lvsFlushOnStop = LvsFlushOnStop::All;
  } else if (ctx.oneOf(node.args[0], what(node) + " option", {"VS"})) {
    g.lvsFlushOnStop = LvsFlushOnStop::VirtualServersOnly;
  }
}

void snmpRfc(const Node& node, GlobalDefs& g, ParseContext& ctx) {
  if (!ctx.expectNoBlock(node)) {
    return;
  }
  if (auto on = ctx.flag(node)) {
    g.snmp.rfcV2 = *on;
    g.snmp.rfcV3 = *on;
  }
}

void dataplane(const Node& node, GlobalDefs& g, ParseContext& ctx) {
  if (!args(node, ctx, 1)) {
    return;
  }
  auto v = ctx.oneOf(node.args[0], "dataplane", {"kernel", "userspace", "none"});
  if (v) {
    g.dataplane = *v == "kernel" ? Dataplane::Kernel
                                 : (*v == "userspace" ? Dataplane::Userspace : Dataplane::None);
  }
}

std::optional<ListenAddress> parseListenAddress(std::string_view text) {
  std::string_view host;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {
    auto close = text.find("]:");
    if (close == std::string_view::npos) {
      return std::nullopt;
    }
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos) {
      return std::nullopt;
    }
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  auto address = IpAddress::parse(host);
  // A bare IPv6 address would split at its last colon: require brackets.
  if (!address || (address->isV6() && text.front() != '[')) {
    return std::nullopt;
  }
  unsigned value = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || ec != std::errc() || end != port.data() + port.size() || value == 0 ||
      value > 65535) {
    return std::nullopt;
  }
  return ListenAddress{*address, static_cast<uint16_t>(value)};
}

void metricsListen(const Node& node, GlobalDefs& g, ParseContext& ctx) {
  if (!args(node, ctx, 1)) {
    return;
  }
  const Token& tok = node.args[0];
  if (tok.text == "off") {
    g.metricsListen.reset();
    return;
  }
  auto listen = parseListenAddress(tok.text);
  if (!listen) {
    ctx.error(tok.pos, "'metrics_listen' must be ADDRESS:PORT, [IPV6-ADDRESS]:PORT or off, got " +
                           quoted(tok.text));
    return;
  }
  g.metricsListen = *listen;
}

void vipLifetime(const Node& node, GlobalDefs& g, ParseContext& ctx) {
  if (!args(node, ctx, 1)) {
    return;
  }
  const Token& tok = node.args[0];
  if (tok.text == "off") {
    g.vipLifetime.reset();
    return;
  }
  // The kernel keeps address lifetimes in whole seconds.
  if (auto secs = ctx.integer(tok, "'vip_lifetime' (seconds, or off)", 1, 86400)) {
    g.vipLifetime = std::chrono::seconds(*secs);
  }
}

void controlSocket(const Node& node, GlobalDefs& g, ParseContext& ctx) {
  if (!args(node, ctx, 1)) {
    return;
  }
  const Token& tok = node.args[0];
  constexpr size_t kMaxUnixPath = 107;  // sizeof(sockaddr_un::sun_path) - 1
  if (tok.text.empty() || tok.text.front() != '/') {
    ctx.error(tok.pos, "'control_socket' must be an absolute path, got " + quoted(tok.text));
  } else if (tok.text.size() > kMaxUnixPath) {
    ctx.error(tok.pos,
              "'control_socket' path is longer than " + std::to_string(kMaxUnixPath) + " bytes");
  } else {
    g.controlSocket = tok.text;
  }
}

void finish(GlobalDefs& g, ParseContext& ctx) {
  for (const FifoName& f : kFifos) {
    auto& fifo = g.*f.member;
    if (fifo && fifo->path.empty() && fifo->script) {
      ctx.error(fifo->script->pos,
                std::string("'") + f.script + "' needs '" + f.fifo + "' to name the FIFO it reads");
      fifo.reset();
    }
  }
}

}  // namespace vigil::config::global

namespace vigil::config {

std::string ListenAddress::toString() const {
  std::string host = address.isV6() ? "[" + address.toString() + "]" : address.toString();
  return host + ":" + std::to_string(port);
}

}  // namespace vigil::config
