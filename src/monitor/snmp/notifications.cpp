#include "monitor/snmp/notifications.h"

#include <algorithm>

namespace vigil::monitor::snmp {
namespace {

constexpr int64_t kVrrpStateUnknown = 4;  // KEEPALIVED-MIB VrrpState unknown(4)
constexpr int64_t kVrrpv3Master = static_cast<int64_t>(Vrrpv3Status::Master);

Oid under(const Oid& root, std::initializer_list<uint32_t> path) {
  Oid oid = root;
  oid.insert(oid.end(), path);
  return oid;
}

Oid with(Oid column, const Oid& index) {
  column.insert(column.end(), index.begin(), index.end());
  return column;
}

// KEEPALIVED-MIB columns (entry OIDs plus column), VRRPv3-MIB columns.
const Oid kRouterId = under(kKeepalivedRoot, {1, 2, 0});
Oid instanceColumn(uint32_t c) { return under(kKeepalivedRoot, {2, 3, 1, c}); }
Oid virtualServerColumn(uint32_t c) { return under(kKeepalivedRoot, {3, 3, 1, c}); }
Oid realServerColumn(uint32_t c) { return under(kKeepalivedRoot, {3, 4, 1, c}); }
Oid operationsColumn(uint32_t c) { return under(kVrrpv3Root, {1, 1, 1, 1, c}); }
Oid statisticsColumn(uint32_t c) { return under(kVrrpv3Root, {1, 2, 5, 1, c}); }

// Calls f(index, value) for every row of `column` in `tree`.
template <class F>
void forEachRow(const MibTree& tree, const Oid& column, F f) {
  for (auto it = tree.lower_bound(column); it != tree.end(); ++it) {
    const Oid& oid = it->first;
    if (oid.size() <= column.size() || !std::equal(column.begin(), column.end(), oid.begin())) {
      break;
    }
    f(Oid(oid.begin() + static_cast<std::ptrdiff_t>(column.size()), oid.end()), it->second);
  }
}

const MibValue* find(const MibTree& tree, const Oid& oid) {
  auto it = tree.find(oid);
  return it == tree.end() ? nullptr : &it->second;
}

Notification notification(Oid trapOid, const MibTree& after, const std::vector<Oid>& objects) {
  Notification n{std::move(trapOid), {}};
  for (const Oid& oid : objects) {
    if (const MibValue* value = find(after, oid)) n.varbinds.emplace_back(oid, *value);
  }
  return n;
}

void instanceChanges(const MibTree& before, const MibTree& after, std::vector<Notification>& out) {
  forEachRow(after, instanceColumn(4), [&](const Oid& i, const MibValue& state) {
    const MibValue* old = find(before, with(instanceColumn(4), i));
    if (state.number == kVrrpStateUnknown || (old != nullptr && *old == state)) return;
    out.push_back(notification(vrrpInstanceStateChangeOid(), after,
                               {with(instanceColumn(2), i), with(instanceColumn(4), i),
                                with(instanceColumn(5), i), kRouterId}));
  });
}

void realServerChanges(const MibTree& before, const MibTree& after,
                       std::vector<Notification>& out) {
  forEachRow(after, realServerColumn(6), [&](const Oid& vr, const MibValue& status) {
    const MibValue* old = find(before, with(realServerColumn(6), vr));
    if (old == nullptr || *old == status || vr.empty()) return;
    const Oid v = {vr.front()};
    std::vector<Oid> objects = {with(realServerColumn(3), vr),
                                with(realServerColumn(4), vr),
                                with(realServerColumn(5), vr),
                                with(realServerColumn(6), vr),
                                with(virtualServerColumn(2), v),
                                with(virtualServerColumn(8), v),
                                with(virtualServerColumn(21), v),
                                with(virtualServerColumn(20), v),
                                kRouterId};
    // The MIB's "additional varbinds" naming the virtual server, by its
    // virtualServerType: fwmark(1), ip(2), group(3); absent columns drop out.
    for (uint32_t c : {3u, 4u, 5u, 6u, 7u}) objects.push_back(with(virtualServerColumn(c), v));
    out.push_back(notification(realServerStateChangeOid(), after, objects));
  });
}

void newMasters(const MibTree& before, const MibTree& after, std::vector<Notification>& out) {
  forEachRow(after, operationsColumn(6), [&](const Oid& row, const MibValue& status) {
    const MibValue* old = find(before, with(operationsColumn(6), row));
    if (status.number != kVrrpv3Master || (old != nullptr && old->number == kVrrpv3Master)) return;
    out.push_back(notification(vrrpv3NewMasterOid(), after,
                               {with(operationsColumn(3), row), with(statisticsColumn(2), row)}));
  });
}

}  // namespace

Oid vrrpInstanceStateChangeOid() { return under(kKeepalivedRoot, {2, 10, 0, 2}); }
Oid realServerStateChangeOid() { return under(kKeepalivedRoot, {3, 5, 0, 1}); }
Oid vrrpv3NewMasterOid() { return under(kVrrpv3Root, {0, 1}); }

std::vector<Notification> notificationsBetween(const MibTree& before, const MibTree& after) {
  std::vector<Notification> out;
  instanceChanges(before, after, out);
  newMasters(before, after, out);
  realServerChanges(before, after, out);
  return out;
}

}  // namespace vigil::monitor::snmp
