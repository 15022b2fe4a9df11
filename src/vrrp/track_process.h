#pragma once

#include <sys/types.h>

#include <cstddef>
#include <string>
#include <vector>

#include "config/model_vrrp.h"

// vrrp_track_process, the pure part: which processes match a
// configuration and whether their number makes a quorum
// (keepalived.conf(5), "VRRP track processes").
namespace vigil::vrrp {

// One process as /proc shows it.
struct ProcessInfo {
  pid_t pid = 0;
  std::string comm;               // /proc/PID/comm: the name, at most 15 bytes
  std::vector<std::string> argv;  // /proc/PID/cmdline; empty when not read
};

// The kernel keeps the first 15 bytes of a process name (TASK_COMM_LEN - 1).
inline constexpr size_t kCommLength = 15;

// Whether matching `spec` needs the command line: with full_command, with
// parameters, or with param_match (which then asks for none).
bool needsCommandLine(const config::TrackProcess& spec);

// Exact names, like `pgrep '^name$'`, never a pattern:
//   - only a name: the process name (comm), a configured name longer than
//     15 bytes compared on its first 15;
//   - otherwise argv[0] equals the name, and when parameters or
//     param_match are given, argv[1..] matches them: exactly (default),
//     `partial` (the configured ones are the first ones, more may follow),
//     or `initial` (as partial, but the last configured one may be the
//     start of a longer argument).
bool processMatches(const config::TrackProcess& spec, const ProcessInfo& process);

// quorum <= count, and count <= quorum_max when set.
bool quorumMet(const config::TrackProcess& spec, size_t count);

// The matching processes in `processes`.
size_t countMatches(const config::TrackProcess& spec, const std::vector<ProcessInfo>& processes);

}  // namespace vigil::vrrp
