#pragma once

#include <string>

#include "monitor/metric_set.h"
#include "monitor/monitor_view.h"

namespace vigil::monitor {

// The samples of a MetricSet as one JSON document, for GET /metrics.json:
// the same table rows and label names as renderPrometheus, from the same
// MetricSet, so the two views cannot disagree on a name or a value.
//
//   {"vigil_worker_up": {"type": "gauge", "help": "...",
//                        "samples": [{"labels": {"worker": "vrrp"}, "value": 1}]},
//    "vigil_vrrp_loop_lateness_seconds": {"type": "histogram", "help": "...",
//      "samples": [{"labels": {}, "buckets": [{"le": 0.001, "count": 7}, ...],
//                   "count": 11, "sum": 2.5}]}}
//
// Only metrics with samples appear (as in the text format). A histogram's
// buckets are cumulative; "count" is also its +Inf bucket. A value JSON
// cannot hold (NaN, +-Inf) is null.
std::string renderMetricsJson(const MetricSet& metrics);

// renderMetricsJson(metrics) without its enclosing braces ("" when there
// are no samples), for MetricsCache to join a kept part to a fresh one.
std::string renderMetricsJsonMembers(const MetricSet& metrics);

// renderMetricsJson(collectMetrics(view)) plus a newline, rendered afresh;
// the route serves MetricsCache::json instead.
std::string renderMetricsJson(const MonitorView& view);

}  // namespace vigil::monitor
