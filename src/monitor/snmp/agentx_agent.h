#pragma once

#include <atomic>
#include <chrono>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "monitor/snmp/agent.h"
#include "monitor/snmp/keepalived_mib.h"
#include "monitor/snmp/mib_tree.h"
#include "monitor/snmp/notifications.h"
#include "monitor/snmp/vrrpv3_mib.h"

namespace vigil::monitor::snmp {

// A net-snmp AgentX subagent serving KEEPALIVED-MIB and VRRPv3-MIB,
// read-only, from the MibSource last published, and sending the
// notifications that the change between consecutive sources calls for
// (notificationsBetween) when enable_traps is on. net-snmp is not
// thread-safe and may block on a slow master, so the agent owns one thread
// that alone calls net-snmp and builds the MibTree (once per publish); other
// threads only publish() immutable sources and takeEvents(), each a short
// lock. Notifications that arise while the master is away wait for it, up
// to kMaxPending (the oldest are dropped and counted in an event). A master
// that is absent or goes away is retried in the background every
// pingInterval; the caller's thread never waits for it.
//
// One agent per process: net-snmp's state is global.
class AgentxAgent final : public Agent {
 public:
  using Options = AgentOptions;

  explicit AgentxAgent(Options options);
  ~AgentxAgent() override;  // stops and joins the thread
  AgentxAgent(const AgentxAgent&) = delete;
  AgentxAgent& operator=(const AgentxAgent&) = delete;

  static constexpr size_t kMaxPending = 64;

  // Wakes the agent thread, which rebuilds its view and sends notifications.
  void publish(std::shared_ptr<const MibSource> source) override;
  // What the agent thread has to report (connected, lost the master), for
  // the caller to log from its own thread: the agent thread logs nothing,
  // so it never holds a lock a forked worker could inherit.
  std::vector<std::string> takeEvents() override;
  const std::string& socket() const override { return options_.socket; }

  // For the net-snmp handler, on the agent thread: the tree of the latest
  // source.
  const MibTree& current() const { return tree_; }
  void noteConnected(bool connected);

 private:
  void run();
  void refresh();  // agent thread: rebuild from a newly published source
  void queue(std::vector<Notification> notifications);
  void sendPending();

  Options options_;
  mutable std::mutex mutex_;
  std::shared_ptr<const MibSource> source_;  // published, not yet built from
  bool fresh_ = false;                       // source_ was published since the last build
  KeepalivedMib mib_;                        // agent thread only
  Vrrpv3Mib vrrpv3_;                         // agent thread only
  MibTree tree_;                             // agent thread only
  std::deque<Notification> pending_;         // agent thread only
  std::vector<std::string> events_;
  std::atomic<bool> stop_{false};
  int wakeFd_ = -1;
  bool connected_ = false;  // agent thread only
  bool reported_ = false;   // agent thread only: first outcome logged
  std::thread thread_;
};

}  // namespace vigil::monitor::snmp
