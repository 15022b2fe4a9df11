#pragma once

#include "monitor/metric_set.h"
#include "monitor/monitor_view.h"

namespace vigil::monitor {

// The metrics of metric_table.h from the workers' snapshots (the JSON of
// VrrpWorker::snapshot and CheckWorker::snapshot). A snapshot that is not
// valid JSON, or a field it lacks, yields no samples for that part; the
// worker metrics are always there.
MetricSet collectMetrics(const MonitorView& view);

// collectMetrics in two parts, split so that the expensive one can be
// cached: the supervisor's own worker metrics (config generation, worker
// up/restarts/snapshot age; they change on every call) and what the
// workers' snapshots say (they change only when a snapshot arrives). The
// worker metrics come first in metric_table.h, so
// renderPrometheus(workers) + renderPrometheus(snapshots) equals
// renderPrometheus(collectMetrics(view)).
MetricSet collectWorkerMetrics(const MonitorView& view);
MetricSet collectSnapshotMetrics(const MonitorView& view);

}  // namespace vigil::monitor
