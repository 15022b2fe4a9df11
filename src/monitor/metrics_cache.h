#pragma once

#include <cstddef>
#include <memory>
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
//
// /metrics.json is kept the same way: the snapshot part's members are
// rendered once per snapshot change (invalidated with the text) and the
// worker series' members are rendered per call and put first, so a request
// costs a copy, not a collectMetrics (~190 ms at 1,000 x 10 real servers,
// doc/benchmarks.md) on the supervisor's loop.
class MetricsCache {
 public:
  // A body in pieces: fresh text, the kept part (shared with this cache:
  // a response sends it without a copy, and it outlives a re-render while a
  // connection still writes it), fresh text.
  struct Body {
    std::string before;
    std::shared_ptr<const std::string> kept;
    std::string after;

    std::string joined() const;
  };

  Body textBody(const MonitorView& view);
  Body gzipBody(const MonitorView& view);
  std::string text(const MonitorView& view) { return textBody(view).joined(); }
  std::string gzip(const MonitorView& view) { return gzipBody(view).joined(); }
  // renderMetricsJson(view) with the same members and values; only the
  // order of the top-level names differs (worker series first).
  std::string json(const MonitorView& view);

  // Whether the kept parts were built from the view's snapshots and
  // checkDuration (compared by text object: no byte is read).
  bool keptFor(const MonitorView& view) const;
  // Drops the kept parts (the rendered text, tens of MB at tens of
  // thousands of real servers, its gzip and JSON forms) when the view's
  // snapshots are no longer the ones they were rendered from and the next
  // render would not reuse most of them: at delay_loop 1 every server's
  // counters move each second, so a scrape every 15 s renders every server
  // anew and a render kept in between is memory for nothing. A render that
  // could reuse most servers (scrapes more often than delay_loop) is kept.
  // The JSON part, built whole for each snapshot, is dropped whenever the
  // snapshots moved on. Returns whether it dropped anything.
  bool releaseIfStale(const MonitorView& view);

  // How often the snapshot part was rendered (for tests and benchmarks).
  size_t renders() const { return renders_; }
  // How often the snapshot part of /metrics.json was rendered.
  size_t jsonRenders() const { return jsonRenders_; }
  // How many real servers' series those renders redid (the others were
  // kept from the render before; snapshot_renderer.h).
  size_t realServerRenders() const { return renderer_.realServerRenders(); }

 private:
  // Identifies the snapshots the kept part was built from: each current
  // worker's name and its snapshot text object. A new text (a snapshot or
  // a patch applied) is a new object, so comparing them costs nothing per
  // byte; hashing every snapshot per request read 22 MB at 50,000 real
  // servers.
  struct Source {
    std::string worker;
    SharedText::Mark snapshot;
  };
  using Key = std::vector<Source>;

  // Drops the kept parts when the snapshots (or checkDuration) changed
  // since they were rendered.
  void sync(const MonitorView& view);
  // Marks every kept part for rebuilding (the renderer keeps its records).
  void markStale();
  const std::shared_ptr<const std::string>& snapshotText(const MonitorView& view);

  SnapshotRenderer renderer_;
  Key key_;
  // A reload that changes metrics_check_duration renders anew.
  config::CheckDurationMetrics checkDuration_ = config::CheckDurationMetrics::PerServer;
  bool synced_ = false;
  std::shared_ptr<const std::string> text_;  // none: render anew
  bool jsonValid_ = false;
  std::string jsonMembers_;  // the snapshot part's members, without braces
  size_t jsonRenders_ = 0;
  // text_ deflated (none: deflate anew), and its crc and size.
  std::shared_ptr<const std::string> gzipDeflated_;
  GzipPart gzip_;
  size_t renders_ = 0;
};

}  // namespace vigil::monitor
