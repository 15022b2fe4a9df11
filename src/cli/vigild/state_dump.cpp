#include "cli/vigild/state_dump.h"

#include <csignal>
#include <string>

#include "core/log.h"
#include "monitor/state_dump.h"

namespace vigil::cli {
namespace {

void dump(const std::string& path, const std::string& content) {
  Status written = monitor::writeStateDump(path, content);
  if (!written) {
    log(LogLevel::Error, "state dump: {}", written.error().describe());
    return;
  }
  log(LogLevel::Notice, "state dump written to {}", path);
}

}  // namespace

Status installStateDumps(PosixEventLoop& loop, ViewSource view) {
  Status data = loop.onSignal(
      SIGUSR1, [view] { dump(monitor::kDataDumpPath, monitor::renderDataDump(view())); });
  if (!data) return data;
  return loop.onSignal(SIGUSR2,
                       [view] { dump(monitor::kStatsDumpPath, monitor::renderStatsDump(view())); });
}

}  // namespace vigil::cli
