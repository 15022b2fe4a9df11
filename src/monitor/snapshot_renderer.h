#pragma once

#include <array>
#include <cstddef>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "monitor/metric_set.h"
#include "monitor/metric_table.h"
#include "monitor/monitor_view.h"
#include "monitor/snapshot_parts.h"

namespace vigil::monitor {

// Renders renderPrometheus(collectSnapshotMetrics(view)) again and again as
// snapshots arrive, redoing only what changed. A check worker's snapshot is
// mostly its real servers, and between two snapshots only those probed in
// between move (at 10,000 servers checked every 10 s, a tenth of them per
// 1 s snapshot). Each real server's object is cut out of the snapshot text
// unparsed (snapshot_split.h) and its series text kept, keyed by that
// object's exact text and its virtual server: an object seen in the last
// render is neither parsed nor rendered again. The dataplane object (the
// IPVS table and its counters, as large again at 10,000 servers) is cut out
// the same way and its series text kept while its text is unchanged (the
// counters move every 2 s or so, the real servers' snapshot each second).
// The rest of the snapshot (VRRP, virtual server totals) is small; it is
// parsed and rendered afresh.
//
// A real server that appears twice (under one virtual server, or in two
// snapshots) merges its series, as collectSnapshotMetrics does; that
// render is then done the plain way.
class SnapshotRenderer {
 public:
  std::string render(const MonitorView& view);

  // Real servers whose series were rendered (not reused), since start:
  // what a render cost.
  size_t realServerRenders() const { return realServerRenders_; }
  // Dataplane objects parsed and rendered (not reused), since start.
  size_t dataplaneRenders() const { return dataplaneRenders_; }

 private:
  // The metrics collectRealServer adds, in table order.
  static constexpr std::array<MetricId, 5> kServerMetrics = {
      MetricId::RealServerUp, MetricId::RealServerWeight, MetricId::RealServerCheckAttempts,
      MetricId::RealServerCheckFailures, MetricId::CheckDuration};

  struct ServerText {
    std::string name;  // the real_server label value
    RealServerSummary summary;
    std::array<std::string, kServerMetrics.size()> series;  // per kServerMetrics
  };
  // By metrics_check_duration, virtual server name and the server
  // object's exact text.
  using Kept = std::unordered_map<std::string, ServerText>;
  // By {virtual server, real server} label values: the order their series
  // take within each metric (MetricSet sorts by label values).
  using Order = std::map<std::pair<std::string, std::string>, const ServerText*>;

  ServerText renderServer(const std::string& vs, const nlohmann::json& rs,
                          config::CheckDurationMetrics mode);
  static std::string assemble(const MetricSet& rest, const Order& servers,
                              const std::string& dataplane);
  // The series text of a "dataplane" object, kept by its exact text.
  const std::string& dataplaneText(std::string_view dataplane);

  Kept kept_;
  size_t realServerRenders_ = 0;
  std::string dataplaneKey_;
  std::string dataplaneText_;
  bool dataplaneValid_ = false;
  size_t dataplaneRenders_ = 0;
};

}  // namespace vigil::monitor
