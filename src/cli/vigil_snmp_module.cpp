// vigil-snmp.so: vigild's SNMP subagent, the only code that needs net-snmp
// (cli/vigild/snmp_module.h says why it lives apart). The MIB views it
// serves (monitor/snmp) come with it; what else it calls (logging, the
// configuration model) is vigild's own, which vigild exports to this module
// (CMakeLists.txt).
#include "module_build.h"
#include "monitor/snmp/agentx_agent.h"

// monitor::snmp::kSnmpModuleBuildName: vigild checks it before calling the
// entry.
extern "C" __attribute__((visibility("default"))) const char vigil_snmp_module_build[] =
    VIGIL_MODULE_BUILD;

extern "C" __attribute__((visibility("default"))) vigil::monitor::snmp::Agent*
vigil_snmp_module_create(const vigil::monitor::snmp::AgentOptions& options) {
  return new vigil::monitor::snmp::AgentxAgent(options);
}
