#include "cli/vigilctl/control_format.h"

#include <algorithm>
#include <cstdio>

namespace vigil::cli {
namespace {

using nlohmann::json;

// A cell from any JSON value; "-" for what is missing.
std::string cell(const json& object, const char* key) {
  if (!object.is_object() || !object.contains(key)) return "-";
  const json& v = object.at(key);
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "yes" : "no";
  if (v.is_null()) return "-";
  if (v.is_number_float()) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1fs", v.get<double>());
    return text;
  }
  return v.dump();
}

std::string checkerSummary(const json& checker) {
  std::string text = cell(checker, "type") + ":";
  if (!checker.value("running", false)) return text + "not-running";
  return text + (checker.value("up", false) ? "up" : "down");
}

// A counter as ipvsadm prints it: right-aligned in 9 columns (a space
// then 8 digits); without `exact`, above eight digits it is cut to
// thousands (K), millions (M), billions (G) or trillions (T) with the
// unit in the ninth column. With `exact` a wide number widens its column.
std::string largeNumber(uint64_t n, bool exact) {
  char text[40];
  if (exact) {
    std::snprintf(text, sizeof text, " %8llu", static_cast<unsigned long long>(n));
    return text;
  }
  struct Unit {
    uint64_t below;
    uint64_t divisor;
    char suffix;
  };
  constexpr Unit kUnits[] = {{100'000'000ULL, 1, 0},
                             {1'000'000'000ULL, 1'000ULL, 'K'},
                             {100'000'000'000ULL, 1'000'000ULL, 'M'},
                             {100'000'000'000'000ULL, 1'000'000'000ULL, 'G'}};
  for (const Unit& unit : kUnits) {
    if (n >= unit.below) continue;
    if (unit.suffix == 0) {
      std::snprintf(text, sizeof text, "%9llu", static_cast<unsigned long long>(n));
    } else {
      std::snprintf(text, sizeof text, "%8llu%c", static_cast<unsigned long long>(n / unit.divisor),
                    unit.suffix);
    }
    return text;
  }
  std::snprintf(text, sizeof text, "%8lluT",
                static_cast<unsigned long long>(n / 1'000'000'000'000ULL));
  return text;
}

uint64_t counter(const json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_number_unsigned() ? it->get<uint64_t>() : 0;
}

std::string padded(std::string text, size_t width) {
  if (text.size() < width) text.resize(width, ' ');
  return text;
}

// One service or destination line: its name padded to 33 columns (the
// width of "Prot LocalAddress:Port" plus room for an IPv6 address), then
// the five counters.
std::string counterLine(const std::string& name, const json& counters, IpvsCounters which,
                        bool exact) {
  static constexpr const char* kStats[] = {"connections", "in_packets", "out_packets", "in_bytes",
                                           "out_bytes"};
  static constexpr const char* kRates[] = {"cps", "in_pps", "out_pps", "in_bps", "out_bps"};
  std::string line = padded(name, 33);
  for (const char* key : which == IpvsCounters::Stats ? kStats : kRates) {
    line += largeNumber(counter(counters, key), exact);
  }
  return line + "\n";
}

// "10.0.0.1:80", "[2001:db8::1]:80".
std::string endpoint(const json& connection, const std::string& prefix) {
  std::string address = cell(connection, (prefix + "_address").c_str());
  if (address.find(':') != std::string::npos) address = "[" + address + "]";
  return address + ":" + cell(connection, (prefix + "_port").c_str());
}

// "OWNER: virtual_routes 10.9.0.0/16 via 10.99.0.1 not installed: ERROR", a
// line per entry whose last add failed (VrrpWorker's "routing").
std::string failingRouting(const std::string& owner, const json& routing) {
  std::string out;
  if (!routing.is_object()) return out;
  for (const json& f : routing.value("failing", json::array())) {
    out += owner + ": " + cell(f, "kind") + " " + cell(f, "entry") +
           " not installed: " + cell(f, "error") + "\n";
  }
  return out;
}

}  // namespace

std::string formatTable(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths;
  for (const auto& row : rows) {
    widths.resize(std::max(widths.size(), row.size()), 0);
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(widths[i] - row[i].size() + 2, ' ');
    }
    line.erase(line.find_last_not_of(' ') + 1);
    out += line + "\n";
  }
  return out;
}

const json* workerSnapshot(const json& status, const std::string& worker) {
  if (!status.contains("workers") || !status["workers"].is_array()) return nullptr;
  for (const json& w : status["workers"]) {
    if (w.value("name", "") == worker && w.contains("snapshot") && w["snapshot"].is_object()) {
      return &w["snapshot"];
    }
  }
  return nullptr;
}

std::string formatStatus(const json& status) {
  std::string out = "generation " + cell(status, "generation") + "  config " +
                    cell(status, "config") + "  healthy " + cell(status, "healthy") + "\n";
  std::vector<std::vector<std::string>> rows{{"WORKER", "RUNNING", "PID", "RESTARTS", "SNAPSHOT"}};
  for (const json& w : status.value("workers", json::array())) {
    rows.push_back({cell(w, "name"), cell(w, "running"), cell(w, "pid"), cell(w, "restarts"),
                    cell(w, "snapshot_seconds_ago")});
  }
  out += formatTable(rows);
  for (const json& problem : status.value("problems", json::array())) {
    out += "problem: " + (problem.is_string() ? problem.get<std::string>() : problem.dump()) + "\n";
  }
  return out;
}

std::string formatVrrp(const json& status) {
  const json* snap = workerSnapshot(status, "vrrp");
  if (snap == nullptr) return "no VRRP worker snapshot\n";
  std::vector<std::vector<std::string>> rows{
      {"INSTANCE", "STATE", "VRID", "PRIORITY", "INTERFACE", "MASTER", "TRANSITIONS"}};
  for (const json& i : snap->value("instances", json::array())) {
    std::string priority = cell(i, "effective_priority") + "/" + cell(i, "priority");
    if (!i.contains("priority")) priority = "-";
    const json counters = i.value("counters", json::object());
    rows.push_back({cell(i, "name"), cell(i, "state"), cell(i, "vrid"), priority,
                    cell(i, "interface"), cell(i, "master_address"),
                    cell(counters, "transitions")});
  }
  std::string out = formatTable(rows);
  const json groups = snap->value("sync_groups", json::array());
  if (!groups.empty()) {
    std::vector<std::vector<std::string>> groupRows{{"SYNC_GROUP", "STATE"}};
    for (const json& g : groups) groupRows.push_back({cell(g, "name"), cell(g, "state")});
    out += "\n" + formatTable(groupRows);
  }
  for (const json& i : snap->value("instances", json::array())) {
    if (i.contains("error")) out += cell(i, "name") + ": " + cell(i, "error") + "\n";
    out += failingRouting(cell(i, "name"), i.value("routing", json::object()));
  }
  out += failingRouting("static routing", snap->value("static_routing", json::object()));
  return out;
}

std::string formatCheck(const json& status) {
  const json* snap = workerSnapshot(status, "check");
  if (snap == nullptr) return "no check worker snapshot\n";
  std::vector<std::vector<std::string>> rows{
      {"VIRTUAL_SERVER", "QUORUM", "REAL_SERVER", "UP", "WEIGHT", "CHECKERS"}};
  for (const json& vs : snap->value("virtual_servers", json::array())) {
    const std::string quorum = vs.value("quorum_up", false) ? "up" : "down";
    const json reals = vs.value("real_servers", json::array());
    if (reals.empty()) rows.push_back({cell(vs, "name"), quorum, "-", "-", "-", "-"});
    for (const json& rs : reals) {
      std::string checkers;
      for (const json& c : rs.value("checkers", json::array())) {
        checkers += (checkers.empty() ? "" : ",") + checkerSummary(c);
      }
      rows.push_back({cell(vs, "name"), quorum, cell(rs, "address") + ":" + cell(rs, "port"),
                      cell(rs, "up"), cell(rs, "weight"), checkers.empty() ? "-" : checkers});
    }
  }
  return formatTable(rows);
}

Result<std::string> formatIpvs(const json& status) {
  const json* snap = workerSnapshot(status, "check");
  if (snap == nullptr) return Error{0, "no check worker snapshot: vigild runs no checkers"};
  const json dataplane = snap->value("dataplane", json::object());
  if (!dataplane.contains("table") || !dataplane["table"].is_string()) {
    return Error{
        0, "the check worker has no IPVS dataplane (backend " + cell(dataplane, "backend") + ")"};
  }
  return "IP Virtual Server (as seen by vigild's check worker, backend " +
         cell(dataplane, "backend") + ")\n" + dataplane["table"].get<std::string>();
}

}  // namespace vigil::cli

namespace vigil::cli {

Result<std::string> formatIpvsCounters(const json& status, IpvsCounters which, bool exact) {
  const json* snap = workerSnapshot(status, "check");
  if (snap == nullptr) return Error{0, "no check worker snapshot: vigild runs no checkers"};
  const json dataplane = snap->value("dataplane", json::object());
  if (!dataplane.contains("stats") || !dataplane["stats"].is_object()) {
    return Error{
        0, "the check worker reads no IPVS counters (backend " + cell(dataplane, "backend") + ")"};
  }
  std::string out = "IP Virtual Server counters (as read by vigild's check worker, backend " +
                    cell(dataplane, "backend") + ")\n";
  out += which == IpvsCounters::Stats
             ? "Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes\n"
             : "Prot LocalAddress:Port                 CPS    InPPS   OutPPS    InBPS   OutBPS\n";
  out += "  -> RemoteAddress:Port\n";
  for (const json& service : dataplane["stats"].value("services", json::array())) {
    out += counterLine(cell(service, "name"), service, which, exact);
    for (const json& dest : service.value("destinations", json::array())) {
      out += counterLine("  -> " + cell(dest, "name"), dest, which, exact);
    }
  }
  return out;
}

json ipvsConnectionsView(const json& reply) {
  if (reply.is_object() && reply.value("available", false)) return reply;
  std::string reason =
      "vigild finds no /proc/net/ip_vs_conn in its network namespace (the ip_vs kernel module "
      "is not loaded, as with dataplane none or userspace on a host without IPVS)";
  if (reply.is_object() && reply.contains("reason") && reply["reason"].is_string()) {
    reason = reply["reason"].get<std::string>();
  }
  return {{"available", false}, {"reason", reason}, {"connections", json::array()}};
}

CommandOutput ipvsConnectionsOutput(const json& reply, bool asJson) {
  const json view = ipvsConnectionsView(reply);
  const int exitCode = view.value("available", false) ? 0 : 1;
  if (asJson) return {view.dump(2) + "\n", "", exitCode};
  auto text = formatIpvsConnections(view);
  if (!text) return {"", "vigilctl ipvs: " + text.error().describe() + "\n", 1};
  return {*text, "", 0};
}

Result<std::string> formatIpvsConnections(const json& connections) {
  if (!connections.is_object() || !connections.value("available", false)) {
    return Error{0, "no IPVS connection table: " +
                        ipvsConnectionsView(connections)["reason"].get<std::string>()};
  }
  std::string out = "IPVS connection entries\n";
  char line[256];
  std::snprintf(line, sizeof line, "pro expire %-11s %-18s %-18s %s\n", "state", "source",
                "virtual", "destination");
  out += line;
  for (const json& c : connections.value("connections", json::array())) {
    const uint64_t expires = counter(c, "expires_seconds");
    std::snprintf(line, sizeof line, "%-3s %02llu:%02llu  %-11s %-18s %-18s %s\n",
                  cell(c, "protocol").c_str(), static_cast<unsigned long long>(expires / 60),
                  static_cast<unsigned long long>(expires % 60), cell(c, "state").c_str(),
                  endpoint(c, "source").c_str(), endpoint(c, "virtual").c_str(),
                  endpoint(c, "destination").c_str());
    out += line;
  }
  return out;
}

}  // namespace vigil::cli
