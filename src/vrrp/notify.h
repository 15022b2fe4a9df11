#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/model_global.h"
#include "config/model_vrrp.h"
#include "core/event_loop.h"
#include "core/log.h"
#include "core/notify_fifo.h"
#include "core/process_spawner.h"
#include "core/script_launcher.h"

namespace vigil::vrrp {

// The states keepalived reports to notify scripts and FIFOs.
enum class NotifyState : uint8_t { Master, Backup, Fault, Stop, Deleted, MasterRxLowerPri };

// "MASTER", "BACKUP", "FAULT", "STOP", "DELETED", "MASTER_RX_LOWER_PRI".
std::string_view notifyStateName(NotifyState state);

// keepalived's FIFO lines (without the newline):
//   INSTANCE "VI_1" MASTER 100
//   GROUP "G1" BACKUP
std::string instanceFifoLine(std::string_view instance, NotifyState state, uint8_t priority);
std::string groupFifoLine(std::string_view group, NotifyState state);

// The argv of a notify script: the configured command split as keepalived
// splits it, and for the generic `notify` script the four arguments
// "INSTANCE"|"GROUP", name, state, priority appended (0 for a group, which
// has none).
std::vector<std::string> notifyArgv(const config::ScriptCommand& command);
std::vector<std::string> genericNotifyArgv(const config::ScriptCommand& command, bool group,
                                           std::string_view name, NotifyState state,
                                           uint8_t priority);

// Tells the outside world about state changes of instances and sync
// groups: runs notify_master/backup/fault/stop (or notify_deleted /
// notify_master_rx_lower_pri) and then the generic `notify` script as
// fire-and-forget children the loop reaps, and writes one line to each of
// notify_fifo and vrrp_notify_fifo. Nothing here waits on the children or
// on a FIFO reader.
class Notifier {
 public:
  using Counters = ScriptCounters;

  Notifier(EventLoop& loop, ProcessSpawner& spawner, const config::GlobalDefs& global);
  Notifier(const Notifier&) = delete;
  Notifier& operator=(const Notifier&) = delete;

  // Creates the FIFOs and starts each *_notify_fifo_script once, with the
  // FIFO path as its last argument. Failures are logged and counted; the
  // notifier still runs scripts and the FIFOs that work.
  void start();

  // `priority` is the effective priority. Deleted is reported as Fault
  // unless the instance has notify_deleted.
  void instance(const config::VrrpInstance& instance, NotifyState state, uint8_t priority);
  void group(const config::VrrpSyncGroup& group, NotifyState state);
  // notify_priority_changes: the effective priority of a MASTER or BACKUP
  // instance changed; FIFOs get `INSTANCE "VI_1" MASTER_PRIORITY 90` (or
  // BACKUP_PRIORITY). No script runs. Nothing happens without the option.
  void priorityChanged(const config::VrrpInstance& instance, NotifyState state, uint8_t priority);

  const Counters& counters() const { return scripts_.counters(); }
  const std::vector<std::unique_ptr<NotifyFifoWriter>>& fifos() const { return fifos_; }

 private:
  // The child's pid, or nullopt when it was refused or could not start.
  std::optional<pid_t> run(const config::ScriptCommand& command, std::vector<std::string> argv);
  void writeFifos(const std::string& line);

  EventLoop& loop_;
  const config::GlobalDefs& global_;
  ScriptLauncher scripts_;
  std::vector<std::unique_ptr<NotifyFifoWriter>> fifos_;
};

}  // namespace vigil::vrrp
