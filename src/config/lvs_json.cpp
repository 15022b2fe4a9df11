// The LVS model as JSON for `vigild --dump-config`: every resolved value,
// durations in seconds, addresses as text.
#include "config/config_json.h"

namespace vigil::config {
namespace {

using nlohmann::json;

double seconds(Duration d) { return std::chrono::duration<double>(d).count(); }

std::string familyName(int family) {
  return family == AF_INET6 ? "inet6" : (family == AF_INET ? "inet" : "mixed");
}

json sharedString(const std::shared_ptr<const std::string>& s) {
  return s ? json(*s) : json(nullptr);
}

json scriptJson(const ScriptCommand& s) {
  return {{"command", s.command}, {"user", s.user}, {"group", s.group}};
}

json script(const std::shared_ptr<const ScriptCommand>& s) {
  return s ? scriptJson(*s) : json(nullptr);
}

template <class Bytes>
std::string hex(const Bytes& bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (uint8_t b : bytes) {
    out += kHex[b >> 4];
    out += kHex[b & 0xf];
  }
  return out;
}

json toJson(const Forwarding& fw) {
  json out = {{"method", toString(fw.method)}};
  if (fw.method == ForwardingMethod::Tunnel) {
    out["tunnel_type"] = toString(fw.tunnelType);
    out["tunnel_checksum"] = toString(fw.tunnelChecksum);
    out["tunnel_port"] = fw.tunnelPort;
  }
  return out;
}

json toJson(const ProbeTarget& t) {
  json out = {{"address", t.address.toString()}, {"port", t.port}};
  if (!t.bindAddress().empty()) {
    out["bindto"] = t.bindAddress().toString();
  }
  if (t.bindPort() != 0) {
    out["bind_port"] = t.bindPort();
  }
  if (!t.bindInterface().empty()) {
    out["bind_if"] = std::string(t.bindInterface().view());
  }
  if (t.fwmark() != 0) {
    out["fwmark"] = t.fwmark();
  }
  return out;
}

json toJson(const HttpUrl& url) {
  json out = {{"path", url.path}, {"virtualhost", sharedString(url.virtualhost)}};
  json codes = json::array();
  for (const StatusRange& r : url.statusCodes) {
    codes.push_back(r.first == r.last ? std::to_string(r.first)
                                      : std::to_string(r.first) + "-" + std::to_string(r.last));
  }
  out["status_code"] = codes;
  if (url.digest) {
    out["digest"] = hex(*url.digest);
  }
  if (url.regex) {
    json options = json::array();
    for (size_t i = 0; i < kRegexOptionCount; ++i) {
      if (url.regex->has(static_cast<RegexOption>(i))) {
        options.push_back(toString(static_cast<RegexOption>(i)));
      }
    }
    out["regex"] = {{"pattern", url.regex->pattern},
                    {"no_match", url.regex->noMatch},
                    {"options", options},
                    {"stack", {url.regex->stackStart, url.regex->stackMax}},
                    {"min_offset", url.regex->minOffset},
                    {"max_offset", url.regex->maxOffset}};
  }
  return out;
}

json probeJson(const CheckerProbe& probe) {
  return std::visit(
      [](const auto& p) -> json {
        using P = std::decay_t<decltype(p)>;
        if constexpr (std::is_same_v<P, HttpCheck>) {
          json urls = json::array();
          for (const HttpUrl& u : p.urls) {
            urls.push_back(toJson(u));
          }
          return {{"urls", urls},
                  {"http_protocol", toString(p.protocol)},
                  {"enable_sni", p.enableSni},
                  {"sni_name", p.sniName},
                  {"verify_cert", p.verifyCertificate},
                  {"fast_recovery", p.fastRecovery}};
        } else if constexpr (std::is_same_v<P, MiscCheck>) {
          return {{"misc_path", scriptJson(p.script)},
                  {"misc_timeout", seconds(p.timeout)},
                  {"misc_dynamic", p.dynamic}};
        } else if constexpr (std::is_same_v<P, SmtpCheck>) {
          json hosts = json::array();
          for (const ProbeTarget& h : p.hosts) {
            hosts.push_back(toJson(h));
          }
          return {{"hosts", hosts}, {"helo_name", p.heloName}};
        } else if constexpr (std::is_same_v<P, DnsCheck>) {
          return {{"type", toString(p.type)}, {"name", p.name}};
        } else if constexpr (std::is_same_v<P, UdpCheck>) {
          std::vector<uint8_t> data, mask;
          for (MaskedByte b : p.reply) {
            data.push_back(b.value);
            mask.push_back(b.mask);
          }
          return {{"payload", hex(p.payload)},
                  {"require_reply", p.requireReply},
                  {"reply_data", hex(data)},
                  {"reply_mask", hex(mask)},
                  {"min_reply_length", p.minReplyLength},
                  {"max_reply_length", p.maxReplyLength}};
        } else if constexpr (std::is_same_v<P, FileCheck>) {
          return {{"track_file", p.trackFile},
                  {"weight", p.weight},
                  {"reverse", p.reverse},
                  {"dynamic", p.dynamic}};
        } else if constexpr (std::is_same_v<P, TcpCheck>) {
          return {{"tcp_check_mode", toString(p.mode)}};
        } else {
          return json::object();  // PING_CHECK: the target only
        }
      },
      probe);
}

json toJson(const Checker& c) {
  json out = probeJson(*c.probe);
  out["type"] = toString(c.base.type);
  out["target"] = toJson(c.target);
  out["delay_loop"] = seconds(c.base.delayLoop);
  out["connect_timeout"] = seconds(c.base.connectTimeout);
  out["retry"] = c.base.retry;
  out["delay_before_retry"] = seconds(c.base.delayBeforeRetry);
  out["warmup"] = seconds(c.base.warmup);
  out["alpha"] = c.base.alpha;
  out["log_all_failures"] = c.base.logAllFailures;
  return out;
}

json toJson(const RealServer& rs) {
  json checkers = json::array();
  for (const Checker& c : rs.checkers) {
    checkers.push_back(toJson(c));
  }
  return {{"address", rs.address.toString()},
          {"port", rs.port},
          {"weight", rs.weight},
          {"forwarding", toJson(rs.forwarding)},
          {"uthreshold", rs.upperThreshold()},
          {"lthreshold", rs.lowerThreshold()},
          {"inhibit_on_failure", rs.inhibitOnFailure},
          {"alpha", rs.alpha},
          {"smtp_alert", rs.smtpAlert},
          {"notify_up", script(rs.notifyUp())},
          {"notify_down", script(rs.notifyDown())},
          {"virtualhost", sharedString(rs.virtualhost())},
          {"snmp_name", sharedString(rs.snmpName())},
          {"checkers", checkers}};
}

json serviceJson(const VirtualServer& vs) {
  json out;
  switch (vs.kind) {
    case ServiceKind::Address:
      out["address"] = vs.address.toString();
      out["port"] = vs.port;
      break;
    case ServiceKind::Fwmark:
      out["fwmark"] = vs.fwmark;
      break;
    case ServiceKind::Group:
      out["group"] = vs.groupName;
      break;
  }
  out["family"] = familyName(vs.family);
  out["protocol"] = toString(vs.protocol);
  out["lb_algo"] = toString(vs.scheduler);
  out["scheduler_flags"] = vs.schedulerFlags;
  out["hashed"] = vs.hashed;
  out["ops"] = vs.onePacket;
  out["forwarding"] = toJson(vs.forwarding);
  out["persistence_timeout"] = vs.persistenceTimeout;
  out["persistence_granularity"] = vs.persistenceGranularity;
  out["persistence_engine"] = vs.persistenceEngine;
  return out;
}

json toJson(const VirtualServer& vs) {
  json out = serviceJson(vs);
  out["ha_suspend"] = vs.haSuspend;
  out["alpha"] = vs.alpha;
  out["omega"] = vs.omega;
  out["inhibit_on_failure"] = vs.inhibitOnFailure;
  out["smtp_alert"] = vs.smtpAlert;
  out["quorum"] = vs.quorum;
  out["hysteresis"] = vs.hysteresis;
  out["quorum_up"] = script(vs.quorumUp);
  out["quorum_down"] = script(vs.quorumDown);
  out["virtualhost"] = sharedString(vs.virtualhost);
  out["snmp_name"] = sharedString(vs.snmpName);
  if (vs.sorryServer) {
    const SorryServer& s = *vs.sorryServer;
    out["sorry_server"] = {{"address", s.address.toString()},
                           {"port", s.port},
                           {"forwarding", toJson(s.forwarding)},
                           {"inhibit", s.inhibit}};
  } else {
    out["sorry_server"] = nullptr;
  }
  json servers = json::array();
  for (const RealServer& rs : vs.realServers) {
    servers.push_back(toJson(rs));
  }
  out["real_servers"] = servers;
  return out;
}

json toJson(const VirtualServerGroup& g) {
  json entries = json::array();
  for (const VirtualServerGroupEntry& e : g.entries) {
    if (e.kind == VirtualServerGroupEntry::Kind::Fwmark) {
      json f = {{"fwmark", e.fwmark}};
      if (e.fwmarkFamily != AF_UNSPEC) {
        f["family"] = familyName(e.fwmarkFamily);
      }
      entries.push_back(f);
    } else {
      entries.push_back(
          {{"first", e.first.toString()}, {"last", e.last.toString()}, {"port", e.port}});
    }
  }
  return {{"name", g.name}, {"entries", entries}};
}

}  // namespace

json toJson(const LvsModel& lvs) {
  json groups = json::array();
  for (const VirtualServerGroup& g : lvs.groups) {
    groups.push_back(toJson(g));
  }
  json servers = json::array();
  for (const VirtualServer& vs : lvs.virtualServers) {
    servers.push_back(toJson(vs));
  }
  json out = {{"virtual_server_groups", groups}, {"virtual_servers", servers}};
  if (lvs.ssl) {
    out["ssl"] = {{"password_set", !lvs.ssl->password.empty()},
                  {"ca", lvs.ssl->caFile},
                  {"certificate", lvs.ssl->certificateFile},
                  {"key", lvs.ssl->keyFile}};
  } else {
    out["ssl"] = nullptr;
  }
  return out;
}

}  // namespace vigil::config
