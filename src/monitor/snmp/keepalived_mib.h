#pragma once

#include <map>
#include <string>

#include "config/config.h"
#include "monitor/snmp/index_registry.h"
#include "monitor/snmp/mib_source.h"
#include "monitor/snmp/mib_tree.h"

namespace vigil::monitor::snmp {

// KEEPALIVED-MIB (enterprises.debian.project.keepalived, 1.3.6.1.4.1.9586.100.5).
inline const Oid kKeepalivedRoot = {1, 3, 6, 1, 4, 1, 9586, 100, 5};

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
