#include "cli/vigild/monitor_service.h"

#include <chrono>

#include "check/heap_policy.h"
#include "core/log.h"
#include "monitor/routes.h"

namespace vigil::cli {
namespace {

bool sameAddress(const std::optional<config::ListenAddress>& a,
                 const std::optional<config::ListenAddress>& b) {
  if (!a || !b) return !a && !b;
  return a->address == b->address && a->port == b->port;
}

}  // namespace

MonitorService::MonitorService(PosixEventLoop& loop, const Supervisor& supervisor, Info info)
    : loop_(loop),
      supervisor_(supervisor),
      info_(std::move(info)),
      releaseTimer_(loop_.createTimer([this] { releaseStaleRender(); })) {}

MonitorService::~MonitorService() = default;

void MonitorService::apply(const config::GlobalDefs& global) {
  checkDuration_ = global.metricsCheckDuration;
  const std::optional<config::ListenAddress>& wanted = global.metricsListen;
  if (server_ && sameAddress(listening_, wanted)) return;
  if (server_) {
    retiredStats_ = httpStats();
    server_.reset();
  }
  listening_.reset();
  if (!wanted) {
    log(LogLevel::Info, "monitor: metrics_listen off; no /metrics, /status or /healthz");
    return;
  }
  auto server = monitor::HttpServer::start(
      loop_, wanted->address, wanted->port,
      [this](const monitor::HttpRequest& request) { return handle(request); }, {});
  if (!server) {
    log(LogLevel::Error, "monitor: cannot listen on {}: {}; running without it", wanted->toString(),
        server.error().describe());
    return;
  }
  server_ = std::move(*server);
  listening_ = wanted;
  log(LogLevel::Info, "monitor: serving /metrics, /status, /healthz on {}", wanted->toString());
}

monitor::HttpResponse MonitorService::handle(const monitor::HttpRequest& request) const {
  if (request.path() == "/metrics" || request.path() == "/metrics.json") {
    // A scrape of the same snapshot within the interval still finds it.
    releaseTimer_->armAfter(2 * info_.snapshotInterval);
  }
  return monitor::route(request, view(), cache_);
}

void MonitorService::releaseStaleRender() {
  const monitor::MonitorView current = view();
  if (cache_.metrics.releaseIfStale(current)) {
    // The render's records and sort order.
    if (info_.returnFreeHeap) {
      info_.returnFreeHeap();
    } else {
      check::returnFreeHeap();
    }
  } else if (cache_.metrics.keptFor(current)) {
    releaseTimer_->armAfter(info_.snapshotInterval);
  }
}

monitor::MonitorView MonitorService::view() const {
  monitor::MonitorView view;
  view.workers = supervisor_.status();
  view.generation = info_.generation ? info_.generation() : 0;
  view.configPath = info_.configPath;
  view.now = loop_.now();
  view.wallNowSeconds =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  view.snapshotInterval = info_.snapshotInterval;
  if (info_.lastReload) view.lastReload = info_.lastReload();
  view.http = httpStats();
  if (info_.smtpStats) view.smtp = info_.smtpStats();
  if (info_.snmpModuleFailed) view.snmpModuleFailed = info_.snmpModuleFailed();
  view.checkDuration = checkDuration_;
  return view;
}

std::optional<uint16_t> MonitorService::port() const {
  if (!server_) return std::nullopt;
  return server_->port();
}

std::optional<monitor::HttpServer::Stats> MonitorService::httpStats() const {
  if (!server_) return retiredStats_;
  monitor::HttpServer::Stats total = retiredStats_.value_or(monitor::HttpServer::Stats{});
  total += server_->stats();
  return total;
}

}  // namespace vigil::cli
