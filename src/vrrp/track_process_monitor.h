#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/model_vrrp.h"
#include "core/event_loop.h"
#include "vrrp/track_process.h"

// vrrp_track_process, the shell: scans the process table on a timer and
// reports each tracked process's status, with fork_delay and
// terminate_delay holding off a change.
namespace vigil::vrrp {

// The running processes. An interface so tests list whatever they like.
class ProcessTable {
 public:
  virtual ~ProcessTable() = default;
  // argv is read only when `commandLines` is true (it costs a read per
  // process); a process that exits meanwhile is left out.
  virtual std::vector<ProcessInfo> list(bool commandLines) = 0;
};

// /proc/[1-9]*: comm, and cmdline when asked. Reads in-memory files only, so
// a scan never blocks on disk.
class ProcProcessTable final : public ProcessTable {
 public:
  explicit ProcProcessTable(std::string root = "/proc") : root_(std::move(root)) {}
  std::vector<ProcessInfo> list(bool commandLines) override;

 private:
  std::string root_;
};

class ProcessTracker {
 public:
  using Listener = std::function<void(const std::string& name, bool up)>;

  ProcessTracker(EventLoop& loop, ProcessTable& table, std::vector<config::TrackProcess> specs,
                 Duration scanInterval, Listener listener);
  ProcessTracker(const ProcessTracker&) = delete;
  ProcessTracker& operator=(const ProcessTracker&) = delete;

  // Scans at once and reports every status without delay (keepalived takes
  // the start-up scan as it is), then rescans every scanInterval.
  void start();

  // The status as reported (nullopt: unknown name).
  std::optional<bool> up(const std::string& name) const;

 private:
  struct Watched {
    config::TrackProcess spec;
    bool reported = true;
    std::optional<bool> pending;  // waiting out fork_delay / terminate_delay
    std::unique_ptr<Timer> delay;
  };

  void scan(bool initial);
  void observe(Watched& watched, bool quorum);
  void report(Watched& watched, bool up);

  EventLoop& loop_;
  ProcessTable& table_;
  std::vector<std::unique_ptr<Watched>> watched_;
  Duration scanInterval_;
  Listener listener_;
  bool commandLines_ = false;
  std::unique_ptr<Timer> scanTimer_;
};

}  // namespace vigil::vrrp
