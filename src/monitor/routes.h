#pragma once

#include <string_view>

#include "monitor/http_request.h"
#include "monitor/http_response.h"
#include "monitor/metrics_cache.h"
#include "monitor/monitor_view.h"
#include "monitor/status_json.h"

namespace vigil::monitor {

inline constexpr const char* kPrometheusContentType = "text/plain; version=0.0.4; charset=utf-8";

// What the endpoints keep between requests, each part per snapshot text.
struct EndpointCache {
  MetricsCache metrics;   // /metrics and /metrics.json
  SnapshotChecks status;  // /status: which snapshots are JSON
};

// The monitoring endpoints: GET (or HEAD) /metrics, /metrics.json (the
// same samples as JSON, metrics_json.h), /status, /healthz; 404 for other
// paths, 405 for other methods. /metrics and /metrics.json come from
// `cache.metrics` (metrics_cache.h): rendered once per snapshot change. A
// request whose Accept-Encoding takes gzip (as Prometheus' does) gets it
// gzipped, with Content-Encoding: gzip. /metrics always says Vary:
// Accept-Encoding. /status checks each snapshot once (cache.status).
HttpResponse route(const HttpRequest& request, const MonitorView& view, EndpointCache& cache);
// The same with a cache of its own, rendering everything afresh.
HttpResponse route(const HttpRequest& request, const MonitorView& view);

// Whether an Accept-Encoding value takes gzip (a "gzip" or "*" coding not
// given q=0).
bool acceptsGzip(std::string_view acceptEncoding);

}  // namespace vigil::monitor
