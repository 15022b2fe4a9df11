#include "monitor/snapshot_renderer.h"

#include <algorithm>
#include <deque>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "monitor/health.h"
#include "monitor/metric_set.h"
#include "monitor/snapshot_metrics.h"
#include "monitor/snapshot_parts.h"
#include "monitor/snapshot_split.h"

namespace vigil::monitor {
namespace {

// collectDataplane's metrics: one run of rows in metric_table.h, where
// assemble puts dataplaneText's series whole (metric_table.cpp asserts
// that its rows follow MetricId order).
constexpr MetricId kFirstDataplane = MetricId::IpvsConnections;
constexpr MetricId kLastDataplane = MetricId::IpvsServiceOutgoingBytes;
static_assert(static_cast<size_t>(kLastDataplane) - static_cast<size_t>(kFirstDataplane) == 12,
              "the 13 IPVS metrics must be one run of rows");

bool isDataplane(MetricId id) { return id >= kFirstDataplane && id <= kLastDataplane; }

}  // namespace

const std::string& SnapshotRenderer::dataplaneText(std::string_view dataplane) {
  if (dataplaneValid_ && dataplane == dataplaneKey_) return dataplaneText_;
  MetricSet m;
  collectDataplane(m, nlohmann::json::parse(dataplane, nullptr, false));
  dataplaneText_ = renderPrometheus(m);
  dataplaneDeflated_.reset();
  dataplaneSerial_ = nextSerial_++ * kServerMetrics.size();
  dataplaneKey_ = dataplane;
  dataplaneValid_ = true;
  ++dataplaneRenders_;
  return dataplaneText_;
}

SnapshotRenderer::ServerText SnapshotRenderer::renderServer(const std::string& vs,
                                                            const nlohmann::json& rs,
                                                            config::CheckDurationMetrics mode) {
  ServerText text;
  text.serial = nextSerial_++;
  text.name = realServerName(rs);
  text.summary = summarizeRealServer(rs, mode);
  MetricSet one;
  collectRealServer(one, vs, rs, mode);
  for (size_t i = 0; i < kServerMetrics.size(); ++i) {
    appendSeries(text.series[i], one, kServerMetrics[i]);
  }
  ++realServerRenders_;
  return text;
}

std::string SnapshotRenderer::render(const MonitorView& view) {
  MetricSet rest;
  Kept next;
  uncut_.clear();  // objects the split left in the skeleton (stable addresses)
  Order order;
  bool merged = false;
  const std::vector<std::string_view>* servers = nullptr;
  const auto place = [&](const std::string& vs, ServerText& text) {
    merged = merged || !order.try_emplace({vs, text.name}, &text).second;
    return text.summary;
  };
  const config::CheckDurationMetrics mode = view.checkDuration;
  const auto onRealServer = [&](const std::string& vs,
                                const nlohmann::json& rs) -> RealServerSummary {
    auto index = rs.find("#");
    if (index == rs.end() || !index->is_number_unsigned() ||
        index->get<size_t>() >= servers->size()) {
      return place(vs, uncut_.emplace_back(renderServer(vs, rs, mode)));
    }
    const std::string_view object = (*servers)[index->get<size_t>()];
    std::string key =
        std::to_string(static_cast<int>(mode)) + ':' + std::to_string(vs.size()) + ':' + vs;
    key += object;
    if (next.count(key) != 0) {  // the same server twice
      merged = true;
      return {};
    }
    auto old = kept_.find(key);
    if (old != kept_.end()) {
      auto [slot, fresh] = next.emplace(std::move(key), std::move(old->second));
      return place(vs, slot->second);
    }
    ServerText text = renderServer(vs, nlohmann::json::parse(object, nullptr, false), mode);
    auto [slot, fresh] = next.emplace(std::move(key), std::move(text));
    return place(vs, slot->second);
  };
  const std::string* dataplane = nullptr;
  for (const WorkerStatus& worker : view.workers) {
    if (!hasCurrentSnapshot(worker)) continue;
    std::optional<SplitSnapshot> split = splitRealServers(worker.lastSnapshot);
    if (!split) continue;  // unended: not JSON either
    const auto skeleton = nlohmann::json::parse(split->skeleton, nullptr, false);
    if (!skeleton.is_object()) continue;
    servers = &split->servers;
    collectParsedSnapshot(rest, skeleton, snapshotWallSeconds(worker, view), onRealServer);
    if (split->dataplane.empty()) continue;
    // Two workers' tables sum their series: rendered the plain way.
    merged = merged || dataplane != nullptr;
    dataplane = &dataplaneText(split->dataplane);
  }
  kept_ = std::move(next);
  if (merged) {
    std::string out = renderPrometheus(collectSnapshotMetrics(view));
    pieces_.clear();
    keptEnd_ = 0;
    endPieces(out);
    return out;
  }
  static const std::string kNoDataplane;
  return assemble(rest, order, dataplane != nullptr ? *dataplane : kNoDataplane);
}

void SnapshotRenderer::endPieces(const std::string& out) {
  if (out.size() > keptEnd_) pieces_.push_back({keptEnd_, out.size() - keptEnd_, 0, nullptr});
  keptEnd_ = out.size();
}

void SnapshotRenderer::appendKept(std::string& out, const std::string& text, uint64_t serial,
                                  std::optional<DeflatedPiece>& deflated) {
  if (text.empty()) return;
  endPieces(out);
  pieces_.push_back({out.size(), text.size(), serial, &deflated});
  out += text;
  keptEnd_ = out.size();
}

std::string SnapshotRenderer::assemble(const MetricSet& rest, const Order& servers,
                                       const std::string& dataplane) {
  pieces_.clear();
  keptEnd_ = 0;
  // The kept texts are nearly all of it; the rest is headers and a few
  // lines per service.
  constexpr size_t kRestAllowance = 1 << 16;
  size_t size = kRestAllowance + dataplane.size();
  for (const auto& [key, text] : servers) {
    for (const std::string& series : text->series) size += series.size();
  }
  std::string out;
  out.reserve(size);
  for (const MetricDef& def : metricTable()) {
    // The skeleton's dataplane was cut out: rest has none of these.
    if (def.id == kFirstDataplane) appendKept(out, dataplane, dataplaneSerial_, dataplaneDeflated_);
    if (isDataplane(def.id)) continue;
    auto server = std::find(kServerMetrics.begin(), kServerMetrics.end(), def.id);
    if (server == kServerMetrics.end()) {
      if (rest.samples(def.id).empty() && rest.histograms(def.id).empty()) continue;
      appendMetricHeader(out, def);
      appendSeries(out, rest, def.id);
      continue;
    }
    const auto i = static_cast<size_t>(server - kServerMetrics.begin());
    const bool any = std::any_of(servers.begin(), servers.end(), [i](const auto& entry) {
      return !entry.second->series[i].empty();
    });
    if (!any) continue;
    appendMetricHeader(out, def);
    for (const auto& [key, text] : servers) {
      appendKept(out, text->series[i], text->serial * kServerMetrics.size() + i, text->deflated[i]);
    }
  }
  endPieces(out);
  return out;
}

GzipPart SnapshotRenderer::deflate(std::string_view rendered, PartDeflater& deflater) {
  GzipPart whole;
  const Piece* previous = nullptr;
  for (const Piece& piece : pieces_) {
    const std::string_view text = rendered.substr(piece.offset, piece.length);
    const std::string_view preceding = previous == nullptr
                                           ? std::string_view()
                                           : rendered.substr(previous->offset, previous->length);
    // What the piece's deflated form depends on besides its own text.
    const uint64_t afterSerial = previous == nullptr ? 0 : previous->serial;
    const std::string_view afterText = afterSerial == 0 ? preceding : std::string_view();
    previous = &piece;
    std::optional<DeflatedPiece>* slot = piece.deflated;
    if (slot != nullptr && *slot && (*slot)->afterSerial == afterSerial &&
        (*slot)->afterText == afterText) {
      whole.append((*slot)->part);
      continue;
    }
    ++deflatedPieces_;
    GzipPart part = deflater.deflate(text, preceding);
    whole.append(part);
    if (slot != nullptr)
      *slot = DeflatedPiece{std::move(part), afterSerial, std::string(afterText)};
  }
  return whole;
}

}  // namespace vigil::monitor
