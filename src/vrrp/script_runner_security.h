#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "config/model_global.h"
#include "core/process_spawner.h"
#include "core/result.h"

// Turning a configured command line into something safe to exec.
namespace vigil::vrrp {

// Splits a command line as keepalived does: unquoted blanks separate
// arguments, single quotes group (and are removed), a backslash outside
// quotes takes the next character literally.
std::vector<std::string> splitCommand(std::string_view command);

// Looks up `user [group]` (group empty: the user's primary group).
Result<RunAs> resolveAccount(const std::string& user, const std::string& group);

// The absolute path execvp would run for argv0 (PATH lookup when it has no
// slash); an error when nothing executable is found.
Result<std::string> resolveExecutable(const std::string& argv0);

// enable_script_security: a script that will run as root must not be
// modifiable by anyone else, so the file and every directory above it must
// be owned by root and writable by neither group nor others (a sticky
// directory is still refused: anyone could replace a file they own there).
// Returns why it is refused, naming the offending path.
Status checkScriptSecurity(const std::string& path, const RunAs& runAs);

}  // namespace vigil::vrrp
