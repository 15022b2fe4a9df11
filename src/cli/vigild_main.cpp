#include <cstdio>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "cli/vigild/config_check.h"
#include "cli/vigild/daemon.h"
#include "cli/vigild/options.h"
#include "core/log.h"

// No <iostream> in vigild: with GCC 12 every translation unit that includes
// it constructs std::ios_base::Init before main, which builds the classic
// locale's facets and keeps ~0.5 MB more of libstdc++ resident in every
// director process (issue 3). Output goes through stdio; `-t` and
// --dump-config build their text in a string stream, on their path only.
namespace {

void writeTo(std::FILE* stream, std::string_view text) {
  std::fwrite(text.data(), 1, text.size(), stream);
  std::fflush(stream);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace vigil;
  std::vector<std::string> args(argv + 1, argv + argc);
  auto options = cli::parseOptions(args);
  if (!options) {
    writeTo(stderr, "vigild: " + options.error().describe() + '\n');
    return 2;
  }
  if (options->showHelp) {
    writeTo(stdout, cli::usage());
    return 0;
  }
  if (options->showVersion) {
    writeTo(stdout, std::string("vigild ") + VIGIL_VERSION + '\n');
    return 0;
  }
  configureLogging(cli::logSettingsFor(*options));
  if (options->configTest) {
    std::ostringstream report;
    const int rc = cli::runConfigTest(*options, report);
    writeTo(stderr, report.view());
    return rc;
  }
  if (options->dumpConfig) {
    std::ostringstream out;
    std::ostringstream report;
    const int rc = cli::runDumpConfig(*options, out, report);
    writeTo(stderr, report.view());
    writeTo(stdout, out.view());
    return rc;
  }
  for (const auto& flag : options->ignored) {
    log(LogLevel::Notice, "keepalived option {} has no meaning for vigil; ignored", flag);
  }
  return cli::runDaemon(cli::daemonOptionsFor(*options));
}
