#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include "core/clock.h"
#include "monitor/monitor_view.h"

namespace vigil::monitor {

// A worker older than this many snapshot intervals without a word is
// considered hung by the systemd watchdog (cli systemd_notify): one late
// snapshot under load is not an outage worth a restart.
inline constexpr int kSilentIntervals = 3;

// How late a worker's loop may run before /healthz says so. Each worker
// sends a snapshot (or a heartbeat) every snapshot interval from a timer on
// its own loop, so a snapshot that arrives more than this after it was due
// means that loop is running its timers at least this late.
// Why 1 s: at keepalived's default advert_int of 1 s, a master whose loop
// is 1 s late has skipped a whole advert and is a third of the way to its
// backup's Master_Down_Interval (3 * advert_int + Skew_Time); finer
// lateness (advert_int 0.1 setups) is what vigil_vrrp_loop_lateness_seconds
// alerts on (doc/monitoring.md). A smaller bound would flap on delivery
// jitter alone: the figure includes the supervisor's own turn and the
// socketpair, tens of ms on a busy two-core machine.
inline constexpr Duration kLoopLatenessBound = std::chrono::seconds(1);

struct HealthVerdict {
  bool healthy = true;
  std::vector<std::string> problems;  // "vrrp worker: not running", ...
};

// /healthz: healthy when every worker runs, has sent a snapshot since it
// last started, and its loop is not late: its latest snapshot arrived at
// most one snapshot interval plus kLoopLatenessBound ago. A worker whose
// message waits unread on its channel (WorkerStatus::messageWaiting) is not
// judged late: lastSnapshotAt is when the supervisor read, and after a
// supervisor stall a request can be answered before the snapshot that
// arrived during the stall is read; the stall is the supervisor's.
HealthVerdict assessHealth(const MonitorView& view);

// Whether the worker's snapshot comes from the process running now.
bool hasCurrentSnapshot(const WorkerStatus& worker);

// How far past its due time the worker's next snapshot is at `view.now`
// (zero while not yet due): a lower bound of its loop's lateness. Needs a
// current snapshot (hasCurrentSnapshot).
Duration loopLateness(const WorkerStatus& worker, const MonitorView& view);

// A value worked out from each worker's snapshot text, kept until that
// worker's text changes (compared by text object: no byte is read). What
// /status and systemd's status line read from the snapshots is worked out
// once per snapshot, not once per request or poll.
template <class T>
class PerSnapshotText {
 public:
  // The value for `worker`'s current text: `work(worker)` runs only when
  // that text is not the one the kept value came from.
  template <class Work>
  const T& get(const WorkerStatus& worker, Work work) {
    auto entry = std::find_if(entries_.begin(), entries_.end(),
                              [&](const Entry& e) { return e.worker == worker.name; });
    if (entry == entries_.end()) {
      entry = entries_.insert(entries_.end(), Entry{worker.name, {}, T{}});
    } else if (entry->text.names(worker.lastSnapshot)) {
      return entry->value;
    }
    entry->text = worker.lastSnapshot.mark();
    entry->value = work(worker);
    ++works_;
    return entry->value;
  }
  // Texts worked on since start (each reads the whole text).
  size_t works() const { return works_; }

 private:
  struct Entry {
    std::string worker;
    SharedText::Mark text;
    T value;
  };
  std::vector<Entry> entries_;  // one per worker name
  size_t works_ = 0;
};

}  // namespace vigil::monitor
