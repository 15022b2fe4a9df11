#include "monitor/state_dump.h"

#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>

#include "core/atomic_file.h"
#include "monitor/health.h"

namespace vigil::monitor {
namespace {

using nlohmann::json;

std::string scalarText(const json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

std::string utcTime(double unixSeconds) {
  const auto seconds = static_cast<std::time_t>(unixSeconds);
  std::tm tm{};
  ::gmtime_r(&seconds, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

// " key = value" lines for the scalar members; nested objects and arrays
// are left to the caller (or to the stats dump).
void scalars(std::string& out, const json& object, std::string_view indent) {
  for (const auto& [key, value] : object.items()) {
    if (value.is_structured()) continue;
    out += fmt::format("{}{} = {}\n", indent, key, scalarText(value));
  }
}

// Every number under `value`, named by its path: "rejected.bad_ttl = 3".
void counters(std::string& out, const json& value, const std::string& prefix,
              std::string_view indent) {
  if (value.is_object()) {
    for (const auto& [key, member] : value.items()) {
      counters(out, member, prefix.empty() ? key : prefix + "." + key, indent);
    }
  } else if (value.is_number()) {
    out += fmt::format("{}{} = {}\n", indent, prefix, value.dump());
  }
}

std::string realServerName(const json& rs) {
  std::string address = rs.value("address", std::string("?"));
  if (address.find(':') != std::string::npos) address = "[" + address + "]";
  if (auto port = rs.find("port"); port != rs.end() && port->is_number()) {
    address += ":" + port->dump();
  }
  return address;
}

const json* arrayAt(const json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_array() ? &*it : nullptr;
}

std::string nameOf(const json& object) { return object.value("name", std::string("?")); }

void workerHeader(std::string& out, const WorkerStatus& worker, const MonitorView& view) {
  out += fmt::format("\n{} worker: ", worker.name);
  if (!worker.running) {
    out += fmt::format("not running, {} restarts\n", worker.restarts);
    return;
  }
  out += fmt::format("pid {}, {} restarts", worker.pid, worker.restarts);
  if (worker.lastHeard) {
    out += fmt::format(", heard from {:.1f} s ago",
                       std::chrono::duration<double>(view.now - *worker.lastHeard).count());
  }
  out += "\n";
}

json currentSnapshot(const WorkerStatus& worker) {
  if (!hasCurrentSnapshot(worker)) return json();
  json snapshot = json::parse(worker.lastSnapshot.str(), nullptr, false);
  return snapshot.is_object() ? snapshot : json();
}

void vrrpData(std::string& out, const json& snap) {
  if (const json* instances = arrayAt(snap, "instances")) {
    for (const json& inst : *instances) {
      if (!inst.is_object()) continue;
      out += fmt::format(" VRRP instance {}\n", nameOf(inst));
      scalars(out, inst, "  ");
    }
  }
  if (const json* groups = arrayAt(snap, "sync_groups")) {
    for (const json& group : *groups) {
      if (!group.is_object()) continue;
      out += fmt::format(" VRRP sync group {}\n", nameOf(group));
      scalars(out, group, "  ");
    }
  }
}

void checkData(std::string& out, const json& snap) {
  const json* services = arrayAt(snap, "virtual_servers");
  if (services == nullptr) return;
  for (const json& vs : *services) {
    if (!vs.is_object()) continue;
    out += fmt::format(" Virtual server {}\n", nameOf(vs));
    scalars(out, vs, "  ");
    const json* servers = arrayAt(vs, "real_servers");
    if (servers == nullptr) continue;
    for (const json& rs : *servers) {
      if (!rs.is_object()) continue;
      out += fmt::format("  Real server {}\n", realServerName(rs));
      scalars(out, rs, "   ");
    }
  }
}

void vrrpStats(std::string& out, const json& snap) {
  const json* instances = arrayAt(snap, "instances");
  if (instances == nullptr) return;
  for (const json& inst : *instances) {
    auto stats = inst.find("counters");
    if (!inst.is_object() || stats == inst.end()) continue;
    out += fmt::format(" VRRP instance {}\n", nameOf(inst));
    counters(out, *stats, "", "  ");
  }
}

void checkStats(std::string& out, const json& snap) {
  const json* services = arrayAt(snap, "virtual_servers");
  if (services == nullptr) return;
  for (const json& vs : *services) {
    const json* servers = vs.is_object() ? arrayAt(vs, "real_servers") : nullptr;
    if (servers == nullptr) continue;
    for (const json& rs : *servers) {
      const json* checkers = rs.is_object() ? arrayAt(rs, "checkers") : nullptr;
      if (checkers == nullptr) continue;
      out += fmt::format(" Real server {} of {}\n", realServerName(rs), nameOf(vs));
      for (const json& checker : *checkers) {
        if (!checker.is_object()) continue;
        counters(out, checker, checker.value("type", std::string("checker")), "  ");
      }
    }
  }
}

std::string header(const char* what, const MonitorView& view) {
  return fmt::format("vigil {} at {}\nconfiguration {} generation {}\n", what,
                     utcTime(view.wallNowSeconds), view.configPath, view.generation);
}

}  // namespace

std::string renderDataDump(const MonitorView& view) {
  std::string out = header("data", view);
  HealthVerdict health = assessHealth(view);
  out += health.healthy ? "health: ok\n" : "health: unhealthy\n";
  for (const std::string& problem : health.problems) out += " " + problem + "\n";
  for (const WorkerStatus& worker : view.workers) {
    workerHeader(out, worker, view);
    json snap = currentSnapshot(worker);
    if (snap.is_null()) continue;
    vrrpData(out, snap);
    checkData(out, snap);
  }
  return out;
}

std::string renderStatsDump(const MonitorView& view) {
  std::string out = header("stats", view);
  for (const WorkerStatus& worker : view.workers) {
    workerHeader(out, worker, view);
    json snap = currentSnapshot(worker);
    if (snap.is_null()) continue;
    vrrpStats(out, snap);
    checkStats(out, snap);
  }
  return out;
}

Status writeStateDump(const std::string& path, std::string_view content) {
  return writeFileAtomically(path, content, 0644);
}

}  // namespace vigil::monitor
