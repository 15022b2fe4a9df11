#pragma once

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "monitor/metric_set.h"
#include "monitor/monitor_view.h"

// The pieces collectSnapshotMetrics is made of, for a renderer that keeps
// each real server's series apart (snapshot_renderer.h).
namespace vigil::monitor {

// What the virtual server and worker totals take from one real server.
struct RealServerSummary {
  double up = 0;  // "up": 1 or 0
  // Its checkers' duration histograms by checker type, on the worker's own
  // bounds; filled only for CheckDurationMetrics::PerService.
  std::map<std::string, MetricSet::Histogram> durations;
};
RealServerSummary summarizeRealServer(const nlohmann::json& rs, config::CheckDurationMetrics mode);

// Called with a virtual server's name and one of its real_servers objects;
// returns summarizeRealServer of it.
using RealServerSink =
    std::function<RealServerSummary(const std::string& vs, const nlohmann::json& rs)>;

// Adds what one parsed worker snapshot says, except each real server's own
// series (vigil_real_server_*, vigil_check_duration_seconds), which go to
// `onRealServer` instead; the virtual server and worker totals
// (vigil_virtual_server_check_duration_seconds)
// are added here from what it returns.
void collectParsedSnapshot(MetricSet& m, const nlohmann::json& snap, double snapshotWall,
                           const RealServerSink& onRealServer);

// The series of one real server of virtual server `vs`. Their labels all
// start with {vs, realServerName(rs)}. Duration series only with
// CheckDurationMetrics::PerServer.
void collectRealServer(MetricSet& m, const std::string& vs, const nlohmann::json& rs,
                       config::CheckDurationMetrics mode);

// The node_ipvs_* and vigil_ipvs_service_* series of a check snapshot's
// "dataplane" object (collectParsedSnapshot adds them too). They are the
// last rows of metric_table.h, so their text can follow the rest's.
void collectDataplane(MetricSet& m, const nlohmann::json& dataplane);

// "192.0.2.1:80", "[2001:db8::1]:80": the real_server label value, as
// vigilctl and the notify FIFO name a real server, from its snapshot
// object's "address" and "port" (no port: the address alone). Appended to
// `out`. The one rule for the JSON way and the text way
// (real_server_text.h).
void appendRealServerName(std::string& out, std::string_view address, std::optional<double> port);
// The same from a parsed object (a non-string address counts as "", a bool
// port as 1 or 0, as snapshot_metrics.cpp reads every field).
std::string realServerName(const nlohmann::json& rs);

// The system clock's reading when the worker built its snapshot.
double snapshotWallSeconds(const WorkerStatus& worker, const MonitorView& view);

}  // namespace vigil::monitor
