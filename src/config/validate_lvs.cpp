// Checks of the LVS model that need more than one virtual_server block:
// group references, address families, duplicates, and defaults that come
// from global_defs. Each virtual server was already resolved on its own
// (resolve_lvs.cpp). Lookups use hash tables: configurations with 10,000
// services must not be checked in quadratic time.
#include <optional>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "config/parsers.h"

namespace vigil::config {
namespace {

std::string familyName(int family) { return family == AF_INET6 ? "IPv6" : "IPv4"; }

std::string addressPort(const IpAddress& a, uint16_t port) {
  return "[" + a.toString() + "]:" + std::to_string(port);
}

bool isTunnel(const Forwarding& fw) { return fw.method == ForwardingMethod::Tunnel; }

class LvsValidator {
 public:
  LvsValidator(Config& config, ParseContext& ctx) : config_(config), lvs_(config.lvs), ctx_(ctx) {}

  void run() {
    indexGroups();
    for (const TrackFile& tf : config_.vrrp.trackFiles) {
      trackFiles_.insert(tf.name);
    }
    for (VirtualServer& vs : lvs_.virtualServers) {
      const VirtualServerGroup* group = nullptr;
      if (vs.kind == ServiceKind::Group && (group = linkGroup(vs)) == nullptr) {
        continue;
      }
      resolveFamily(vs, group);
      checkFamilies(vs);
      checkService(vs, group);
      checkRealServers(vs, group);
      checkQuorum(vs);
      checkDuplicateService(vs, group);
    }
    if (synNotApplied_) {
      ctx_.warning(*synNotApplied_,
                   "tcp_check_mode syn does not apply to TCP_CHECKs with bind_port, bind_if or "
                   "fwmark: " +
                       std::to_string(synNotAppliedCount_) +
                       " such checks (this one first) connect instead");
    }
  }

 private:
  void indexGroups() {
    for (size_t i = 0; i < lvs_.groups.size(); ++i) {
      const VirtualServerGroup& g = lvs_.groups[i];
      auto [it, fresh] = groupIndex_.emplace(g.name, i);
      if (!fresh) {
        ctx_.error(g.pos, "virtual_server_group '" + g.name + "' is defined twice (first at " +
                              lvs_.groups[it->second].pos.format() + ")");
      }
    }
  }

  const VirtualServerGroup* linkGroup(VirtualServer& vs) {
    auto it = groupIndex_.find(vs.groupName);
    if (it == groupIndex_.end()) {
      ctx_.error(vs.pos,
                 "virtual_server group '" + vs.groupName + "' names no virtual_server_group");
      return nullptr;
    }
    const VirtualServerGroup& group = lvs_.groups[it->second];
    if (group.entries.empty()) {
      ctx_.error(vs.pos, "virtual_server group '" + vs.groupName + "' has no entries");
      return nullptr;
    }
    vs.groupIndex = it->second;
    return &group;
  }

  // Fwmark services, and groups without addresses, take the family that
  // ip_family or persistence_granularity gave them, else their non-tunnelled
  // real servers', else their (all the same) tunnelled ones', else IPv4.
  static int familyFromServers(const VirtualServer& vs) {
    for (const RealServer& rs : vs.realServers) {
      if (!isTunnel(rs.forwarding)) {
        return rs.address.family();
      }
    }
    if (vs.sorryServer && !isTunnel(vs.sorryServer->forwarding)) {
      return vs.sorryServer->address.family();
    }
    int family = vs.realServers.front().address.family();
    for (const RealServer& rs : vs.realServers) {
      if (rs.address.family() != family) {
        return AF_INET;
      }
    }
    return family;
  }

  void resolveFamily(VirtualServer& vs, const VirtualServerGroup* group) {
    if (group != nullptr) {
      int groupFamily = AF_UNSPEC;
      bool mixed = false;
      for (const VirtualServerGroupEntry& e : group->entries) {
        int f = e.kind == VirtualServerGroupEntry::Kind::Range ? e.first.family() : e.fwmarkFamily;
        if (f != AF_UNSPEC) {
          mixed = mixed || (groupFamily != AF_UNSPEC && f != groupFamily);
          groupFamily = groupFamily == AF_UNSPEC ? f : groupFamily;
        }
      }
      if (mixed) {
        vs.family = AF_UNSPEC;  // each entry keeps its own; real servers must tunnel
        return;
      }
      if (groupFamily != AF_UNSPEC) {
        if (vs.family != AF_UNSPEC && vs.family != groupFamily) {
          ctx_.error(vs.pos, "virtual server " + vs.describe() + " is " + familyName(vs.family) +
                                 " (ip_family or persistence_granularity) but its group holds " +
                                 familyName(groupFamily) + " entries");
        }
        vs.family = groupFamily;
      }
    }
    if (vs.family == AF_UNSPEC &&
        (group == nullptr || vs.kind == ServiceKind::Fwmark || !hasAddresses(*group))) {
      vs.family = familyFromServers(vs);
    }
    if (vs.persistenceGranularity == 0) {
      vs.persistenceGranularity = vs.family == AF_INET6 ? 128 : 32;
    }
  }

