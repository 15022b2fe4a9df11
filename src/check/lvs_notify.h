#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/model_global.h"
#include "config/model_lvs.h"
#include "core/event_loop.h"
#include "core/log.h"
#include "core/notify_fifo.h"
#include "core/process_spawner.h"
#include "core/result.h"
#include "core/script_launcher.h"

namespace vigil::check {

// keepalived's lvs_notify_fifo lines (without the newline):
//   RS [10.0.0.2]:tcp:80 [10.0.0.100]:tcp:80 UP
//   VS [10.0.0.100]:tcp:80 DOWN
// A real server is named with its virtual server's protocol; a virtual
// server as VirtualServer::describe() names it ("FWM 1", "group G").
std::string describeRealServer(const config::VirtualServer& vs, const config::RealServer& rs);
std::string realServerFifoLine(const config::VirtualServer& vs, const config::RealServer& rs,
                               bool up);
std::string serviceFifoLine(const config::VirtualServer& vs, bool up);

// Turns a configured command into what to spawn: argv split, account
// resolved and, with enable_script_security, checked. Injected so the check
// library does not depend on the VRRP one (vigild passes the VRRP worker's
// rules; tests a plain split).
using ScriptPreparer = std::function<Result<SpawnRequest>(const config::ScriptCommand& command)>;

// Tells the outside world about real-server and quorum changes: runs
// notify_up / notify_down / quorum_up / quorum_down (as written, no
// arguments appended, as keepalived does) as children the loop reaps, and
// writes one line to notify_fifo and lvs_notify_fifo. Never waits on a
// child or a FIFO reader.
class LvsNotifier {
 public:
  struct Counters : ScriptCounters {
    uint64_t fifoLines = 0;
  };

  // `spawner` null: scripts are not run (counted as spawn errors). Scripts
  // are prepared with `prepare` when they run, so they follow the account
  // rules of the configuration running then.
  LvsNotifier(EventLoop& loop, ProcessSpawner* spawner, ScriptPreparer prepare,
              const config::GlobalDefs& global);
  LvsNotifier(const LvsNotifier&) = delete;
  LvsNotifier& operator=(const LvsNotifier&) = delete;

  // Creates the FIFOs and starts lvs_notify_fifo_script once with the FIFO
  // path as its last argument. notify_fifo_script is started only when
  // `startGenericFifoScript` (the VRRP worker starts it when it runs).
  void start(bool startGenericFifoScript);

  void realServer(const config::VirtualServer& vs, const config::RealServer& rs, bool up);
  void quorum(const config::VirtualServer& vs, bool up);

  Counters counters() const { return {scripts_.counters(), fifoLines_}; }

  // Whether `global` asks for the FIFOs and FIFO scripts this notifier
  // runs, so a reload can keep it (and its FIFO readers) as they are.
  bool sameFifos(const config::GlobalDefs& global) const;

 private:
  std::optional<pid_t> run(const config::ScriptCommand& command,
                           std::vector<std::string> extraArgs = {});
  void writeFifos(const std::string& line);

  EventLoop& loop_;
  ScriptPreparer prepare_;
  // Copies: the notifier may outlive the configuration it came from.
  std::optional<config::NotifyFifo> notifyFifo_;
  std::optional<config::NotifyFifo> lvsNotifyFifo_;
  ScriptLauncher scripts_;
  uint64_t fifoLines_ = 0;
  std::vector<std::unique_ptr<NotifyFifoWriter>> fifos_;
};

}  // namespace vigil::check
