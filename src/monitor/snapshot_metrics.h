#pragma once

#include "monitor/metric_set.h"
#include "monitor/monitor_view.h"

namespace vigil::monitor {

// The metrics of metric_table.h from the workers' snapshots (the JSON of
// VrrpWorker::snapshot and CheckWorker::snapshot). A snapshot that is not
// valid JSON, or a field it lacks, yields no samples for that part; the
// worker metrics are always there.
MetricSet collectMetrics(const MonitorView& view);

}  // namespace vigil::monitor
