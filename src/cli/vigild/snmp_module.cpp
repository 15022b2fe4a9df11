#include "cli/vigild/snmp_module.h"

namespace vigil::cli {

Result<std::unique_ptr<monitor::snmp::Agent>> loadSnmpModule(
    const monitor::snmp::AgentOptions& options) {
  auto entry = loadModuleEntry(kSnmpModule);
  if (!entry) return entry.error();
  auto create = reinterpret_cast<monitor::snmp::SnmpModuleEntry>(*entry);
  return std::unique_ptr<monitor::snmp::Agent>(create(options));
}

}  // namespace vigil::cli
