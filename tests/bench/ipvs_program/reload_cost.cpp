// Host-side CPU cost of vigild's one-destination reload at SERVICES x DESTS,
// the configuration tests/bench/ipvs_program generates (rr, NAT, no checkers):
// what the guest's "one-destination change" is made of, without the guest.
// Prints, each the median of --repeat runs of CPU time of this process:
//   - parsing and validating the file (loadConfigText: what the supervisor
//     does on SIGHUP, and what a check worker process does again for its own
//     copy; with --single-process it shares the supervisor's);
//   - the model as JSON (config_json.h) dumped to text and that text parsed
//     back into a JSON tree: a lower bound for handing a parsed model to a
//     worker as JSON (the tree would still have to become a Config);
//   - CheckWorker::reload() given the parsed file (MemoryDataplane; the
//     dataplane diff and the health carried over; the change is a weight
//     edit, which leaves the set of services and destinations alone, so no
//     counter read follows it since e0ece4c), and the snapshot after it.
// Not built by CMake (see README.md).
#include <fmt/format.h>
#include <time.h>

#include <algorithm>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "check/check_worker.h"
#include "config/config_json.h"
#include "config/loader.h"
#include "core/simulated_loop.h"
#include "ipvs/memory_dataplane.h"

using namespace vigil;

namespace {

double cpuSeconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}

// The guest.sh `config` function: service `weighted` (1-based, 0 = none) has
// its first real server at weight 5.
std::string configText(int services, int dests, int weighted) {
  std::string out = "global_defs {\n  router_id bench_ipvs_program\n}\n";
  for (int v = 1; v <= services; ++v) {
    out += fmt::format("virtual_server 10.100.{}.{} 80 {{\n", v / 250, v % 250 + 1);
    out += "  lb_algo rr\n  lb_kind NAT\n  protocol TCP\n";
    for (int r = 1; r <= dests; ++r) {
      out += fmt::format("  real_server 192.168.{}.{} 8080 {{\n    weight {}\n  }}\n", r / 250,
                         r % 250 + 1, (v == weighted && r == 1) ? 5 : 1);
    }
    out += "}\n";
  }
  return out;
}

std::shared_ptr<const config::Config> parse(const std::string& text) {
  config::LoadResult loaded = config::loadConfigText("bench.conf", text, {});
  if (!loaded.config) {
    fmt::print(stderr, "the generated configuration does not load:\n{}\n",
               config::errorSummary(loaded));
    std::exit(1);
  }
  return loaded.config;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

}  // namespace

int main(int argc, char** argv) {
  const int services = argc > 1 ? std::atoi(argv[1]) : 1000;
  const int dests = argc > 2 ? std::atoi(argv[2]) : 10;
  const int repeat = argc > 3 ? std::atoi(argv[3]) : 3;
  const std::string base = configText(services, dests, 0);
  const std::string changed = configText(services, dests, (services + 1) / 2);

  std::vector<double> parseS, dumpS, treeS, reloadS, snapshotS, idleSnapshotS;
  size_t jsonBytes = 0;
  uint64_t ops = 0, applied = 0;
  for (int i = 0; i < repeat; ++i) {
    double t0 = cpuSeconds();
    auto first = parse(base);
    parseS.push_back(cpuSeconds() - t0);

    t0 = cpuSeconds();
    const std::string json = config::toJson(*first).dump();
    dumpS.push_back(cpuSeconds() - t0);
    jsonBytes = json.size();
    t0 = cpuSeconds();
    const nlohmann::json tree = nlohmann::json::parse(json);
    treeS.push_back(cpuSeconds() - t0);

    auto second = parse(changed);
    SimulatedLoop loop;
    check::CheckWorkerIo io;
    auto dataplane = std::make_unique<ipvs::MemoryDataplane>();
    ipvs::MemoryDataplane* memory = dataplane.get();
    io.dataplane = std::move(dataplane);
    check::CheckWorker worker(
        loop, first, 1, [second](uint64_t) { return second; }, std::move(io));
    loop.advance(std::chrono::seconds(3));  // the first counter read
    (void)worker.snapshot();
    loop.advance(std::chrono::seconds(11));  // past kSnapshotMaxAge
    t0 = cpuSeconds();
    (void)worker.snapshot();
    idleSnapshotS.push_back(cpuSeconds() - t0);

    const size_t before = memory->opsApplied();
    t0 = cpuSeconds();
    worker.reload(2);
    loop.runPosted();
    reloadS.push_back(cpuSeconds() - t0);
    ops = worker.syncs();
    applied = memory->opsApplied() - before;
    t0 = cpuSeconds();
    (void)worker.snapshot();
    snapshotS.push_back(cpuSeconds() - t0);
  }
  fmt::print("reload_cost: {} services x {} destinations, median of {} (CPU s)\n", services, dests,
             repeat);
  fmt::print("parse + validate the file:            {:.3f}\n", median(parseS));
  fmt::print("model -> JSON text ({:.1f} MB):          {:.3f}\n", jsonBytes / 1e6, median(dumpS));
  fmt::print("JSON text -> JSON tree (no Config):   {:.3f}\n", median(treeS));
  fmt::print("check worker reload (parsed config):  {:.3f}  ({} op(s) applied, {} syncs)\n",
             median(reloadS), applied, ops);
  fmt::print("snapshot after the reload:            {:.3f}\n", median(snapshotS));
  fmt::print("snapshot rebuilt with nothing changed: {:.3f}\n", median(idleSnapshotS));
  return 0;
}
