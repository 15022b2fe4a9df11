#include "monitor/snmp/vrrpv3_mib.h"

#include <netinet/in.h>

#include <chrono>

#include "monitor/snmp/snapshot_json.h"

namespace vigil::monitor::snmp {
namespace {

using nlohmann::json;
using snapshot::field;

// Under kVrrpv3Root: vrrpv3Objects(1).vrrpv3Operations(1) / vrrpv3Statistics(2).
const Oid kOperationsEntry = {1, 1, 1, 1};
const Oid kAssociatedEntry = {1, 1, 2, 1};
const Oid kStatistics = {1, 2};
const Oid kStatisticsEntry = {1, 2, 5, 1};

constexpr int64_t kTrue = 1;  // TruthValue true(1)/false(2); RowStatus active(1)
constexpr int64_t kFalse = 2;
constexpr int64_t kActive = 1;
constexpr uint32_t kOwnerPriority = 255;

// vrrpv3StatisticsProtoErrReason, by the reject counter that reports it.
const std::map<std::string, int64_t> kProtoErrors = {{"bad_ttl", 1},
                                                     {"bad_version", 2},
                                                     {"version_mismatch", 2},
                                                     {"bad_checksum", 3},
                                                     {"vrid_mismatch", 4}};

Oid at(const Oid& entry, uint32_t column, const Oid& index) {
  Oid oid = kVrrpv3Root;
  oid.insert(oid.end(), entry.begin(), entry.end());
  oid.push_back(column);
  oid.insert(oid.end(), index.begin(), index.end());
  return oid;
}

std::string bytesOf(const IpAddress& address) {
  return {reinterpret_cast<const char*>(address.bytes()), address.size()};
}

std::string addressBytes(const json* instance, const char* key) {
  auto text = field<std::string>(instance, key);
  if (!text) return {};
  auto address = IpAddress::parse(*text);
  return address ? bytesOf(*address) : std::string();
}

Vrrpv3Status statusOf(const std::string& state) {
  if (state == "MASTER") return Vrrpv3Status::Master;
  if (state == "BACKUP") return Vrrpv3Status::Backup;
  return Vrrpv3Status::Initialize;  // INIT, FAULT, not reported yet
}

// RFC 5798 section 7.3: 00-00-5E-00-01-{VRID} for IPv4, 00-00-5E-00-02-{VRID}
// for IPv6.
std::string virtualMac(uint32_t vrid, bool v6) {
  return {'\x00',
          '\x00',
          '\x5e',
          '\x00',
          static_cast<char>(v6 ? 2 : 1),
          static_cast<char>(vrid & 0xff)};
}

std::map<std::string, uint64_t> rejects(const json* owner) {
  std::map<std::string, uint64_t> out;
  if (owner == nullptr || !owner->is_object()) return out;
  auto it = owner->find("rejected");
  if (it == owner->end() || !it->is_object()) return out;
  for (const auto& [reason, count] : it->items()) {
    if (count.is_number_unsigned()) out[reason] = count.get<uint64_t>();
  }
  return out;
}

uint64_t sum(const std::map<std::string, uint64_t>& counts,
             std::initializer_list<const char*> reasons) {
  uint64_t total = 0;
  for (const char* reason : reasons) {
    if (auto it = counts.find(reason); it != counts.end()) total += it->second;
  }
  return total;
}

// Router-wide counters: the rejects counted by every socket and instance.
void addRouterStatistics(const json& snap, MibTree& tree) {
  std::map<std::string, uint64_t> all;
  auto addAll = [&](const json* owner) {
    for (const auto& [reason, count] : rejects(owner)) all[reason] += count;
  };
  auto items = [&](const char* key) {
    return snap.is_object() && snap.contains(key) && snap[key].is_array() ? snap[key]
                                                                          : json::array();
  };
  for (const json& socket : items("sockets")) addAll(&socket);
  for (const json& instance : items("instances")) {
    if (instance.is_object() && instance.contains("counters")) addAll(&instance["counters"]);
  }
  auto scalar = [&](uint32_t id, MibValue value) {
    Oid oid = kVrrpv3Root;
    oid.insert(oid.end(), kStatistics.begin(), kStatistics.end());
    oid.insert(oid.end(), {id, 0});
    tree[oid] = std::move(value);
  };
  scalar(1, MibValue::counter64(sum(all, {"bad_checksum"})));
  scalar(2, MibValue::counter64(sum(all, {"bad_version", "version_mismatch"})));
  scalar(3, MibValue::counter64(sum(all, {"vrid_mismatch"})));
  scalar(4, MibValue::timeTicks(0));  // no discontinuity the agent could date
}

}  // namespace

MibTree Vrrpv3Mib::build(const MibSource& source) {
  MibTree tree;
  if (source.config == nullptr || !source.config->global.snmp.rfcV3) return tree;
  const json snap = snapshot::parse(source.vrrpSnapshot.str());
  const auto running = snapshot::byName(snap, "instances");
  addRouterStatistics(snap, tree);
  for (const config::VrrpInstance& instance : source.config->vrrp.instances) {
    auto ifIndex = source.ifIndexes.find(instance.interface);
    if (instance.version != 3 || ifIndex == source.ifIndexes.end()) continue;
    const bool v6 = instance.family == AF_INET6;
    const RowKey key{ifIndex->second, instance.vrid, v6 ? 2u : 1u};
    const Oid index = {std::get<0>(key), std::get<1>(key), std::get<2>(key)};
    auto it = running.find(instance.name);
    const json* live = it == running.end() ? nullptr : it->second;
    const json* counters =
        live != nullptr && live->contains("counters") ? &(*live)["counters"] : nullptr;

    History& past = history_[key];
    const Vrrpv3Status status = statusOf(field<std::string>(live, "state").value_or(""));
    const auto effective = field<uint32_t>(live, "effective_priority").value_or(instance.priority);
    if (status == Vrrpv3Status::Master && past.status != Vrrpv3Status::Master) {
      // RFC 5798 6.4.1: only the address owner goes from Initialize straight
      // to Master; every other takeover (preemption included) is a
      // Master_Down_Timer expiry.
      past.newMaster = effective == kOwnerPriority ? NewMasterReason::Priority
                                                   : NewMasterReason::MasterNoResponse;
    }
    past.status = status;
    const auto nowRejected = rejects(counters);
    for (const auto& [reason, code] : kProtoErrors) {
      if (sum(nowRejected, {reason.c_str()}) > sum(past.rejected, {reason.c_str()})) {
        past.protoError = code;
      }
    }
    past.rejected = nowRejected;

    uint32_t addresses = 0;
    for (const config::VirtualAddress& vip : instance.vips) {
      if (vip.prefix.address.isV6() != v6) continue;
      Oid row = index;
      const std::string bytes = bytesOf(vip.prefix.address);
      row.push_back(static_cast<uint32_t>(bytes.size()));  // InetAddress index: length, octets
      for (unsigned char b : bytes) row.push_back(b);
      tree[at(kAssociatedEntry, 2, row)] = MibValue::integer(kActive);
      ++addresses;
    }

    auto operation = [&](uint32_t c, MibValue v) {
      tree[at(kOperationsEntry, c, index)] = std::move(v);
    };
    if (live != nullptr) operation(3, MibValue::octets(addressBytes(live, "master_address")));
    if (live != nullptr) operation(4, MibValue::octets(addressBytes(live, "source_address")));
    operation(5, MibValue::octets(virtualMac(instance.vrid, v6)));
    operation(6, MibValue::integer(static_cast<int64_t>(status)));
    operation(7, MibValue::unsignedValue(instance.priority));
    operation(8, MibValue::integer(addresses));
    operation(
        9,
        MibValue::integer(
            std::chrono::duration_cast<std::chrono::milliseconds>(instance.advertInterval).count() /
            10));  // centiseconds
    operation(10, MibValue::integer(instance.preempt ? kTrue : kFalse));
    operation(11, MibValue::integer(instance.accept ? kTrue : kFalse));
    operation(13, MibValue::integer(kActive));

    auto statistic = [&](uint32_t c, MibValue v) {
      tree[at(kStatisticsEntry, c, index)] = std::move(v);
    };
    auto counter = [&](const char* name) { return field<uint64_t>(counters, name).value_or(0); };
    statistic(1, MibValue::counter32(static_cast<uint32_t>(counter("became_master"))));
    statistic(2, MibValue::integer(static_cast<int64_t>(past.newMaster)));
    statistic(3, MibValue::counter64(counter("adverts_received")));
    statistic(4, MibValue::counter64(sum(nowRejected, {"interval_mismatch", "bad_interval"})));
    statistic(5, MibValue::counter64(sum(nowRejected, {"bad_ttl"})));
    statistic(6, MibValue::integer(past.protoError));
    statistic(7, MibValue::counter64(counter("priority_zero_received")));
    statistic(8, MibValue::counter64(counter("priority_zero_sent")));
    statistic(9, MibValue::counter64(sum(nowRejected, {"bad_type"})));
    statistic(10, MibValue::counter64(sum(nowRejected, {"address_list_mismatch"})));
    statistic(11, MibValue::counter64(sum(nowRejected, {"too_short", "address_count_mismatch"})));
    statistic(12, MibValue::timeTicks(0));
    statistic(13, MibValue::unsignedValue(source.refreshMs));
  }
  return tree;
}

}  // namespace vigil::monitor::snmp
