#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "monitor/snmp/mib_source.h"

// What vigild's supervisor asks of its SNMP subagent. The one implementation,
// AgentxAgent, is the only code that calls net-snmp, whose library chain
// (libnetsnmpagent, libnetsnmp, libperl, Kerberos, ...) is mapped in every
// process that links it: an idle VRRP director (RSS summed over its
// processes, tests/bench/vrrp_idle --memory-map) measured 16.4 MB with it,
// 14.0 MB without, ~2.4 MB per director. vigild therefore builds it in a
// loadable module (vigil-snmp.so, see cli/vigild/snmp_module.h) that only
// the supervisor loads, and only once SNMP is enabled; tests link
// AgentxAgent directly.
namespace vigil::monitor::snmp {

struct AgentOptions {
  std::string socket = "unix:/var/agentx/master";  // snmp_socket
  std::chrono::seconds pingInterval{5};            // reconnect / liveness probe
};

class Agent {
 public:
  virtual ~Agent() = default;

  // Hands the agent the view to serve next (and to compare with the last
  // one for notifications).
  virtual void publish(std::shared_ptr<const MibSource> source) = 0;
  // What the agent has to report (connected, lost the master), for the
  // caller to log from its own thread.
  virtual std::vector<std::string> takeEvents() = 0;
  virtual const std::string& socket() const = 0;
};

// The module's one entry point, looked up by this (C, unmangled) name: a new
// agent, already running. As for vigil-http.so (check/http_probe_maker.h),
// C++ types cross the boundary unchanged, so vigild calls it only when the
// module's kSnmpModuleBuildName holds vigild's own build id.
inline constexpr const char* kSnmpModuleEntryName = "vigil_snmp_module_create";
inline constexpr const char* kSnmpModuleBuildName = "vigil_snmp_module_build";
using SnmpModuleEntry = Agent* (*)(const AgentOptions& options);

}  // namespace vigil::monitor::snmp
