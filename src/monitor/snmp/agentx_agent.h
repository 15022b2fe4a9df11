#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "monitor/snmp/keepalived_mib.h"
#include "monitor/snmp/mib_tree.h"

namespace vigil::monitor::snmp {

// A net-snmp AgentX subagent serving KEEPALIVED-MIB, read-only, from the
// MibSource last published. net-snmp is not thread-safe and may block on a
// slow master, so the agent owns one thread that alone calls net-snmp and
// builds the MibTree (when a request comes after a publish); other threads
// only publish() immutable sources and takeEvents(), each a short lock. A master
// that is absent or goes away is retried in the background every
// pingInterval; the caller's thread never waits for it.
//
// One agent per process: net-snmp's state is global.
class AgentxAgent {
 public:
  struct Options {
    std::string socket = "unix:/var/agentx/master";  // snmp_socket
    std::chrono::seconds pingInterval{5};            // reconnect / liveness probe
  };

  explicit AgentxAgent(Options options);
  ~AgentxAgent();  // stops and joins the thread
  AgentxAgent(const AgentxAgent&) = delete;
  AgentxAgent& operator=(const AgentxAgent&) = delete;

  void publish(std::shared_ptr<const MibSource> source);
  // What the agent thread has to report (connected, lost the master), for
  // the caller to log from its own thread: the agent thread logs nothing,
  // so it never holds a lock a forked worker could inherit.
  std::vector<std::string> takeEvents();
  const std::string& socket() const { return options_.socket; }

  // For the net-snmp handler, on the agent thread: the tree of the latest
  // source.
  const MibTree& current();
  void noteConnected(bool connected);

 private:
  void run();

  Options options_;
  mutable std::mutex mutex_;
  std::shared_ptr<const MibSource> source_;
  std::shared_ptr<const MibSource> builtFrom_;  // agent thread only
  KeepalivedMib mib_;                           // agent thread only
  MibTree tree_;                                // agent thread only
  std::vector<std::string> events_;
  std::atomic<bool> stop_{false};
  int wakeFd_ = -1;
  bool connected_ = false;  // agent thread only
  bool reported_ = false;   // agent thread only: first outcome logged
  std::thread thread_;
};

}  // namespace vigil::monitor::snmp
