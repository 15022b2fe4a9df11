#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <tuple>

#include "monitor/snmp/mib_source.h"
#include "monitor/snmp/mib_tree.h"

namespace vigil::monitor::snmp {

// VRRPv3-MIB (RFC 6527, mib-2 207).
inline const Oid kVrrpv3Root = {1, 3, 6, 1, 2, 1, 207};

// vrrpv3OperationsStatus and vrrpv3StatisticsNewMasterReason values.
enum class Vrrpv3Status : int64_t { Initialize = 1, Backup = 2, Master = 3 };
enum class NewMasterReason : int64_t {
  NotMaster = 0,
  Priority = 1,
  Preempted = 2,
  MasterNoResponse = 3
};

// Maps the version 3 VRRP instances to vrrpv3OperationsTable,
// vrrpv3AssociatedIpAddrTable, vrrpv3StatisticsTable and the router-wide
// error counters (doc/snmp.md lists the columns). Rows are indexed as the
// RFC says, by ifIndex, VRID and InetAddressType, so an instance keeps its
// row across reloads for as long as its interface keeps its ifIndex.
//
// The objects that describe the past (NewMasterReason, ProtoErrReason) are
// derived by comparing each source with the one before, so build() is meant
// to see every published source in order.
class Vrrpv3Mib {
 public:
  MibTree build(const MibSource& source);

 private:
  // ifIndex, VrId, InetAddressType.
  using RowKey = std::tuple<uint32_t, uint32_t, uint32_t>;
  struct History {
    Vrrpv3Status status = Vrrpv3Status::Initialize;
    NewMasterReason newMaster = NewMasterReason::NotMaster;
    int64_t protoError = 0;                    // vrrpv3StatisticsProtoErrReason
    std::map<std::string, uint64_t> rejected;  // the instance's reject counters
  };

  std::map<RowKey, History> history_;
};

}  // namespace vigil::monitor::snmp
