#pragma once

#include <cstdint>
#include <map>

#include "ipvs/model.h"

// Traffic counters of the IPVS table (IPVS_SVC_ATTR_STATS64 /
// IPVS_DEST_ATTR_STATS64 and the destination connection counts), read apart
// from IpvsState: they change with every packet and never take part in
// reconcile.
namespace vigil::ipvs {

// IPVS_STATS_ATTR_*: totals since the service or destination was added (or
// last zeroed), and the kernel's rate estimates per second.
struct TrafficCounters {
  uint64_t connections = 0;     // CONNS
  uint64_t inPackets = 0;       // INPKTS
  uint64_t outPackets = 0;      // OUTPKTS
  uint64_t inBytes = 0;         // INBYTES
  uint64_t outBytes = 0;        // OUTBYTES
  uint64_t connectionRate = 0;  // CPS
  uint64_t inPacketRate = 0;    // INPPS
  uint64_t outPacketRate = 0;   // OUTPPS
  uint64_t inByteRate = 0;      // INBPS
  uint64_t outByteRate = 0;     // OUTBPS

  bool operator==(const TrafficCounters&) const = default;
};

struct DestinationStats {
  TrafficCounters traffic;
  uint32_t activeConnections = 0;      // IPVS_DEST_ATTR_ACTIVE_CONNS
  uint32_t inactiveConnections = 0;    // IPVS_DEST_ATTR_INACT_CONNS
  uint32_t persistentConnections = 0;  // IPVS_DEST_ATTR_PERSIST_CONNS

  bool operator==(const DestinationStats&) const = default;
};

struct ServiceStats {
  TrafficCounters traffic;
  std::map<DestinationKey, DestinationStats> destinations;

  bool operator==(const ServiceStats&) const = default;
};

// Every service of the table with its counters, in key order.
struct IpvsStats {
  std::map<ServiceKey, ServiceStats> services;

  bool operator==(const IpvsStats&) const = default;
};

}  // namespace vigil::ipvs
