#pragma once

#include <string>
#include <vector>

namespace vigil::cli {

// The commands that talk to a running vigild over its control socket
// (doc/vigilctl.md): status, vrrp, check, ipvs -Ln, reload, each with
// --json (vigild's JSON as is) and --socket PATH. `args` follows the
// command name. Returns the exit status: 0 ok, 1 vigild said no or is not
// reachable, 2 bad usage.
bool isControlCommand(const std::string& command);
int runControlCommand(const std::string& command, const std::vector<std::string>& args);

}  // namespace vigil::cli
