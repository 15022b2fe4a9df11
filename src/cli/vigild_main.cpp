#include <iostream>
#include <string>
#include <vector>

#include "cli/vigild/config_check.h"
#include "cli/vigild/daemon.h"
#include "cli/vigild/options.h"
#include "core/log.h"

int main(int argc, char** argv) {
  using namespace vigil;
  std::vector<std::string> args(argv + 1, argv + argc);
  auto options = cli::parseOptions(args);
  if (!options) {
    std::cerr << "vigild: " << options.error().describe() << '\n';
    return 2;
  }
  if (options->showHelp) {
    std::cout << cli::usage();
    return 0;
  }
  if (options->showVersion) {
    std::cout << "vigild " << VIGIL_VERSION << '\n';
    return 0;
  }
  configureLogging(cli::logSettingsFor(*options));
  if (options->configTest) {
    return cli::runConfigTest(*options, std::cerr);
  }
  if (options->dumpConfig) {
    return cli::runDumpConfig(*options, std::cout, std::cerr);
  }
  for (const auto& flag : options->ignored) {
    log(LogLevel::Notice, "keepalived option {} has no meaning for vigil; ignored", flag);
  }
  return cli::runDaemon(cli::daemonOptionsFor(*options));
}
