// vigilctl: the operator's command-line client. Commands that talk to a
// running vigild (status, vrrp, check, ipvs, reload) arrive with the control
// socket; today it reports its version and usage, and computes HTTP
// digests (genhash).
#include <iostream>
#include <string>

#include "cli/vigilctl/genhash.h"

namespace {

constexpr const char* kUsage = R"(Usage: vigilctl COMMAND [ARGS]
  version     print the version
  genhash     print the MD5 digest of a web page for HTTP_GET/SSL_GET url { digest }
              (keepalived's genhash options; vigilctl genhash --help)
  help        this text
Commands that query a running vigild (status, vrrp, check, ipvs, reload)
need the control socket, which is not implemented yet.
)";

}  // namespace

int main(int argc, char** argv) {
  std::string command = argc > 1 ? argv[1] : "help";
  if (command == "help" || command == "--help" || command == "-h") {
    std::cout << kUsage;
    return 0;
  }
  if (command == "version" || command == "--version") {
    std::cout << "vigilctl " << VIGIL_VERSION << '\n';
    return 0;
  }
  if (command == "genhash") {
    return vigil::cli::runGenhash(argc - 1, argv + 1);
  }
  std::cerr << "vigilctl: unknown command '" << command << "'\n" << kUsage;
  return 2;
}
