#include "monitor/status_json.h"

#include <nlohmann/json.hpp>

#include "monitor/health.h"

namespace vigil::monitor {
namespace {

using nlohmann::json;

double secondsSince(TimePoint then, TimePoint now) {
  return std::chrono::duration<double>(now - then).count();
}

json workerJson(const WorkerStatus& worker, const MonitorView& view) {
  json j;
  j["name"] = worker.name;
  j["running"] = worker.running;
  j["pid"] = worker.pid;
  j["restarts"] = worker.restarts;
  if (worker.lastExitStatus) j["last_exit_status"] = *worker.lastExitStatus;
  if (worker.startedAt) j["started_seconds_ago"] = secondsSince(*worker.startedAt, view.now);
  if (worker.lastHeard) j["last_heard_seconds_ago"] = secondsSince(*worker.lastHeard, view.now);
  if (worker.lastSnapshotAt) {
    j["snapshot_seconds_ago"] = secondsSince(*worker.lastSnapshotAt, view.now);
  }
  j["snapshot"] = nullptr;
  if (hasCurrentSnapshot(worker)) {
    json snap = json::parse(worker.lastSnapshot, nullptr, false);
    if (!snap.is_discarded()) j["snapshot"] = std::move(snap);
  }
  return j;
}

}  // namespace

std::string renderStatusJson(const MonitorView& view) {
  json doc;
  doc["generation"] = view.generation;
  doc["config"] = view.configPath;
  const HealthVerdict health = assessHealth(view);
  doc["healthy"] = health.healthy;
  doc["problems"] = health.problems;
  doc["last_reload"] = nullptr;
  if (view.lastReload) {
    const ReloadOutcome& r = *view.lastReload;
    doc["last_reload"] = {{"time", r.wallSeconds}, {"ok", r.ok}, {"generation", r.generation}};
    if (!r.ok) doc["last_reload"]["error"] = r.error;
  }
  json workers = json::array();
  for (const WorkerStatus& worker : view.workers) workers.push_back(workerJson(worker, view));
  doc["workers"] = std::move(workers);
  return doc.dump() + "\n";
}

}  // namespace vigil::monitor
