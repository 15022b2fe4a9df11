#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "core/unique_fd.h"
#include "monitor/health.h"
#include "monitor/monitor_view.h"

namespace vigil::monitor {

// The sd_notify(3) protocol without libsystemd: newline-separated
// VARIABLE=value assignments in one datagram to the unix socket named by
// $NOTIFY_SOCKET. These build the datagrams; NotifySocket sends them.
std::string readyMessage(std::string_view status);
// systemd >= 253 wants MONOTONIC_USEC (CLOCK_MONOTONIC) with RELOADING=1 to
// tell this reload from an earlier one.
std::string reloadingMessage(uint64_t monotonicUsec);
std::string stoppingMessage();
std::string watchdogMessage();
// STATUS= is one line: newlines in `status` become spaces.
std::string statusMessage(std::string_view status);

// How often to send WATCHDOG=1: half of $WATCHDOG_USEC, as sd_watchdog_enabled(3)
// advises, and only when $WATCHDOG_PID is unset or names `self` (the
// watchdog is meant for the main process, not for a child that inherited
// the environment). nullopt: no watchdog, or a value that does not parse.
std::optional<Duration> watchdogPingInterval(const char* watchdogUsec, const char* watchdogPid,
                                             pid_t self);

// One line for STATUS=, from the workers' snapshots:
// "VRRP: 2 MASTER, 1 BACKUP; checkers: 9/10 up". A worker without a
// snapshot yet is named as starting.
std::string statusSummary(const MonitorView& view);

// Every worker runs and has reported from the process running now, for
// configuration generation `generation` or later: what READY=1 waits for.
bool workersReady(const MonitorView& view, uint64_t generation);

// statusSummary and workersReady for a caller that asks again and again
// (systemd's notifier: every 100 ms until ready, every second after): what
// each worker's snapshot says is read once per snapshot text
// (SharedText::Mark, which holds no text) and kept. Read per call, the
// check worker's 22 MB at 50,000 real servers cost the supervisor ~8 % of
// a core every second whether or not it had changed.
class StatusReader {
 public:
  std::string summary(const MonitorView& view);
  bool ready(const MonitorView& view, uint64_t generation);
  // Snapshot texts read since start (each reads the whole text).
  size_t reads() const { return readings_.works(); }

 private:
  struct Reading {
    std::string says;  // "2 MASTER, 1 BACKUP", "9/10 up", ...
    std::optional<uint64_t> generation;
  };
  // What `worker`'s current snapshot says.
  const Reading& read(const WorkerStatus& worker);

  PerSnapshotText<Reading> readings_;
};

// Every worker runs and was heard from (or started) within `limit`: what
// WATCHDOG=1 is sent for, so a wedged or crash-looping worker gets the
// whole daemon restarted by systemd.
bool workersLively(const MonitorView& view, Duration limit);

// A datagram socket to $NOTIFY_SOCKET; a leading '@' names an abstract
// socket. Close-on-exec, so scripts never inherit it.
class NotifySocket {
 public:
  static Result<NotifySocket> open(std::string_view address);
  [[nodiscard]] Status send(std::string_view message) const;
  const std::string& address() const { return address_; }

 private:
  NotifySocket(UniqueFd fd, std::string address)
      : fd_(std::move(fd)), address_(std::move(address)) {}

  UniqueFd fd_;
  std::string address_;
};

}  // namespace vigil::monitor
