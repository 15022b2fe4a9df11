#include "vrrp/track_process_monitor.h"

#include <dirent.h>

#include <algorithm>
#include <fstream>
#include <iterator>

namespace vigil::vrrp {
namespace {

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::vector<std::string> splitNul(const std::string& text) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\0', start);
    if (end == std::string::npos) end = text.size();
    parts.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

}  // namespace

std::vector<ProcessInfo> ProcProcessTable::list(bool commandLines) {
  std::vector<ProcessInfo> processes;
  DIR* dir = ::opendir(root_.c_str());
  if (dir == nullptr) return processes;
  while (const dirent* entry = ::readdir(dir)) {
    const std::string_view name = entry->d_name;
    if (name.empty() || name[0] < '1' || name[0] > '9' ||
        !std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      continue;
    }
    const std::string base = root_ + "/" + std::string(name);
    ProcessInfo info;
    info.pid = static_cast<pid_t>(std::stol(std::string(name)));
    info.comm = readFile(base + "/comm");
    if (info.comm.empty()) continue;  // exited meanwhile
    if (info.comm.back() == '\n') info.comm.pop_back();
    if (commandLines) info.argv = splitNul(readFile(base + "/cmdline"));
    processes.push_back(std::move(info));
  }
  ::closedir(dir);
  return processes;
}

ProcessTracker::ProcessTracker(EventLoop& loop, ProcessTable& table,
                               std::vector<config::TrackProcess> specs, Duration scanInterval,
                               Listener listener)
    : loop_(loop), table_(table), scanInterval_(scanInterval), listener_(std::move(listener)) {
  for (config::TrackProcess& spec : specs) {
    commandLines_ = commandLines_ || needsCommandLine(spec);
    auto watched = std::make_unique<Watched>();
    watched->spec = std::move(spec);
    Watched* raw = watched.get();
    watched->delay = loop_.createTimer([this, raw] {
      if (raw->pending) report(*raw, *raw->pending);
    });
    watched_.push_back(std::move(watched));
  }
  scanTimer_ = loop_.createTimer([this] { scan(false); });
}

void ProcessTracker::start() { scan(true); }

std::optional<bool> ProcessTracker::up(const std::string& name) const {
  for (const auto& watched : watched_) {
    if (watched->spec.name == name) return watched->reported;
  }
  return std::nullopt;
}

void ProcessTracker::scan(bool initial) {
  const std::vector<ProcessInfo> processes = table_.list(commandLines_);
  for (auto& watched : watched_) {
    const bool quorum = quorumMet(watched->spec, countMatches(watched->spec, processes));
    if (initial) {
      report(*watched, quorum);
    } else {
      observe(*watched, quorum);
    }
  }
  scanTimer_->armAfter(scanInterval_);
}

// A change of quorum is reported after fork_delay (gained) or
// terminate_delay (lost); going back meanwhile cancels it, so a restart
// that the scans see as down-then-up never moves an instance.
void ProcessTracker::observe(Watched& watched, bool quorum) {
  if (quorum == watched.reported) {
    watched.pending.reset();
    watched.delay->cancel();
    return;
  }
  if (watched.pending == quorum) return;  // already waiting
  const Duration delay = quorum ? watched.spec.forkDelay : watched.spec.terminateDelay;
  if (delay <= Duration{0}) return report(watched, quorum);
  watched.pending = quorum;
  watched.delay->armAfter(delay);
}

void ProcessTracker::report(Watched& watched, bool up) {
  watched.pending.reset();
  watched.delay->cancel();
  watched.reported = up;
  listener_(watched.spec.name, up);
}

}  // namespace vigil::vrrp
