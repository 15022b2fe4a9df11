#include "cli/vigild/config_check.h"

#include "config/config_json.h"
#include "core/log.h"

namespace vigil::cli {
namespace {

int exitCodeFor(const config::LoadResult& result) {
  if (result.unreadable) {
    return kExitCannotRun;
  }
  return result.diagnostics.hasErrors() ? kExitConfigError : kExitOk;
}

void printFindings(const config::LoadResult& result, std::ostream& report) {
  for (const auto& d : result.diagnostics.all()) {
    report << d.format() << '\n';
  }
}

}  // namespace

config::LoadOptions loadOptionsFor(const Options& options) {
  config::LoadOptions load;
  load.strict = options.strictConfig;
  load.lexer.configId = options.configId.value_or(defaultConfigId());
  return load;
}

DaemonOptions daemonOptionsFor(const Options& options) {
  DaemonOptions d;
  d.configPath = options.configFile.empty() ? defaultConfigFile() : options.configFile;
  d.configId = options.configId.value_or(defaultConfigId());
  d.runVrrp = !options.checkOnly;
  d.runCheck = !options.vrrpOnly;
  d.forceVrrp = options.vrrpOnly;
  d.forceCheck = options.checkOnly;
  d.singleProcess = options.singleProcess;
  d.dontFork = options.dontFork;
  d.pidFile = options.pidFile;
  d.vrrpPidFile = options.vrrpPidFile;
  d.checkPidFile = options.checkPidFile;
  d.controlSocket = options.controlSocket;
  config::LoadOptions load = loadOptionsFor(options);
  std::string path = d.configPath;
  d.loadConfigReporting = [path, load]() -> DaemonOptions::Loaded {
    auto result = config::loadConfig(path, load);
    for (const auto& finding : result.diagnostics.all()) {
      log(finding.severity == config::Severity::Error ? LogLevel::Error : LogLevel::Warning, "{}",
          finding.format());
    }
    if (result.config) return {result.config, {}};
    std::string errors = config::errorSummary(result);
    return {nullptr, errors.empty() ? path + ": not usable" : errors};
  };
  d.loadConfig = [reporting = d.loadConfigReporting] { return reporting().config; };
  return d;
}

int runConfigTest(const Options& options, std::ostream& report) {
  std::string path = options.configFile.empty() ? defaultConfigFile() : options.configFile;
  auto result = config::loadConfig(path, loadOptionsFor(options));
  printFindings(result, report);
  int code = exitCodeFor(result);
  if (code == kExitOk) {
    report << path << ": configuration OK (" << result.diagnostics.warningCount() << " warnings)\n";
  }
  return code;
}

int runDumpConfig(const Options& options, std::ostream& out, std::ostream& report) {
  std::string path = options.configFile.empty() ? defaultConfigFile() : options.configFile;
  auto result = config::loadConfig(path, loadOptionsFor(options));
  printFindings(result, report);
  if (result.config) {
    out << config::toJson(*result.config).dump(2) << '\n';
  }
  return exitCodeFor(result);
}

}  // namespace vigil::cli
