#include "monitor/routes.h"

#include <algorithm>
#include <cctype>
#include <memory>

#include "monitor/health.h"

namespace vigil::monitor {
namespace {

HttpResponse healthz(const MonitorView& view) {
  const HealthVerdict verdict = assessHealth(view);
  if (verdict.healthy) return HttpResponse::text(200, "ok\n");
  std::string body;
  for (const std::string& problem : verdict.problems) body += problem + "\n";
  return HttpResponse::text(503, std::move(body));
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  return std::ranges::equal(a, b, [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

// "q=0", "q=0.0", "q=0.000": the coding is refused (RFC 9110 12.4.2).
bool refused(std::string_view parameters) {
  while (!parameters.empty()) {
    const size_t semicolon = parameters.find(';');
    std::string_view param = trim(parameters.substr(0, semicolon));
    parameters = semicolon == std::string_view::npos ? "" : parameters.substr(semicolon + 1);
    if (param.size() < 2 || (param[0] != 'q' && param[0] != 'Q') || param[1] != '=') continue;
    const std::string_view value = param.substr(2);
    return !value.empty() && value[0] == '0' &&
           value.find_first_not_of("0.") == std::string_view::npos;
  }
  return false;
}

HttpResponse metrics(const HttpRequest& request, const MonitorView& view, MetricsCache& cache) {
  HttpResponse r;
  r.contentType = kPrometheusContentType;
  r.headers.emplace_back("Vary", "Accept-Encoding");
  const std::string* encoding = request.header("accept-encoding");
  const bool gzip = encoding != nullptr && acceptsGzip(*encoding);
  MetricsCache::Body body = gzip ? cache.gzipBody(view) : cache.textBody(view);
  if (gzip) r.headers.emplace_back("Content-Encoding", "gzip");
  // The kept part goes out as the cache holds it: no copy per scrape.
  r.body = std::move(body.before);
  r.sharedBody.push_back(std::move(body.kept));
  if (!body.after.empty()) {
    r.sharedBody.push_back(std::make_shared<const std::string>(std::move(body.after)));
  }
  return r;
}

}  // namespace

bool acceptsGzip(std::string_view acceptEncoding) {
  while (!acceptEncoding.empty()) {
    const size_t comma = acceptEncoding.find(',');
    const std::string_view item = acceptEncoding.substr(0, comma);
    acceptEncoding = comma == std::string_view::npos ? "" : acceptEncoding.substr(comma + 1);
    const size_t semicolon = item.find(';');
    const std::string_view coding = trim(item.substr(0, semicolon));
    if (!equalsIgnoreCase(coding, "gzip") && coding != "*") continue;
    if (semicolon == std::string_view::npos || !refused(item.substr(semicolon + 1))) return true;
  }
  return false;
}

HttpResponse route(const HttpRequest& request, const MonitorView& view) {
  EndpointCache cache;
  return route(request, view, cache);
}

HttpResponse route(const HttpRequest& request, const MonitorView& view, EndpointCache& cache) {
  const std::string_view path = request.path();
  const bool known =
      path == "/metrics" || path == "/metrics.json" || path == "/status" || path == "/healthz";
  if (!known) {
    return HttpResponse::text(404, "not found; try /metrics, /metrics.json, /status or /healthz\n");
  }
  if (request.method != "GET" && request.method != "HEAD") {
    HttpResponse r = HttpResponse::text(405, "only GET and HEAD\n");
    r.headers.emplace_back("Allow", "GET, HEAD");
    return r;
  }
  if (path == "/healthz") return healthz(view);
  if (path == "/metrics") return metrics(request, view, cache.metrics);
  HttpResponse r;
  r.contentType = "application/json";
  if (path == "/status") {
    // The workers' snapshots go out as the supervisor holds them.
    r.sharedBody = renderStatusPieces(view, cache.status);
  } else {
    r.body = cache.metrics.json(view);
  }
  return r;
}

}  // namespace vigil::monitor
