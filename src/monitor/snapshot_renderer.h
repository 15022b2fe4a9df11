#pragma once

#include <array>
#include <cstddef>
#include <deque>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "monitor/gzip_parts.h"
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
// Each kept text also keeps its deflated form (gzip_parts.h) once asked
// for, so deflate() after a new snapshot compresses only the pieces whose
// text changed, the pieces right after those (a piece is deflated with the
// text before it as its dictionary: one server's lines repeat the last
// one's labels, and alone they would compress several times worse), and
// the small rest.
//
// A real server that appears twice (under one virtual server, or in two
// snapshots) merges its series, as collectSnapshotMetrics does; that
// render is then done the plain way.
class SnapshotRenderer {
 public:
  std::string render(const MonitorView& view);

  // The deflated form of `rendered`, which must be what the last render()
  // returned: kept pieces deflated in an earlier call are reused, the rest
  // deflated with `deflater` (and kept with their piece).
  GzipPart deflate(std::string_view rendered, PartDeflater& deflater);

  // Real servers whose series were rendered (not reused), since start:
  // what a render cost.
  size_t realServerRenders() const { return realServerRenders_; }
  // Dataplane objects parsed and rendered (not reused), since start.
  size_t dataplaneRenders() const { return dataplaneRenders_; }
  // Pieces deflate() compressed (not reused), since start.
  size_t deflatedPieces() const { return deflatedPieces_; }

 private:
  // The metrics collectRealServer adds, in table order.
  static constexpr std::array<MetricId, 5> kServerMetrics = {
      MetricId::RealServerUp, MetricId::RealServerWeight, MetricId::RealServerCheckAttempts,
      MetricId::RealServerCheckFailures, MetricId::CheckDuration};

  // A kept piece's deflated form, valid right after what preceded it
  // then: the kept piece with serial `afterSerial`, or (serial 0) the text
  // `afterText` rendered afresh (empty: the start of the text).
  struct DeflatedPiece {
    GzipPart part;
    uint64_t afterSerial = 0;
    std::string afterText;
  };

  struct ServerText {
    uint64_t serial = 0;  // this text's: its pieces' serials derive from it
    std::string name;     // the real_server label value
    RealServerSummary summary;
    std::array<std::string, kServerMetrics.size()> series;                     // per kServerMetrics
    std::array<std::optional<DeflatedPiece>, kServerMetrics.size()> deflated;  // once asked for
  };
  // By metrics_check_duration, virtual server name and the server
  // object's exact text.
  using Kept = std::unordered_map<std::string, ServerText>;
  // By {virtual server, real server} label values: the order their series
  // take within each metric (MetricSet sorts by label values).
  using Order = std::map<std::pair<std::string, std::string>, ServerText*>;
  // A run of the last render's text: a kept piece (with a serial unique to
  // its text and the slot for its deflated form) or, with serial 0 and no
  // slot, text rendered for that render only.
  struct Piece {
    size_t offset = 0;
    size_t length = 0;
    uint64_t serial = 0;
    std::optional<DeflatedPiece>* deflated = nullptr;
  };

  ServerText renderServer(const std::string& vs, const nlohmann::json& rs,
                          config::CheckDurationMetrics mode);
  // Builds the text and pieces_.
  std::string assemble(const MetricSet& rest, const Order& servers, const std::string& dataplane);
  void appendKept(std::string& out, const std::string& text, uint64_t serial,
                  std::optional<DeflatedPiece>& deflated);
  void endPieces(const std::string& out);
  // The series text of a "dataplane" object, kept by its exact text.
  const std::string& dataplaneText(std::string_view dataplane);

  Kept kept_;
  // Servers the split left in the skeleton: rendered for one render.
  std::deque<ServerText> uncut_;
  size_t realServerRenders_ = 0;
  std::string dataplaneKey_;
  std::string dataplaneText_;
  uint64_t dataplaneSerial_ = 0;
  std::optional<DeflatedPiece> dataplaneDeflated_;
  bool dataplaneValid_ = false;
  size_t dataplaneRenders_ = 0;
  // The last render's text as pieces, in order (their slots live in kept_,
  // uncut_ and dataplaneDeflated_ until the next render).
  std::vector<Piece> pieces_;
  // Where the last kept piece ended.
  size_t keptEnd_ = 0;
  uint64_t nextSerial_ = 1;
  size_t deflatedPieces_ = 0;
};

}  // namespace vigil::monitor
