#pragma once

#include <array>
#include <cstddef>
#include <map>
#include <string>
#include <utility>

#include "monitor/metric_set.h"
#include "monitor/metric_table.h"
#include "monitor/monitor_view.h"

namespace vigil::monitor {

// Renders renderPrometheus(collectSnapshotMetrics(view)) again and again as
// snapshots arrive, redoing only what changed. A check worker's snapshot is
// mostly its real servers, and between two snapshots only those probed in
// between move (at 10,000 servers checked every 10 s, a tenth of them per
// 1 s snapshot). Each real server's series text is kept with a hash of its
// snapshot object and reused while the hash is unchanged; the rest (VRRP,
// virtual server totals, dataplane counters: a few lines per service) is
// rendered afresh. The snapshots are still parsed in full each time.
//
// A real server that appears twice (under one virtual server, or in two
// snapshots) merges its series, as collectSnapshotMetrics does; that
// render is then done the plain way, with nothing kept.
class SnapshotRenderer {
 public:
  std::string render(const MonitorView& view);

  // Real servers whose series were rendered (not reused), since start:
  // what a render cost.
  size_t realServerRenders() const { return realServerRenders_; }

 private:
  // The metrics collectRealServer adds, in table order.
  static constexpr std::array<MetricId, 5> kServerMetrics = {
      MetricId::RealServerUp, MetricId::RealServerWeight, MetricId::RealServerCheckAttempts,
      MetricId::RealServerCheckFailures, MetricId::CheckDuration};

  struct ServerText {
    size_t hash = 0;                                        // of its snapshot object
    std::array<std::string, kServerMetrics.size()> series;  // per kServerMetrics
  };
  // By {virtual server, real server} label values: the order their series
  // take within each metric (MetricSet sorts by label values).
  using Servers = std::map<std::pair<std::string, std::string>, ServerText>;

  static std::string assemble(const MetricSet& rest, const Servers& servers);

  Servers servers_;
  size_t realServerRenders_ = 0;
};

}  // namespace vigil::monitor
