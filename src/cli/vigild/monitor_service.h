#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "config/model_global.h"
#include "core/posix_event_loop.h"
#include "core/supervisor.h"
#include "monitor/http_server.h"
#include "monitor/metrics_cache.h"
#include "monitor/monitor_view.h"
#include "monitor/routes.h"

namespace vigil::cli {

// The supervisor's monitoring endpoint (doc/monitoring.md): /metrics,
// /status and /healthz served on the supervisor's loop from what the
// Supervisor holds. Where it listens follows global_defs `metrics_listen`
// and may change on reload. It never stops the daemon: an address that
// cannot be bound is logged and retried on the next reload. The endpoint's
// counters (vigil_http_*) are the service's, not the socket's: a reload
// that moves the listener keeps counting from where the old one stopped.
class MonitorService {
 public:
  struct Info {
    std::string configPath;
    Duration snapshotInterval = std::chrono::seconds(1);
    std::function<uint64_t()> generation;
    std::function<std::optional<monitor::ReloadOutcome>()> lastReload;  // for /status
    // smtp_alert's mail counters for /metrics; unset or none: no series.
    std::function<std::optional<monitor::SmtpMailStats>()> smtpStats;
    // Whether vigil-snmp.so failed to load; unset or none: no series.
    std::function<std::optional<bool>()> snmpModuleFailed;
    // Hands the heap's free pages back after a render is dropped; unset:
    // check::returnFreeHeap.
    std::function<void()> returnFreeHeap;
  };

  MonitorService(PosixEventLoop& loop, const Supervisor& supervisor, Info info);
  ~MonitorService();

  // Listens where `global` says (or stops listening); keeps the socket when
  // the address is unchanged. Takes metrics_check_duration too.
  void apply(const config::GlobalDefs& global);

  // Answers one request from the supervisor's current state; also used by
  // the control socket (control_socket.h), which serves the same routes.
  monitor::HttpResponse handle(const monitor::HttpRequest& request) const;

  // The port listened on (the one bound, for metrics_listen port 0); none
  // while not listening.
  std::optional<uint16_t> port() const;
  // Every listener's counts since start, the current one's included; none
  // before the first listener.
  std::optional<monitor::HttpServer::Stats> httpStats() const;

 private:
  monitor::MonitorView view() const;
  // After a /metrics request: drops the render once the snapshots have
  // moved on, unless the next render would reuse most of it
  // (MetricsCache::releaseIfStale), and hands the freed heap back.
  void releaseStaleRender();

  PosixEventLoop& loop_;
  const Supervisor& supervisor_;
  Info info_;
  std::optional<config::ListenAddress> listening_;
  config::CheckDurationMetrics checkDuration_ = config::CheckDurationMetrics::PerServer;
  std::unique_ptr<monitor::HttpServer> server_;
  // What the listeners replaced by reloads counted.
  std::optional<monitor::HttpServer::Stats> retiredStats_;
  // /metrics' rendered snapshot part and /status' checks, kept between
  // requests; handle() is const to its callers (it changes nothing they
  // can see).
  mutable monitor::EndpointCache cache_;
  // Armed by each /metrics request, then every snapshot interval while
  // the render is still current.
  std::unique_ptr<Timer> releaseTimer_;
};

}  // namespace vigil::cli
