#pragma once

#include <functional>
#include <memory>
#include <string>

#include "config/config.h"
#include "core/event_loop.h"
#include "core/result.h"
#include "core/supervisor.h"
#include "monitor/snmp/agent.h"

namespace vigil::cli {

// The supervisor's side of the SNMP subagent (doc/snmp.md). Every snapshot
// interval it hands the agent thread the running configuration and the
// workers' latest snapshots (a pointer swap under a lock) and logs what the
// agent thread reported; the agent thread compares consecutive views and
// sends the traps (never the VRRP worker, which only reports snapshots); the agent does everything
// else on its own thread, so a slow or missing snmpd never delays the supervisor's loop.
// The agent comes from `loadAgent`: in vigild, the SNMP module (snmp_module.h),
// loaded only when a configuration first enables SNMP.
class SnmpService {
 public:
  using AgentLoader = std::function<Result<std::unique_ptr<monitor::snmp::Agent>>(
      const monitor::snmp::AgentOptions&)>;

  struct Info {
    std::string version;  // KEEPALIVED-MIB::version
    Duration snapshotInterval = std::chrono::seconds(1);
    std::function<std::shared_ptr<const config::Config>()> config;
    std::function<std::vector<WorkerStatus>()> workers;  // the supervisor's
    AgentLoader loadAgent;
  };

  SnmpService(EventLoop& loop, Info info);
  ~SnmpService();

  // Starts the agent once enable_snmp_vrrp/_checker/_rfcv3 is on (after the workers
  // are forked: see Supervisor). net-snmp keeps global state, so the agent
  // then lives as long as the daemon: a reload that turns SNMP off leaves it
  // serving an empty KEEPALIVED-MIB, and a changed snmp_socket takes effect
  // at the next start (logged; with SNMP off, the log says the agent stays). An agent that cannot
  // be loaded (the module is missing or from another build) is logged once, naming why, and SNMP
  // stays off until vigild restarts; nothing else depends on it.
  void apply(const config::GlobalDefs& global);
  // Whether the module failed to load: true after a failure, false once
  // loaded, none while no configuration enabled SNMP.
  std::optional<bool> moduleFailed() const {
    if (agent_) return false;
    return loadFailed_ ? std::optional<bool>(true) : std::nullopt;
  }

 private:
  void publish();

  EventLoop& loop_;
  Info info_;
  std::unique_ptr<Timer> timer_;
  std::unique_ptr<monitor::snmp::Agent> agent_;
  bool loadFailed_ = false;  // logged once; apply() does not try again
};

}  // namespace vigil::cli