  static bool hasAddresses(const VirtualServerGroup& group) {
    for (const VirtualServerGroupEntry& e : group.entries) {
      if (e.kind == VirtualServerGroupEntry::Kind::Range) {
        return true;
      }
    }
    return false;
  }

  static bool hasFwmarks(const VirtualServerGroup& group) {
    for (const VirtualServerGroupEntry& e : group.entries) {
      if (e.kind == VirtualServerGroupEntry::Kind::Fwmark) {
        return true;
      }
    }
    return false;
  }

  // Only tunnelled servers may be of another family than their service.
  void checkFamily(const VirtualServer& vs, const IpAddress& address, const Forwarding& fw,
                   const SourcePos& pos, const std::string& what) {
    if (isTunnel(fw) || address.family() == vs.family) {
      return;
    }
    if (vs.family == AF_UNSPEC) {
      ctx_.error(pos, what + " " + address.toString() + " must use TUN: virtual server " +
                          vs.describe() + " mixes IPv4 and IPv6 addresses");
      return;
    }
    ctx_.error(pos, what + " " + address.toString() + " is " + familyName(address.family()) +
                        " but virtual server " + vs.describe() + " is " + familyName(vs.family) +
                        " (only TUN servers may differ)");
  }

  void checkFamilies(const VirtualServer& vs) {
    for (const RealServer& rs : vs.realServers) {
      checkFamily(vs, rs.address, rs.forwarding, rs.pos, "real server");
    }
    if (vs.sorryServer) {
      checkFamily(vs, vs.sorryServer->address, vs.sorryServer->forwarding, vs.sorryServer->pos,
                  "sorry server");
    }
  }

  // protocol, ops, ha_suspend and port-less services, as keepalived treats
  // them (warnings where it adjusts the setting).
  void checkService(VirtualServer& vs, const VirtualServerGroup* group) {
    bool fwmarkOnly = vs.kind == ServiceKind::Fwmark || (group && !hasAddresses(*group));
    if (fwmarkOnly) {
      if (vs.protocolPos.file != nullptr) {
        ctx_.warning(vs.protocolPos, "'protocol' is ignored for fwmark services");
      }
    } else if (vs.protocolPos.file == nullptr) {
      ctx_.warning(vs.pos, "virtual server " + vs.describe() +
                               " has no 'protocol'; using UDP as keepalived does "
                               "(write 'protocol TCP' for TCP)");
    }
    if (vs.onePacket && !fwmarkOnly && vs.protocol != LvsProtocol::Udp) {
      ctx_.warning(vs.pos, "'ops' (one-packet scheduling) applies only to UDP services; ignored");
      vs.onePacket = false;
    }
    if (vs.haSuspend && (vs.kind == ServiceKind::Fwmark || (group && hasFwmarks(*group)))) {
      ctx_.warning(vs.pos, "'ha_suspend' cannot be used with fwmarks; ignored");
      vs.haSuspend = false;
    }
    if (vs.persistenceTimeout == 0 && !fwmarkOnly && lacksPort(vs, group)) {
      ctx_.warning(vs.pos, "virtual server " + vs.describe() +
                               " has no port, which only persistent services may omit; made "
                               "persistent (360 s) as keepalived does");
      vs.persistenceTimeout = 360;
    }
    const GlobalDefs& global = config_.global;
    if (!vs.smtpAlertSet) {
      vs.smtpAlert = global.smtpAlertChecker.value_or(global.smtpAlert);
    }
  }

  static bool lacksPort(const VirtualServer& vs, const VirtualServerGroup* group) {
    if (group == nullptr) {
      return vs.port == 0;
    }
    for (const VirtualServerGroupEntry& e : group->entries) {
      if (e.kind == VirtualServerGroupEntry::Kind::Range && e.port == 0) {
        return true;
      }
    }
    return false;
  }

  void checkRealServers(VirtualServer& vs, const VirtualServerGroup* group) {
    seenServers_.clear();
    const GlobalDefs& global = config_.global;
    for (RealServer& rs : vs.realServers) {
      auto [it, fresh] = seenServers_.emplace(serverKey(rs.address, rs.port), &rs.pos);
      if (!fresh) {
        ctx_.error(rs.pos, "real server " + addressPort(rs.address, rs.port) +
                               " is listed twice in virtual server " + vs.describe() +
                               " (first at " + it->second->format() + ")");
      }
      if (group != nullptr) {
        checkGroupPorts(rs, *group);
      }
      if (!rs.smtpAlertSet) {
        // keepalived keeps real servers' alerts on unless global_defs says.
        rs.smtpAlert = global.smtpAlertChecker.value_or(true);
      }
      for (Checker& c : rs.checkers) {
        checkChecker(c, global);
      }
    }
  }

