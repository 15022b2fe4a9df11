#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "monitor/gzip_parts.h"
#include "monitor/monitor_view.h"
#include "monitor/snapshot_renderer.h"

namespace vigil::monitor {

// The /metrics body, built cheaply for frequent scrapes. Most of it comes
// from the workers' JSON snapshots, which change at most once per snapshot
// interval while a scraper may come ten times a second: that part is
// parsed, rendered (and gzipped, when asked) once per snapshot change and
// kept; a render redoes only the real servers whose part of the snapshot
// changed (SnapshotRenderer). The supervisor's own few worker series (snapshot age changes on
// every call) are rendered fresh and put in front. The result equals
// renderPrometheus(collectMetrics(view)), except that a kept part keeps the
// wall time it was rendered with for last-transition timestamps a worker
// sends as an age (the same instant, read from a clock that moved on).
class MetricsCache {
 public:
  std::string text(const MonitorView& view);
  std::string gzip(const MonitorView& view);

  // How often the snapshot part was rendered (for tests and benchmarks).
  size_t renders() const { return renders_; }
  // How many real servers' series those renders redid (the others were
  // kept from the render before; snapshot_renderer.h).
  size_t realServerRenders() const { return renderer_.realServerRenders(); }

 private:
  // Identifies the snapshots the kept part was built from: each current
  // worker's name and a hash and length of its snapshot.
  using Key = std::vector<std::pair<std::string, std::pair<size_t, size_t>>>;

  const std::string& snapshotText(const MonitorView& view);

  SnapshotRenderer renderer_;
  Key key_;
  // A reload that changes metrics_check_duration renders anew.
  config::CheckDurationMetrics checkDuration_ = config::CheckDurationMetrics::PerServer;
  bool valid_ = false;
  std::string text_;
  bool gzipValid_ = false;
  GzipPart gzip_;
  size_t renders_ = 0;
};

}  // namespace vigil::monitor
