#include "monitor/snmp/keepalived_mib.h"

#include <netinet/in.h>

#include <chrono>

#include "monitor/snmp/snapshot_json.h"

namespace vigil::monitor::snmp {
namespace {

using nlohmann::json;
using snapshot::byName;
using snapshot::field;
using snapshot::parse;

// Table entry OIDs (the table's OID plus .1) under kKeepalivedRoot.
const Oid kSyncGroupEntry = {2, 1, 1};
const Oid kInstanceEntry = {2, 3, 1};
const Oid kAddressEntry = {2, 6, 1};
const Oid kVirtualServerEntry = {3, 3, 1};
const Oid kRealServerEntry = {3, 4, 1};

// KEEPALIVED-MIB enumerations.
constexpr int64_t kEnabled = 1;  // enabled(1)/disabled(2), true(1)/false(2), alive/dead, met/notMet
constexpr int64_t kDisabled = 2;
constexpr int64_t kStateUnknown = 4;  // VrrpState unknown(4)

int64_t flag(bool on) { return on ? kEnabled : kDisabled; }

Oid join(const Oid& entry, uint32_t column, std::initializer_list<uint32_t> index) {
  Oid oid = kKeepalivedRoot;
  oid.insert(oid.end(), entry.begin(), entry.end());
  oid.push_back(column);
  oid.insert(oid.end(), index.begin(), index.end());
  return oid;
}

Oid scalar(std::initializer_list<uint32_t> path) {
  Oid oid = kKeepalivedRoot;
  oid.insert(oid.end(), path.begin(), path.end());
  oid.push_back(0);
  return oid;
}

// VrrpState from VrrpWorker's state names.
int64_t vrrpState(const std::string& name) {
  if (name == "INIT") return 0;
  if (name == "BACKUP") return 1;
  if (name == "MASTER") return 2;
  if (name == "FAULT") return 3;
  return kStateUnknown;
}

// InetAddressType ipv4(1)/ipv6(2) and the address as raw bytes.
int64_t addressType(const IpAddress& address) { return address.isV6() ? 2 : 1; }
std::string addressBytes(const IpAddress& address) {
  return {reinterpret_cast<const char*>(address.bytes()), address.size()};
}

uint32_t seconds(Duration d) {
  return static_cast<uint32_t>(std::chrono::duration_cast<std::chrono::seconds>(d).count());
}

std::string realServerKey(const config::RealServer& rs) {
  return rs.address.toString() + ":" + std::to_string(rs.port);
}

int64_t protocolValue(config::LvsProtocol protocol) {
  switch (protocol) {
    case config::LvsProtocol::Tcp:
      return 1;
    case config::LvsProtocol::Udp:
      return 2;
    case config::LvsProtocol::Sctp:
      return 3;
  }
  return 4;
}

int64_t serviceType(config::ServiceKind kind) {
  switch (kind) {
    case config::ServiceKind::Fwmark:
      return 1;
    case config::ServiceKind::Address:
      return 2;
    case config::ServiceKind::Group:
      return 3;
  }
  return 2;
}

int64_t forwardingValue(config::ForwardingMethod method) {
  switch (method) {
    case config::ForwardingMethod::Nat:
      return 1;
    case config::ForwardingMethod::DirectRouting:
      return 2;
    case config::ForwardingMethod::Tunnel:
      return 3;
  }
  return 1;
}

}  // namespace

MibTree KeepalivedMib::build(const MibSource& source) {
  MibTree tree;
  tree[scalar({1, 1})] = MibValue::octets(source.version);
  tree[scalar({1, 2})] = MibValue::octets(source.routerId);
  if (source.config == nullptr) return tree;
  const config::SnmpSettings& snmp = source.config->global.snmp;
  tree[scalar({1, 4})] = MibValue::integer(flag(snmp.traps));
  if (snmp.vrrp) addVrrp(source, tree);
  if (snmp.checker) addChecker(source, tree);
  return tree;
}

void KeepalivedMib::addVrrp(const MibSource& source, MibTree& tree) {
  const json snapshot = parse(source.vrrpSnapshot.str());
  const auto running = byName(snapshot, "instances");
  const auto groups = byName(snapshot, "sync_groups");
  for (const config::VrrpSyncGroup& group : source.config->vrrp.syncGroups) {
    const uint32_t g = syncGroups_.indexOf(group.name);
    auto it = groups.find(group.name);
    const json* state = it == groups.end() ? nullptr : it->second;
    tree[join(kSyncGroupEntry, 2, {g})] = MibValue::octets(group.name);
    tree[join(kSyncGroupEntry, 3, {g})] =
        MibValue::integer(vrrpState(field<std::string>(state, "state").value_or("")));
  }
  for (const config::VrrpInstance& instance : source.config->vrrp.instances) {
    const uint32_t i = instances_.indexOf(instance.name);
    auto it = running.find(instance.name);
    const json* live = it == running.end() ? nullptr : it->second;
    const int64_t state = vrrpState(field<std::string>(live, "state").value_or(""));
    const bool master = state == 2;
    auto column = [&](uint32_t c, MibValue v) {
      tree[join(kInstanceEntry, c, {i})] = std::move(v);
    };
    column(2, MibValue::octets(instance.name));
    column(3, MibValue::unsignedValue(instance.vrid));
    column(4, MibValue::integer(state));
    column(5, MibValue::integer(instance.initialState == config::VrrpInitialState::Master ? 2 : 1));
    column(7, MibValue::integer(field<int64_t>(live, "priority").value_or(instance.priority)));
    if (auto effective = field<int64_t>(live, "effective_priority")) {
      column(8, MibValue::integer(*effective));
    }
    // allSet(1) while MASTER: the VRRP worker adds the VIPs on becoming
    // master and removes them on leaving it.
    column(9, MibValue::integer(flag(master)));
    column(10, MibValue::octets(instance.interface));
    column(12, MibValue::unsignedValue(seconds(instance.advertInterval)));
    column(13, MibValue::integer(flag(instance.preempt)));
    column(14, MibValue::unsignedValue(seconds(instance.preemptDelay)));
    if (!instance.syncGroup.empty()) column(18, MibValue::octets(instance.syncGroup));
    column(30, MibValue::integer(instance.version));

    IndexRegistry& addresses = addresses_[instance.name];
    for (const config::VirtualAddress& vip : instance.vips) {
      const uint32_t a = addresses.indexOf(vip.prefix.toString() + " " + vip.dev);
      auto address = [&](uint32_t c, MibValue v) {
        tree[join(kAddressEntry, c, {i, a})] = std::move(v);
      };
      address(2, MibValue::integer(addressType(vip.prefix.address)));
      address(3, MibValue::octets(addressBytes(vip.prefix.address)));
      address(5, MibValue::unsignedValue(vip.prefix.length));
      address(8, MibValue::octets(vip.dev.empty() ? instance.interface : vip.dev));
      address(10, MibValue::integer(flag(master)));  // set(1)/unset(2)
    }
  }
}

void KeepalivedMib::addChecker(const MibSource& source, MibTree& tree) {
  const json snapshot = parse(source.checkSnapshot.str());
  const auto running = byName(snapshot, "virtual_servers");
  for (const config::VirtualServer& vs : source.config->lvs.virtualServers) {
    const std::string key = vs.describe();
    const uint32_t v = virtualServers_.indexOf(key);
    auto it = running.find(key);
    const json* live = it == running.end() ? nullptr : it->second;
    // Real servers' live state by "address:port".
    std::map<std::string, const json*> liveReals;
    if (live != nullptr && live->contains("real_servers") && (*live)["real_servers"].is_array()) {
      for (const json& rs : (*live)["real_servers"]) {
        auto address = field<std::string>(&rs, "address");
        auto port = field<uint32_t>(&rs, "port");
        if (address && port) liveReals[*address + ":" + std::to_string(*port)] = &rs;
      }
    }
    auto column = [&](uint32_t c, MibValue val) {
      tree[join(kVirtualServerEntry, c, {v})] = std::move(val);
    };
    column(2, MibValue::integer(serviceType(vs.kind)));
    if (vs.kind == config::ServiceKind::Group) column(3, MibValue::octets(vs.groupName));
    if (vs.kind == config::ServiceKind::Fwmark) column(4, MibValue::unsignedValue(vs.fwmark));
    if (vs.kind == config::ServiceKind::Address) {
      column(5, MibValue::integer(addressType(vs.address)));
      column(6, MibValue::octets(addressBytes(vs.address)));
      column(7, MibValue::unsignedValue(vs.port));
    }
    column(8, MibValue::integer(protocolValue(vs.protocol)));
    column(10, MibValue::integer(forwardingValue(vs.forwarding.method)));
    uint32_t up = 0;
    for (const auto& [name, rs] : liveReals) up += field<bool>(rs, "up").value_or(false) ? 1 : 0;
    if (auto quorumUp = field<bool>(live, "quorum_up")) {
      column(11, MibValue::integer(flag(*quorumUp)));  // alive(1)/dead(2)
      column(23, MibValue::integer(flag(*quorumUp)));  // met(1)/notMet(2)
    }
    column(20, MibValue::unsignedValue(static_cast<uint32_t>(vs.realServers.size())));
    if (live != nullptr) column(21, MibValue::unsignedValue(up));
    column(22, MibValue::unsignedValue(vs.quorum));
    column(26, MibValue::unsignedValue(vs.hysteresis));
    column(71, MibValue::octets(key));

    IndexRegistry& reals = realServers_[key];
    for (const config::RealServer& rs : vs.realServers) {
      const std::string rsKey = realServerKey(rs);
      const uint32_t r = reals.indexOf(rsKey);
      auto itLive = liveReals.find(rsKey);
      const json* rsLive = itLive == liveReals.end() ? nullptr : itLive->second;
      auto real = [&](uint32_t c, MibValue val) {
        tree[join(kRealServerEntry, c, {v, r})] = std::move(val);
      };
      real(2, MibValue::integer(1));  // regular(1)
      real(3, MibValue::integer(addressType(rs.address)));
      real(4, MibValue::octets(addressBytes(rs.address)));
      real(5, MibValue::unsignedValue(rs.port));
      if (auto isUp = field<bool>(rsLive, "up")) real(6, MibValue::integer(flag(*isUp)));
      real(7, MibValue::integer(field<int64_t>(rsLive, "weight").value_or(rs.weight)));
      real(8, MibValue::unsignedValue(rs.upperThreshold()));
      real(9, MibValue::unsignedValue(rs.lowerThreshold()));
      real(10, MibValue::integer(rs.inhibitOnFailure ? 2 : 1));  // remove(1)/inhibit(2)
      real(40, MibValue::integer(forwardingValue(rs.forwarding.method)));
    }
  }
}

}  // namespace vigil::monitor::snmp
