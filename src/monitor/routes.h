#pragma once

#include "monitor/http_request.h"
#include "monitor/http_response.h"
#include "monitor/monitor_view.h"

namespace vigil::monitor {

inline constexpr const char* kPrometheusContentType = "text/plain; version=0.0.4; charset=utf-8";

// The monitoring endpoints: GET (or HEAD) /metrics, /status, /healthz;
// 404 for other paths, 405 for other methods.
HttpResponse route(const HttpRequest& request, const MonitorView& view);

}  // namespace vigil::monitor
