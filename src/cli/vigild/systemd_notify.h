#pragma once

#include <memory>
#include <optional>
#include <string>

#include "cli/vigild/supervisor_view.h"
#include "core/event_loop.h"
#include "monitor/sd_notify.h"

namespace vigil::cli {

// Tells systemd (Type=notify) how vigild is doing, over $NOTIFY_SOCKET:
// READY=1 once every worker reported from the configuration generation
// running, RELOADING=1 ... READY=1 around a reload, STOPPING=1, a STATUS=
// line when the summary changes, and WATCHDOG=1 every half $WATCHDOG_USEC
// while every worker is alive and not late, so a wedged worker gets the
// daemon restarted (WatchdogSec= with Restart=). Without $NOTIFY_SOCKET it
// does nothing.
class SystemdNotifier {
 public:
  // Reads $NOTIFY_SOCKET, $WATCHDOG_USEC and $WATCHDOG_PID and removes them
  // from the environment, so workers and their scripts do not inherit
  // them. Construct before the workers are forked.
  SystemdNotifier(EventLoop& loop, ViewSource view);
  ~SystemdNotifier();
  SystemdNotifier(const SystemdNotifier&) = delete;
  SystemdNotifier& operator=(const SystemdNotifier&) = delete;

  // A reload began: READY=1 follows when the workers run the generation
  // the view then names (the old one again if the reload was refused).
  void reloading();
  void stopping();

 private:
  void poll();
  void pingWatchdog();
  void send(const std::string& message);

  EventLoop& loop_;
  ViewSource view_;
  std::optional<monitor::NotifySocket> socket_;
  std::optional<Duration> watchdogInterval_;
  bool awaitingReady_ = true;
  bool stopping_ = false;
  // Reads each snapshot once, not on every poll.
  monitor::StatusReader reader_;
  std::string lastStatus_;
  std::unique_ptr<Timer> pollTimer_;
  std::unique_ptr<Timer> watchdogTimer_;
};

}  // namespace vigil::cli
