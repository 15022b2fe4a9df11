#pragma once

#include <map>
#include <memory>
#include <string>

#include "config/config.h"
#include "monitor/snmp/index_registry.h"
#include "monitor/snmp/mib_tree.h"

namespace vigil::monitor::snmp {

// KEEPALIVED-MIB (enterprises.debian.project.keepalived, 1.3.6.1.4.1.9586.100.5).
inline const Oid kKeepalivedRoot = {1, 3, 6, 1, 4, 1, 9586, 100, 5};

// What one published MIB view is built from: the running configuration for
// what does not change at run time (initial state, VIPs, addresses) and the
// workers' latest JSON snapshots (VrrpWorker::snapshot, CheckWorker::snapshot)
// for what does. An empty or unparsable snapshot leaves its columns out;
// rows still come from the configuration.
struct MibSource {
  std::shared_ptr<const config::Config> config;
  std::string vrrpSnapshot;
  std::string checkSnapshot;
  std::string version;   // KEEPALIVED-MIB::version, e.g. "vigil 0.1.0"
  std::string routerId;  // global_defs router_id, or the host name
};

// Maps snapshots to KEEPALIVED-MIB objects (doc/snmp.md lists them). Holds
// the index registries, so build() on the same object keeps every row's
// index across reloads; otherwise a pure function of `source`.
class KeepalivedMib {
 public:
  MibTree build(const MibSource& source);

 private:
  void addVrrp(const MibSource& source, MibTree& tree);
  void addChecker(const MibSource& source, MibTree& tree);

  IndexRegistry instances_;
  IndexRegistry syncGroups_;
  std::map<std::string, IndexRegistry> addresses_;  // per instance name
  IndexRegistry virtualServers_;
  std::map<std::string, IndexRegistry> realServers_;  // per virtual server
};

}  // namespace vigil::monitor::snmp
