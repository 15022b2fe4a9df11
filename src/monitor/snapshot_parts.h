#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "monitor/metric_set.h"
#include "monitor/monitor_view.h"

// The pieces collectSnapshotMetrics is made of, for a renderer that keeps
// each real server's series apart (snapshot_renderer.h).
namespace vigil::monitor {

// Called with a virtual server's name and one of its real_servers objects;
// returns the server's "up" (1 or 0) for the virtual server's count.
using RealServerSink = std::function<double(const std::string& vs, const nlohmann::json& rs)>;

// Adds what one parsed worker snapshot says, except each real server's own
// series (vigil_real_server_*, vigil_check_duration_seconds), which go to
// `onRealServer` instead; the virtual server totals are added here.
void collectParsedSnapshot(MetricSet& m, const nlohmann::json& snap, double snapshotWall,
                           const RealServerSink& onRealServer);

// The series of one real server of virtual server `vs`. Their labels all
// start with {vs, realServerName(rs)}.
void collectRealServer(MetricSet& m, const std::string& vs, const nlohmann::json& rs);

// "192.0.2.1:80", "[2001:db8::1]:80": the real_server label value.
std::string realServerName(const nlohmann::json& rs);

// "up" of a real_servers object: 1 or 0.
double realServerUp(const nlohmann::json& rs);

// The system clock's reading when the worker built its snapshot.
double snapshotWallSeconds(const WorkerStatus& worker, const MonitorView& view);

}  // namespace vigil::monitor
