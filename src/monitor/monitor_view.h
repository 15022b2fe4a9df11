#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/model_global.h"
#include "core/clock.h"
#include "core/supervisor.h"
#include "monitor/http_server.h"

namespace vigil::monitor {

// How the last reload (SIGHUP or `vigilctl reload`) ended.
struct ReloadOutcome {
  double wallSeconds = 0;   // Unix time it ended
  bool ok = false;          // the file was taken
  uint64_t generation = 0;  // the generation running after it
  std::string error;        // why the file was refused: FILE:LINE:COL lines
};

// What the smtp_alert mailer did since vigild started (cli SmtpMailer's
// counters); `failed` is per kSmtpFailReasons.
struct SmtpMailStats {
  uint64_t sent = 0;
  std::array<uint64_t, 3> failed{};
  uint64_t dropped = 0;
};

// Everything the endpoints show, as the supervisor knows it at one moment.
// The endpoints are pure functions of this, so tests build one by hand.
struct MonitorView {
  std::vector<WorkerStatus> workers;  // with each worker's last JSON snapshot
  uint64_t generation = 0;            // configuration generation running
  std::string configPath;
  TimePoint now{};            // the supervisor loop's monotonic now
  double wallNowSeconds = 0;  // Unix time at `now`, for timestamps
  Duration snapshotInterval = std::chrono::seconds(1);
  std::optional<ReloadOutcome> lastReload;  // none before the first reload
  // The /metrics listener's limit counters; none while it is not listening.
  std::optional<HttpServer::Stats> http;
  // The mailer's counters; none while smtp_alert mails are off.
  std::optional<SmtpMailStats> smtp;
  // Whether vigil-snmp.so failed to load; none while SNMP was never
  // enabled.
  std::optional<bool> snmpModuleFailed;
  // global_defs metrics_check_duration: which duration series to render.
  config::CheckDurationMetrics checkDuration = config::CheckDurationMetrics::PerServer;
};

}  // namespace vigil::monitor
