#pragma once

#include <fmt/format.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace vigil {

// syslog priorities, so a level maps directly onto syslog(3) and onto the
// "<N>" prefixes journald reads from stderr.
enum class LogLevel { Error = 3, Warning = 4, Notice = 5, Info = 6, Debug = 7 };

enum class LogSink {
  Stderr,   // plain lines with a timestamp (a terminal, -l/--log-console)
  Journal,  // stderr with "<N>" prefixes (stderr is connected to journald)
  Syslog,
};

struct LogSettings {
  LogSink sink = LogSink::Stderr;
  LogLevel threshold = LogLevel::Info;  // -D/--log-detail lowers it to Debug
  int syslogFacility = 3 << 3;          // LOG_DAEMON; -S N selects LOG_LOCALN
  std::string ident = "vigild";
};

// Process-wide: set once at start-up, before any worker is forked.
void configureLogging(const LogSettings& settings);
// Picks Journal when stderr is a journald stream ($JOURNAL_STREAM matches).
LogSink detectStderrSink();
bool logEnabled(LogLevel level);
void logLine(LogLevel level, std::string_view message);

template <class... Args>
void log(LogLevel level, fmt::format_string<Args...> format, Args&&... args) {
  if (logEnabled(level)) {
    logLine(level, fmt::format(format, std::forward<Args>(args)...));
  }
}

// Limits a log statement driven by network input (a flood of bad packets)
// to `burst` lines per `interval`; the next line that gets through says how
// many were suppressed. One instance per call site.
class RateLimitedLog {
 public:
  RateLimitedLog(unsigned burst, std::chrono::nanoseconds interval)
      : burst_(burst), interval_(interval) {}

  // `now` comes from the caller's clock so tests need no sleeping.
  template <class... Args>
  void log(std::chrono::nanoseconds now, LogLevel level, fmt::format_string<Args...> format,
           Args&&... args) {
    if (!logEnabled(level)) {
      return;
    }
    if (!admit(now)) {
      return;
    }
    std::string line = fmt::format(format, std::forward<Args>(args)...);
    if (suppressed_ > 0) {
      line += fmt::format(" ({} similar messages suppressed)", suppressed_);
      suppressed_ = 0;
    }
    logLine(level, line);
  }

  // Exposed for tests: whether a line at `now` would be written.
  bool admit(std::chrono::nanoseconds now);
  uint64_t suppressed() const { return suppressed_; }

 private:
  unsigned burst_;
  std::chrono::nanoseconds interval_;
  std::chrono::nanoseconds windowStart_{-1};
  unsigned used_ = 0;
  uint64_t suppressed_ = 0;
};

}  // namespace vigil
