#pragma once

#include <ostream>

#include "cli/vigild/daemon.h"
#include "cli/vigild/options.h"
#include "config/loader.h"

namespace vigil::cli {

// keepalived's documented exit codes for `-t`.
enum ExitCode : int {
  kExitOk = 0,
  kExitCannotRun = 3,    // the configuration could not be read at all
  kExitConfigError = 4,  // the configuration has errors
};

config::LoadOptions loadOptionsFor(const Options& options);

// The daemon's settings from the command line; its loadConfig logs every
// finding and yields null when the file has errors.
DaemonOptions daemonOptionsFor(const Options& options);

// `vigild -t`: prints every finding as FILE:LINE:COL: error|warning: text to
// `report` and returns the exit code.
int runConfigTest(const Options& options, std::ostream& report);

// `vigild --dump-config`: the normalised model as JSON on `out`, findings on
// `report`. Exits like -t.
int runDumpConfig(const Options& options, std::ostream& out, std::ostream& report);

}  // namespace vigil::cli
