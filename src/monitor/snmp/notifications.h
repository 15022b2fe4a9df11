#pragma once

#include <utility>
#include <vector>

#include "monitor/snmp/keepalived_mib.h"
#include "monitor/snmp/mib_tree.h"
#include "monitor/snmp/vrrpv3_mib.h"

namespace vigil::monitor::snmp {

// One SNMPv2 notification: its snmpTrapOID.0 value and the varbinds the
// MIB's OBJECTS clause lists, instance suffixes included (the sender adds
// sysUpTime.0 and snmpTrapOID.0).
struct Notification {
  Oid trapOid;
  std::vector<std::pair<Oid, MibValue>> varbinds;
};

// KEEPALIVED-MIB vrrpTraps.2, checkTraps.1 and VRRPv3-MIB vrrpv3Notifications.1.
Oid vrrpInstanceStateChangeOid();
Oid realServerStateChangeOid();
Oid vrrpv3NewMasterOid();

// The notifications that the change from `before` to `after` (two views of
// the same agent, built from consecutive snapshots) calls for:
// - vrrpInstanceStateChange for every instance whose vrrpInstanceState is
//   now known and differs from before (a new row counts: an instance's first
//   reported state is a change from unknown);
// - realServerStateChange for every real server whose realServerStatus
//   differs from a status before (not when it first appears);
// - vrrpv3NewMaster for every VRRPv3 row that is now master(3) and was not.
// The varbinds' values come from `after`; objects it lacks are left out.
std::vector<Notification> notificationsBetween(const MibTree& before, const MibTree& after);

}  // namespace vigil::monitor::snmp
