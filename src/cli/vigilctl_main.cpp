// vigilctl: the operator's command-line client. It queries and reloads a
// running vigild over its control socket (doc/vigilctl.md), reports its
// version, and computes HTTP digests (genhash).
#include <iostream>
#include <string>
#include <vector>

#include "cli/vigilctl/control_commands.h"
#include "cli/vigilctl/genhash.h"

namespace {

constexpr const char* kUsage = R"(Usage: vigilctl COMMAND [ARGS]
  version     print the version
  genhash     print the MD5 digest of a web page for HTTP_GET/SSL_GET url { digest }
              (keepalived's genhash options; vigilctl genhash --help)
  status      vigild's generation, health and workers
  vrrp        VRRP instances: state, priority, master
  check       real servers and their checkers
  ipvs -Ln    the IPVS table vigild's check worker sees, ipvsadm's layout
  ipvs -Ln --stats|--rate [--exact]
              its traffic counters or rates, as ipvsadm lists them
  ipvs -Lnc   the kernel's IPVS connections, as ipvsadm -Lnc lists them
  reload      reload the configuration (as SIGHUP) and say whether it loaded
  help        this text
Options of status, vrrp, check, ipvs and reload:
  --json          print vigild's JSON instead of a table
  --socket PATH   vigild's control socket (default $VIGIL_CONTROL_SOCKET,
                  else /run/vigil/vigild.sock)
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
  if (vigil::cli::isControlCommand(command)) {
    return vigil::cli::runControlCommand(command, std::vector<std::string>(argv + 2, argv + argc));
  }
  std::cerr << "vigilctl: unknown command '" << command << "'\n" << kUsage;
  return 2;
}
