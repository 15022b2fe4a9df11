#include "cli/vigild/supervisor_view.h"

#include <chrono>

namespace vigil::cli {

ViewSource supervisorView(const PosixEventLoop& loop, const Supervisor& supervisor,
                          std::string configPath, Duration snapshotInterval,
                          std::function<uint64_t()> generation) {
  return [&loop, &supervisor, configPath = std::move(configPath), snapshotInterval,
          generation = std::move(generation)] {
    monitor::MonitorView view;
    view.workers = supervisor.status();
    view.generation = generation ? generation() : 0;
    view.configPath = configPath;
    view.now = loop.now();
    view.wallNowSeconds =
        std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    view.snapshotInterval = snapshotInterval;
    return view;
  };
}

}  // namespace vigil::cli
