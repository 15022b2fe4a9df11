#include "monitor/status_json.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "monitor/health.h"

namespace vigil::monitor {
namespace {

using nlohmann::json;

double secondsSince(TimePoint then, TimePoint now) {
  return std::chrono::duration<double>(now - then).count();
}

// The text of `object`'s members without its braces ("" when it has none).
std::string members(const json& object) {
  std::string text = object.dump();
  return text.substr(1, text.size() - 2);
}

// One worker's object, into `out` and, past its snapshot, `pieces`. Its
// members are written as nlohmann's dump orders them (by name, as before
// this was spliced): those before "snapshot", the snapshot, those after it.
// The snapshot is the worker's own text, checked by json::accept (a parse
// that builds nothing; once per text, SnapshotChecks) and put in as it is,
// null when it does not parse.
// Parsing it into a tree to dump it again cost the supervisor about 10 bytes
// of heap per byte of snapshot and seconds of its loop at 50,000 real
// servers (21 MB of text; doc/benchmarks.md); copying it, a byte per byte.
void appendWorker(std::string& out, std::vector<std::shared_ptr<const std::string>>& pieces,
                  const WorkerStatus& worker, const MonitorView& view, SnapshotChecks& checks) {
  json before;  // names sorting before "snapshot"
  json after;   // and after it
  before["name"] = worker.name;
  before["running"] = worker.running;
  before["pid"] = worker.pid;
  before["restarts"] = worker.restarts;
  if (worker.lastExitStatus) before["last_exit_status"] = *worker.lastExitStatus;
  if (worker.lastHeard) {
    before["last_heard_seconds_ago"] = secondsSince(*worker.lastHeard, view.now);
  }
  if (worker.startedAt) after["started_seconds_ago"] = secondsSince(*worker.startedAt, view.now);
  if (worker.lastSnapshotAt) {
    after["snapshot_seconds_ago"] = secondsSince(*worker.lastSnapshotAt, view.now);
  }
  const bool valid = hasCurrentSnapshot(worker) && checks.isJson(worker);
  out += '{';
  out += members(before);
  out += ",\"snapshot\":";
  if (valid) {
    pieces.push_back(std::make_shared<const std::string>(std::move(out)));
    pieces.push_back(worker.lastSnapshot.shared());
    out.clear();
  } else {
    out += "null";
  }
  if (!after.is_null()) {
    out += ',';
    out += members(after);
  }
  out += '}';
}

}  // namespace

bool SnapshotChecks::isJson(const WorkerStatus& worker) {
  return checked_.get(worker,
                      [](const WorkerStatus& w) { return json::accept(w.lastSnapshot.str()); });
}

std::vector<std::shared_ptr<const std::string>> renderStatusPieces(const MonitorView& view) {
  SnapshotChecks checks;
  return renderStatusPieces(view, checks);
}

std::vector<std::shared_ptr<const std::string>> renderStatusPieces(const MonitorView& view,
                                                                   SnapshotChecks& checks) {
  // Every name here sorts before "workers", which is written last.
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
  std::vector<std::shared_ptr<const std::string>> pieces;
  std::string out;
  out += '{';
  out += members(doc);
  out += ",\"workers\":[";
  for (size_t i = 0; i < view.workers.size(); ++i) {
    if (i > 0) out += ',';
    appendWorker(out, pieces, view.workers[i], view, checks);
  }
  out += "]}\n";
  pieces.push_back(std::make_shared<const std::string>(std::move(out)));
  return pieces;
}

}  // namespace vigil::monitor
