#include "cli/vigild/systemd_notify.h"

#include <unistd.h>

#include <cstdlib>
#include <ctime>

#include "core/log.h"
#include "monitor/health.h"

namespace vigil::cli {
namespace {

// How often readiness is looked for while it is awaited, and how often the
// STATUS= line is refreshed after.
constexpr auto kReadyPoll = std::chrono::milliseconds(100);
constexpr auto kStatusPoll = std::chrono::seconds(1);

uint64_t monotonicUsec() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000U + static_cast<uint64_t>(ts.tv_nsec) / 1000U;
}

}  // namespace

SystemdNotifier::SystemdNotifier(EventLoop& loop, ViewSource view)
    : loop_(loop), view_(std::move(view)) {
  const char* address = std::getenv("NOTIFY_SOCKET");
  if (address != nullptr) {
    auto socket = monitor::NotifySocket::open(address);
    if (socket) {
      socket_ = std::move(*socket);
    } else {
      log(LogLevel::Error, "systemd notify: {}", socket.error().describe());
    }
    watchdogInterval_ = monitor::watchdogPingInterval(std::getenv("WATCHDOG_USEC"),
                                                      std::getenv("WATCHDOG_PID"), ::getpid());
  }
  for (const char* name : {"NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"}) ::unsetenv(name);
  if (!socket_) return;
  log(LogLevel::Info, "systemd notify: {}{}", socket_->address(),
      watchdogInterval_
          ? fmt::format(
                ", watchdog every {} ms",
                std::chrono::duration_cast<std::chrono::milliseconds>(*watchdogInterval_).count())
          : "");
  pollTimer_ = loop_.createTimer([this] { poll(); });
  pollTimer_->armAfter(kReadyPoll);
  if (watchdogInterval_) {
    watchdogTimer_ = loop_.createTimer([this] { pingWatchdog(); });
    watchdogTimer_->armAfter(*watchdogInterval_);
  }
}

SystemdNotifier::~SystemdNotifier() = default;

void SystemdNotifier::reloading() {
  if (!socket_ || stopping_) return;
  send(monitor::reloadingMessage(monotonicUsec()));
  awaitingReady_ = true;
  pollTimer_->armAfter(kReadyPoll);
}

void SystemdNotifier::stopping() {
  if (!socket_ || stopping_) return;
  stopping_ = true;
  pollTimer_->cancel();
  send(monitor::stoppingMessage());
}

void SystemdNotifier::poll() {
  const monitor::MonitorView view = view_();
  std::string status = reader_.summary(view);
  if (awaitingReady_ && reader_.ready(view, view.generation)) {
    awaitingReady_ = false;
    send(monitor::readyMessage(status));
    lastStatus_ = status;
    log(LogLevel::Info, "systemd notify: ready, generation {}", view.generation);
  } else if (status != lastStatus_) {
    send(monitor::statusMessage(status));
    lastStatus_ = std::move(status);
  }
  pollTimer_->armAfter(awaitingReady_ ? kReadyPoll : kStatusPoll);
}

void SystemdNotifier::pingWatchdog() {
  const monitor::MonitorView view = view_();
  // While stopping the workers are meant to go away; stopTimeout bounds it.
  const Duration limit = monitor::kSilentIntervals * view.snapshotInterval;
  if (stopping_ || monitor::workersLively(view, limit)) {
    send(monitor::watchdogMessage());
  } else {
    log(LogLevel::Warning, "systemd notify: a worker is down or silent; not feeding the watchdog");
  }
  watchdogTimer_->armAfter(*watchdogInterval_);
}

void SystemdNotifier::send(const std::string& message) {
  Status sent = socket_->send(message);
  if (!sent) log(LogLevel::Warning, "systemd notify: {}", sent.error().describe());
}

}  // namespace vigil::cli