  void checkChecker(Checker& c, const GlobalDefs& global) {
    if (!c.base.logAllFailuresSet) {
      c.base.logAllFailures = global.checkerLogAllFailures;
    }
    if (const auto* tcp = std::get_if<TcpCheck>(c.probe.get())) {
      resolveTcpCheckMode(c, *tcp, global);
    }
    if (auto* file = std::get_if<FileCheck>(c.probe.get())) {
      if (!trackFiles_.contains(file->trackFile)) {
        ctx_.error(file->trackFilePos,
                   "FILE_CHECK 'track_file' '" + file->trackFile + "' names no track_file block");
      }
    }
  }

  // The raw socket of syn mode cannot carry a source port, an interface
  // binding or a mark of the check's own: those checks connect.
  void resolveTcpCheckMode(Checker& c, TcpCheck tcp, const GlobalDefs& global) {
    if (!tcp.modeSet) {
      tcp.mode = global.tcpCheckMode;
    }
    const ProbeTarget& t = c.target;
    if (tcp.mode == TcpCheckMode::Syn &&
        (t.bindPort() != 0 || !t.bindInterface().empty() || t.fwmark() != 0)) {
      tcp.mode = TcpCheckMode::Connect;
      if (!synNotApplied_) {
        synNotApplied_ = c.base.pos;
      }
      ++synNotAppliedCount_;
    }
    c.probe = sharedTcpCheck(tcp);
  }

  // DR and TUN keep the destination port, so a real server's port must be
  // that of every group entry (or none).
  void checkGroupPorts(const RealServer& rs, const VirtualServerGroup& group) {
    if (rs.forwarding.method == ForwardingMethod::Nat || rs.port == 0) {
      return;
    }
    for (const VirtualServerGroupEntry& e : group.entries) {
      bool fwmark = e.kind == VirtualServerGroupEntry::Kind::Fwmark;
      if (fwmark || e.port != rs.port) {
        ctx_.warning(rs.pos, "real server port " + std::to_string(rs.port) +
                                 " is not used: " + std::string(toString(rs.forwarding.method)) +
                                 " keeps the port of group '" + group.name + "' entry at " +
                                 e.pos.format());
        return;
      }
    }
  }

  void checkQuorum(VirtualServer& vs) {
    uint64_t total = 0;
    for (const RealServer& rs : vs.realServers) {
      total += rs.weight;
    }
    if (vs.quorum > total) {
      ctx_.warning(vs.pos, "quorum " + std::to_string(vs.quorum) + " of virtual server " +
                               vs.describe() + " exceeds the total weight " +
                               std::to_string(total) + " of its real servers; using " +
                               std::to_string(total) + " as keepalived does");
      vs.quorum = static_cast<uint32_t>(total);
    }
    if (vs.hysteresis > 0 && vs.hysteresis >= vs.quorum) {
      uint32_t adjusted = vs.quorum > 0 ? vs.quorum - 1 : 0;
      ctx_.warning(vs.pos, "hysteresis " + std::to_string(vs.hysteresis) + " is not below quorum " +
                               std::to_string(vs.quorum) + "; using " + std::to_string(adjusted));
      vs.hysteresis = adjusted;
    }
  }

  void checkDuplicateService(const VirtualServer& vs, const VirtualServerGroup* group) {
    std::string key(1, static_cast<char>(vs.kind));
    bool fwmarkOnly = vs.kind == ServiceKind::Fwmark || (group && !hasAddresses(*group));
    key += static_cast<char>(vs.family);
    if (!fwmarkOnly) {
      key += static_cast<char>(vs.protocol);
    }
    switch (vs.kind) {
      case ServiceKind::Address:
        key += serverKey(vs.address, vs.port);
        break;
      case ServiceKind::Fwmark:
        key += std::to_string(vs.fwmark);
        break;
      case ServiceKind::Group:
        key += vs.groupName;
        break;
    }
    auto [it, fresh] = seenServices_.emplace(std::move(key), &vs.pos);
    if (!fresh) {
      ctx_.error(vs.pos, "virtual server " + vs.describe() + " is defined twice (first at " +
                             it->second->format() + ")");
    }
  }

  static std::string serverKey(const IpAddress& a, uint16_t port) {
    std::string key(reinterpret_cast<const char*>(a.bytes()), a.size());
    key += static_cast<char>(port >> 8);
    key += static_cast<char>(port & 0xff);
    return key;
  }

  Config& config_;
  LvsModel& lvs_;
  ParseContext& ctx_;
  std::unordered_map<std::string, size_t> groupIndex_;
  std::unordered_set<std::string> trackFiles_;
  std::optional<SourcePos> synNotApplied_;  // the first syn-mode check that must connect
  size_t synNotAppliedCount_ = 0;
  std::unordered_map<std::string, const SourcePos*> seenServers_;
  std::unordered_map<std::string, const SourcePos*> seenServices_;
};

}  // namespace

void validateLvs(Config& config, ParseContext& ctx) { LvsValidator(config, ctx).run(); }

}  // namespace vigil::config
