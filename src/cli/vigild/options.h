#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/log.h"
#include "core/result.h"

namespace vigil::cli {

// vigild's command line. keepalived's common flags keep their meaning so an
// existing unit file or init script can start vigild unchanged.
struct Options {
  std::string configFile;   // -f; empty means the default search
  bool configTest = false;  // -t
  bool dumpConfig = false;  // --dump-config
  bool strictConfig = false;
  bool dontFork = false;    // -n
  bool logConsole = false;  // -l
  bool logDetail = false;   // -D
  bool vrrpOnly = false;    // -P
  bool checkOnly = false;   // -C
  bool singleProcess = false;
  std::optional<std::string> configId;  // -i
  std::string pidFile;                  // -p
  std::string vrrpPidFile;              // -r
  std::string checkPidFile;             // -c
  std::optional<int> syslogFacility;    // -S 0-7 (LOG_LOCAL0-7)
  // --control-socket PATH|off: overrides $VIGIL_CONTROL_SOCKET and
  // global_defs control_socket (control_socket.h).
  std::optional<std::string> controlSocket;
  bool showHelp = false;
  bool showVersion = false;
  // keepalived flags vigil accepts and ignores, reported once at start-up.
  std::vector<std::string> ignored;
};

// Parses argv. Errors name the offending argument.
Result<Options> parseOptions(const std::vector<std::string>& args);

// The configuration file to read when -f is not given: vigil's own path if
// it exists, else keepalived's, so a migrated host needs no flag.
std::string defaultConfigFile();

// The short host name (up to the first dot): keepalived's default config id.
std::string defaultConfigId();

std::string usage();

LogSettings logSettingsFor(const Options& options);

}  // namespace vigil::cli
