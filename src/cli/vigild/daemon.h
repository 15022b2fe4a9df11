#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "config/config.h"
#include "core/clock.h"

namespace vigil::cli {

// What `vigild` (without -t / --dump-config) needs to run; filled from the
// command line by vigild_main.
struct DaemonOptions {
  std::string configPath;  // for log lines; loadConfig knows how to read it
  std::string configId;
  // Which workers may run (-P / -C clear one). Within that, a worker runs
  // only when its part of the configuration is present (VRRP instances,
  // virtual servers), unless forced: -P / -C run their worker regardless,
  // as keepalived does.
  bool runVrrp = true;
  bool runCheck = true;
  bool forceVrrp = false;
  bool forceCheck = false;
  bool singleProcess = false;  // --single-process: no worker processes
  bool dontFork = false;       // -n: stay in the foreground
  // Written at start (worker files whenever a worker starts) and removed at
  // exit; an empty path writes nothing.
  std::string pidFile;       // -p
  std::string vrrpPidFile;   // -r
  std::string checkPidFile;  // -c
  // --control-socket; unset: $VIGIL_CONTROL_SOCKET or the configuration's.
  std::optional<std::string> controlSocket;
  // Reads and validates the configuration, logging its findings; null when
  // it cannot be used. Called at start, on every SIGHUP in the supervisor,
  // and in each worker process when a reload reaches it.
  std::function<std::shared_ptr<const config::Config>()> loadConfig;
  // The same load, also saying why a file was refused (its errors as
  // FILE:LINE:COL lines) for `vigilctl reload` and /status `last_reload`.
  // The supervisor's reload uses it when set.
  struct Loaded {
    std::shared_ptr<const config::Config> config;
    std::string errors;  // empty with a config
  };
  std::function<Loaded()> loadConfigReporting;
  Duration snapshotInterval = std::chrono::seconds(1);
  Duration stopTimeout = std::chrono::seconds(5);
};

// Runs the daemon until SIGTERM/SIGINT: a supervisor with a "vrrp" and/or a
// "check" worker, respawned when they die; SIGHUP reloads. Returns the exit
// status: 0 after a clean stop (and in the parent that daemonised), 4 when
// the configuration cannot be loaded at start, 3 for other fatal errors.
int runDaemon(const DaemonOptions& options);

}  // namespace vigil::cli
