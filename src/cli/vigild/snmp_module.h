#pragma once

#include <memory>

#include "cli/vigild/module_loader.h"
#include "core/result.h"
#include "monitor/snmp/agent.h"

// vigild's SNMP subagent lives in a module, vigil-snmp.so, built with
// vigild: the only code that needs net-snmp. vigild does not link it, so a
// director without SNMP never maps net-snmp's library chain (doc/snmp.md,
// "The SNMP module"). The supervisor loads the module when a configuration
// first enables SNMP (SnmpService), and keeps it loaded.
namespace vigil::cli {

// The module, found and checked as cli/vigild/module_loader.h says.
inline constexpr ModuleSpec kSnmpModule{"vigil-snmp.so", monitor::snmp::kSnmpModuleBuildName,
                                        monitor::snmp::kSnmpModuleEntryName};

// Loads the module (loadModuleEntry) and returns its agent, started with
// `options`; or loadModuleEntry's error.
Result<std::unique_ptr<monitor::snmp::Agent>> loadSnmpModule(
    const monitor::snmp::AgentOptions& options);

}  // namespace vigil::cli
