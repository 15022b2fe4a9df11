#include "monitor/routes.h"

#include "monitor/health.h"
#include "monitor/snapshot_metrics.h"
#include "monitor/status_json.h"

namespace vigil::monitor {
namespace {

HttpResponse healthz(const MonitorView& view) {
  const HealthVerdict verdict = assessHealth(view);
  if (verdict.healthy) return HttpResponse::text(200, "ok\n");
  std::string body;
  for (const std::string& problem : verdict.problems) body += problem + "\n";
  return HttpResponse::text(503, std::move(body));
}

}  // namespace

HttpResponse route(const HttpRequest& request, const MonitorView& view) {
  const std::string_view path = request.path();
  const bool known = path == "/metrics" || path == "/status" || path == "/healthz";
  if (!known) return HttpResponse::text(404, "not found; try /metrics, /status or /healthz\n");
  if (request.method != "GET" && request.method != "HEAD") {
    HttpResponse r = HttpResponse::text(405, "only GET and HEAD\n");
    r.headers.emplace_back("Allow", "GET, HEAD");
    return r;
  }
  if (path == "/healthz") return healthz(view);
  HttpResponse r;
  if (path == "/metrics") {
    r.contentType = kPrometheusContentType;
    r.body = renderPrometheus(collectMetrics(view));
  } else {
    r.contentType = "application/json";
    r.body = renderStatusJson(view);
  }
  return r;
}

}  // namespace vigil::monitor
