#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "monitor/metric_set.h"
#include "monitor/metric_table.h"
#include "monitor/monitor_view.h"
#include "monitor/real_server_text.h"
#include "monitor/snapshot_parts.h"

namespace vigil::monitor {

// Renders renderPrometheus(collectSnapshotMetrics(view)) again and again as
// snapshots arrive, redoing only what changed. A check worker's snapshot is
// mostly its real servers, and between two snapshots only those probed in
// between move (at 10,000 servers checked every 10 s, a tenth of them per
// 1 s snapshot). Each real server's object is cut out of the snapshot text
// unparsed (snapshot_split.h) and recognised by a 128-bit hash of that
// object's exact text and its virtual server: an object seen in the last
// render is neither parsed nor rendered again, its series are copied from
// where they lie in the last render's text; a new one is rendered straight
// from its text (real_server_text.h; through a JSON tree when it is not in
// the worker's plain shape). The dataplane object (the IPVS
// table and its counters, as large again at 10,000 servers) is cut out the
// same way and its series reused while its text is unchanged (the counters
// move every 2 s or so, the real servers' snapshot each second). The rest of
// the snapshot (VRRP, virtual server totals) is small; it is parsed and
// rendered afresh.
//
// What is kept between renders is the last text (shared with whoever sends
// it) and, per real server, its name, summary and where its series lie in
// that text: not a second copy of the series or of the snapshot (at 50,000
// real servers those were ~80 and ~22 MB beside the 80 MB text).
//
// A real server that appears twice (under one virtual server, or in two
// snapshots) merges its series, as collectSnapshotMetrics does; that
// render is then done the plain way.
class SnapshotRenderer {
 public:
  std::shared_ptr<const std::string> render(const MonitorView& view);

  // Real servers whose series were rendered (not reused), since start:
  // what a render cost.
  size_t realServerRenders() const { return realServerRenders_; }
  // Of those, the ones rendered through a JSON tree (collectRealServer)
  // rather than straight from their text (real_server_text.h): objects
  // not in CheckWorker's plain shape.
  size_t treeRenders() const { return treeRenders_; }
  // Dataplane objects parsed and rendered (not reused), since start.
  size_t dataplaneRenders() const { return dataplaneRenders_; }

  // Drops what is kept for the next render (the last text and the record
  // per real server) but each server's key: the next render, which renders
  // every server, still learns how many it could have reused.
  void release();
  // Whether the last render reused, or could have reused had release() not
  // dropped them, the series of at least half its real servers: whether
  // keeping a render for the next one pays.
  bool lastRenderCouldReuseMost() const { return 2 * reusable_ >= lastServers_; }

 private:
  // The metrics collectRealServer adds, in table order (RealServerText's
  // too).
  static constexpr std::array<MetricId, 5> kServerMetrics = {
      MetricId::RealServerUp, MetricId::RealServerWeight, MetricId::RealServerCheckAttempts,
      MetricId::RealServerCheckFailures, MetricId::CheckDuration};

  // A run of text_, or of arena_ while a render lasts.
  struct Span {
    uint32_t offset = 0;
    uint32_t size = 0;
  };
  // Series text of one object: rendered by this render (in arena_), or
  // the last render's (in text_).
  struct Series {
    bool rendered = false;
    Span span;
  };
  struct ServerText {
    std::string name;  // the real_server label value
    RealServerSummary summary;
    bool rendered = false;                           // spans into arena_, not text_
    std::array<Span, kServerMetrics.size()> series;  // per kServerMetrics
  };
  // Two independent 64-bit hashes of the text identifying an object (with
  // its virtual server and metrics_check_duration): a false match is as
  // likely as guessing 128 random bits.
  struct Key {
    uint64_t a = 0;
    uint64_t b = 0;
    bool operator==(const Key&) const = default;
    auto operator<=>(const Key&) const = default;
  };
  struct KeyHash {
    size_t operator()(const Key& key) const { return static_cast<size_t>(key.a); }
  };
  using Kept = std::unordered_map<Key, ServerText, KeyHash>;
  // By {virtual server, real server} label values: the order their series
  // take within each metric (MetricSet sorts by label values).
  using Order = std::map<std::pair<std::string, std::string>, ServerText*>;

  static Key keyOf(std::string_view vs, std::string_view object, config::CheckDurationMetrics mode);
  ServerText renderServer(const std::string& vs, const nlohmann::json& rs,
                          config::CheckDurationMetrics mode);
  // A cut-out object: from its text when it is plain, else through a tree.
  ServerText renderObject(const std::string& vs, std::string_view object,
                          config::CheckDurationMetrics mode);
  Span toArena(std::string_view text);
  std::string assemble(const MetricSet& rest, const Order& servers, const Series* dataplane);
  std::string_view textOf(bool rendered, Span span) const;
  // The series of a "dataplane" object, reused while its text is unchanged.
  Series dataplaneSeries(std::string_view dataplane);

  std::shared_ptr<const std::string> text_;  // the last render's
  Kept kept_;                                // spans into text_
  // The series rendered by a render, until assembled: one buffer, not five
  // strings per server (at 50,000 real servers all rendered anew, their
  // many small blocks kept the heap large after the render).
  std::string arena_;
  RealServerText scratch_;  // renderRealServerText's, reused
  size_t realServerRenders_ = 0;
  size_t treeRenders_ = 0;
  // The keys of the servers release() dropped, sorted; until the next render.
  std::vector<Key> releasedKeys_;
  size_t reusable_ = 0;     // the last render's servers reused or reusable
  size_t lastServers_ = 0;  // and all its servers
  std::optional<Key> dataplaneKey_;
  Span dataplaneSpan_;  // into text_
  size_t dataplaneRenders_ = 0;
};

}  // namespace vigil::monitor
