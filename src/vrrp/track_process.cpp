#include "vrrp/track_process.h"

#include <algorithm>

namespace vigil::vrrp {
namespace {

bool nameMatches(const std::string& wanted, const std::string& comm) {
  if (wanted.size() <= kCommLength) return wanted == comm;
  return std::string_view(wanted).substr(0, kCommLength) == comm;
}

bool parametersMatch(const config::TrackProcess& spec, const std::vector<std::string>& argv) {
  const size_t wanted = spec.process.size() - 1;  // configured parameters
  const size_t have = argv.size() - 1;
  if (wanted == 0) return have == 0;  // param_match without parameters: none allowed
  if (spec.paramMatch == config::ProcessParamMatch::Exact ? have != wanted : have < wanted) {
    return false;
  }
  for (size_t i = 1; i < wanted; ++i) {
    if (argv[i] != spec.process[i]) return false;
  }
  const std::string& last = spec.process[wanted];
  if (spec.paramMatch == config::ProcessParamMatch::Initial) {
    return argv[wanted].starts_with(last);
  }
  return argv[wanted] == last;
}

}  // namespace

bool needsCommandLine(const config::TrackProcess& spec) {
  return spec.fullCommand || spec.process.size() > 1 || spec.paramMatchSet;
}

bool processMatches(const config::TrackProcess& spec, const ProcessInfo& process) {
  if (spec.process.empty()) return false;
  if (!needsCommandLine(spec)) return nameMatches(spec.process[0], process.comm);
  if (process.argv.empty() || process.argv[0] != spec.process[0]) return false;
  if (spec.process.size() == 1 && !spec.paramMatchSet) return true;  // full_command, name only
  return parametersMatch(spec, process.argv);
}

bool quorumMet(const config::TrackProcess& spec, size_t count) {
  return count >= spec.quorum && (!spec.quorumMax || count <= *spec.quorumMax);
}

size_t countMatches(const config::TrackProcess& spec, const std::vector<ProcessInfo>& processes) {
  return static_cast<size_t>(
      std::count_if(processes.begin(), processes.end(),
                    [&](const ProcessInfo& p) { return processMatches(spec, p); }));
}

}  // namespace vigil::vrrp
