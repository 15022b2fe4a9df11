// CPU cost of re-rendering /metrics' snapshot part after a new snapshot, at
// --services x --reals real servers shaped like CheckWorker::snapshot()
// (13 duration bounds), when a tenth of the real servers were probed since
// the last snapshot (10,000 checks every 10 s, snapshots every 1 s). Prints
// the full render (collectSnapshotMetrics + renderPrometheus, what every
// new snapshot cost before SnapshotRenderer) beside SnapshotRenderer's, and
// the gzip of the result. Not built by CMake (see README.md).
#include <fmt/format.h>
#include <time.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "monitor/gzip_parts.h"
#include "monitor/metric_set.h"
#include "monitor/snapshot_metrics.h"
#include "monitor/snapshot_renderer.h"

using namespace vigil;
using namespace vigil::monitor;

namespace {

double cpuSeconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}

std::string checkSnapshot(int services, int reals, const std::vector<int>& attempts) {
  std::string s = R"({"worker": "check", "virtual_servers": [)";
  for (int v = 0; v < services; ++v) {
    if (v > 0) s += ',';
    s += fmt::format(
        R"({{"name": "[10.{}.{}.{}]:tcp:80", "quorum_up": true, "sorry_server_active": false, "real_servers": [)",
        1 + v / 65536, (v / 256) % 256, v % 256);
    for (int r = 0; r < reals; ++r) {
      const int n = attempts[static_cast<size_t>(v * reals + r)];
      if (r > 0) s += ',';
      s += fmt::format(
          R"({{"address": "127.0.0.1", "port": {}, "up": true, "weight": 1, "checkers": [{{"type": "TCP_CHECK", "running": true, "up": true, "attempts": {}, "up_transitions": 1, "down_transitions": 0, "outcomes": {{"up": {}}}, "last": "connected", "duration": {{"bounds": [0.001,0.0025,0.005,0.01,0.025,0.05,0.1,0.25,0.5,1,2.5,5,10], "cumulative": [{},{},{},{},{},{},{},{},{},{},{},{},{}], "count": {}, "sum_seconds": {}}}}}]}})",
          21000 + r, n, n, n / 2, n, n, n, n, n, n, n, n, n, n, n, n, n, 0.0003 * n);
    }
    s += "]}";
  }
  return s + "]}";
}

MonitorView viewOf(std::string snapshot) {
  MonitorView v;
  v.now = TimePoint{std::chrono::seconds(100)};
  v.wallNowSeconds = 1700000100;
  WorkerStatus w;
  w.name = "check";
  w.running = true;
  w.startedAt = TimePoint{std::chrono::seconds(10)};
  w.lastHeard = v.now;
  w.lastSnapshotAt = v.now;
  w.lastSnapshot = std::move(snapshot);
  v.workers = {w};
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  const int services = argc > 1 ? std::atoi(argv[1]) : 1000;
  const int reals = argc > 2 ? std::atoi(argv[2]) : 10;
  constexpr int kRounds = 5;
  std::vector<int> attempts(static_cast<size_t>(services * reals), 100);
  SnapshotRenderer renderer;
  (void)renderer.render(viewOf(checkSnapshot(services, reals, attempts)));
  double full = 0, incremental = 0, gzip = 0;
  size_t plain = 0, compressed = 0, rendered = 0;
  for (int round = 0; round < kRounds; ++round) {
    for (size_t i = static_cast<size_t>(round); i < attempts.size(); i += 10) ++attempts[i];
    const MonitorView v = viewOf(checkSnapshot(services, reals, attempts));
    double t0 = cpuSeconds();
    const std::string a = renderPrometheus(collectSnapshotMetrics(v));
    double t1 = cpuSeconds();
    const size_t before = renderer.realServerRenders();
    const std::string b = *renderer.render(v);
    double t2 = cpuSeconds();
    const GzipPart z = GzipPart::deflate(b, 1);
    double t3 = cpuSeconds();
    if (a != b) return fmt::print(stderr, "renders differ\n"), 1;
    full += t1 - t0;
    incremental += t2 - t1;
    gzip += t3 - t2;
    plain = b.size();
    compressed = z.deflated.size();
    rendered += renderer.realServerRenders() - before;
  }
  fmt::print(
      "{} x {} real servers, a tenth changed per snapshot, CPU ms per new snapshot "
      "(mean of {}):\n  full render {:.0f}  incremental {:.0f} ({} servers re-rendered)  gzip "
      "level 1 {:.0f}\n  body {} KiB plain, {} KiB gzipped\n",
      services, reals, kRounds, full / kRounds * 1000, incremental / kRounds * 1000,
      rendered / kRounds, gzip / kRounds * 1000, plain / 1024, compressed / 1024);
}
