#include "core/log.h"

#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>

namespace vigil {
namespace {

LogSettings gSettings;

const char* levelName(LogLevel level) {
  switch (level) {
    case LogLevel::Error:
      return "error";
    case LogLevel::Warning:
      return "warning";
    case LogLevel::Notice:
      return "notice";
    case LogLevel::Info:
      return "info";
    case LogLevel::Debug:
      return "debug";
  }
  return "?";
}

}  // namespace

void configureLogging(const LogSettings& settings) {
  gSettings = settings;
  if (settings.sink == LogSink::Syslog) {
    openlog(gSettings.ident.c_str(), LOG_PID | LOG_NDELAY, settings.syslogFacility);
  }
}

LogSink detectStderrSink() {
  // systemd sets JOURNAL_STREAM=DEV:INODE for the stream it connected.
  const char* stream = std::getenv("JOURNAL_STREAM");
  struct stat st {};
  if (stream == nullptr || fstat(STDERR_FILENO, &st) != 0) {
    return LogSink::Stderr;
  }
  unsigned long long dev = 0, ino = 0;
  if (std::sscanf(stream, "%llu:%llu", &dev, &ino) == 2 && dev == st.st_dev && ino == st.st_ino) {
    return LogSink::Journal;
  }
  return LogSink::Stderr;
}

bool logEnabled(LogLevel level) {
  return static_cast<int>(level) <= static_cast<int>(gSettings.threshold);
}

void logLine(LogLevel level, std::string_view message) {
  switch (gSettings.sink) {
    case LogSink::Syslog:
      syslog(static_cast<int>(level), "%.*s", static_cast<int>(message.size()), message.data());
      return;
    case LogSink::Journal:
      std::fprintf(stderr, "<%d>%.*s\n", static_cast<int>(level), static_cast<int>(message.size()),
                   message.data());
      return;
    case LogSink::Stderr: {
      timespec ts{};
      clock_gettime(CLOCK_REALTIME, &ts);
      tm local{};
      localtime_r(&ts.tv_sec, &local);
      char stamp[32];
      std::strftime(stamp, sizeof stamp, "%H:%M:%S", &local);
      std::fprintf(stderr, "%s.%03ld %s[%d] %s: %.*s\n", stamp, ts.tv_nsec / 1000000,
                   gSettings.ident.c_str(), static_cast<int>(getpid()), levelName(level),
                   static_cast<int>(message.size()), message.data());
      return;
    }
  }
}

bool RateLimitedLog::admit(std::chrono::nanoseconds now) {
  if (windowStart_.count() < 0 || now - windowStart_ >= interval_) {
    windowStart_ = now;
    used_ = 0;
  }
  if (used_ < burst_) {
    ++used_;
    return true;
  }
  ++suppressed_;
  return false;
}

}  // namespace vigil
