#pragma once

#include <memory>
#include <string>
#include <vector>

#include "monitor/health.h"
#include "monitor/monitor_view.h"

namespace vigil::monitor {

// /status: one JSON document with the configuration generation, the health
// verdict and, per worker, what the supervisor knows plus the worker's own
// snapshot (null until one arrives). Rendered as pieces to send one after
// another (HttpResponse::sharedBody): the supervisor's own text between the
// workers' snapshots, each snapshot the very text the supervisor holds
// (shared, not copied: 21 MB per /status at 50,000 real servers).
std::vector<std::shared_ptr<const std::string>> renderStatusPieces(const MonitorView& view);

// Whether each worker's snapshot parses as JSON, remembered per snapshot
// text (SharedText::Mark, which holds no text): checking reads every byte,
// 0.4 s of the supervisor's loop for the 21 MB of 50,000 real servers, so a
// text is checked once, not once per /status.
class SnapshotChecks {
 public:
  // Whether `worker`'s snapshot (a current one, health.h) is JSON.
  bool isJson(const WorkerStatus& worker);
  // Texts checked since start (each reads the whole text).
  size_t checks() const { return checked_.works(); }

 private:
  PerSnapshotText<bool> checked_;
};

// The same, taking each snapshot's check from `checks`.
std::vector<std::shared_ptr<const std::string>> renderStatusPieces(const MonitorView& view,
                                                                   SnapshotChecks& checks);

}  // namespace vigil::monitor
