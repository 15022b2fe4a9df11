#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "config/config.h"
#include "core/shared_text.h"

namespace vigil::monitor::snmp {

// What one published MIB view is built from: the running configuration for
// what does not change at run time (initial state, VIPs, addresses) and the
// workers' latest JSON snapshots (VrrpWorker::snapshot, CheckWorker::snapshot)
// for what does. An empty or unparsable snapshot leaves its columns out;
// rows still come from the configuration.
struct MibSource {
  std::shared_ptr<const config::Config> config;
  // Shared with the supervisor, not copied: published every second.
  SharedText vrrpSnapshot;
  SharedText checkSnapshot;
  std::string version;   // KEEPALIVED-MIB::version, e.g. "vigil 0.1.0"
  std::string routerId;  // global_defs router_id, or the host name
  // The kernel's ifIndex of each VRRP instance's interface, as the publisher
  // resolved it (VRRPv3-MIB rows are indexed by it); an interface missing
  // here has no VRRPv3-MIB rows.
  std::map<std::string, uint32_t> ifIndexes;
  uint32_t refreshMs = 1000;  // how often the snapshots are refreshed
};

}  // namespace vigil::monitor::snmp
