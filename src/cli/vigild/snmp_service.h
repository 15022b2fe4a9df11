#pragma once

#include <functional>
#include <memory>
#include <string>

#include "config/config.h"
#include "core/posix_event_loop.h"
#include "core/supervisor.h"
#include "monitor/snmp/agentx_agent.h"

namespace vigil::cli {

// The supervisor's side of the SNMP subagent (doc/snmp.md). Every snapshot
// interval it hands the agent thread the running configuration and the
// workers' latest snapshots (a pointer swap under a lock) and logs what the
// agent thread reported; the agent thread compares consecutive views and
// sends the traps (never the VRRP worker, which only reports snapshots); the agent does everything
// else on its own thread, so a slow or missing snmpd never delays the supervisor's loop.
class SnmpService {
 public:
  struct Info {
    std::string version;  // KEEPALIVED-MIB::version
    Duration snapshotInterval = std::chrono::seconds(1);
    std::function<std::shared_ptr<const config::Config>()> config;
  };

  SnmpService(PosixEventLoop& loop, const Supervisor& supervisor, Info info);
  ~SnmpService();

  // Starts the agent once enable_snmp_vrrp/_checker/_rfcv3 is on (after the workers
  // are forked: see Supervisor). net-snmp keeps global state, so the agent
  // then lives as long as the daemon: a reload that turns SNMP off leaves it
  // serving an empty KEEPALIVED-MIB, and a changed snmp_socket takes effect
  // at the next start (logged).
  void apply(const config::GlobalDefs& global);

 private:
  void publish();

  PosixEventLoop& loop_;
  const Supervisor& supervisor_;
  Info info_;
  std::unique_ptr<Timer> timer_;
  std::unique_ptr<monitor::snmp::AgentxAgent> agent_;
};

}  // namespace vigil::cli
