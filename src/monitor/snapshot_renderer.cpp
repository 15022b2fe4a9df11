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
  dataplaneKey_ = dataplane;
  dataplaneValid_ = true;
  ++dataplaneRenders_;
  return dataplaneText_;
}

SnapshotRenderer::ServerText SnapshotRenderer::renderServer(const std::string& vs,
                                                            const nlohmann::json& rs,
                                                            config::CheckDurationMetrics mode) {
  ServerText text;
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
  std::deque<ServerText> uncut;  // objects the split left in the skeleton (stable addresses)
  Order order;
  bool merged = false;
  const std::vector<std::string_view>* servers = nullptr;
  const auto place = [&](const std::string& vs, const ServerText& text) {
    merged = merged || !order.try_emplace({vs, text.name}, &text).second;
    return text.summary;
  };
  const config::CheckDurationMetrics mode = view.checkDuration;
  const auto onRealServer = [&](const std::string& vs,
                                const nlohmann::json& rs) -> RealServerSummary {
    auto index = rs.find("#");
    if (index == rs.end() || !index->is_number_unsigned() ||
        index->get<size_t>() >= servers->size()) {
      return place(vs, uncut.emplace_back(renderServer(vs, rs, mode)));
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
  if (merged) return renderPrometheus(collectSnapshotMetrics(view));
  static const std::string kNoDataplane;
  return assemble(rest, order, dataplane != nullptr ? *dataplane : kNoDataplane);
}

std::string SnapshotRenderer::assemble(const MetricSet& rest, const Order& servers,
                                       const std::string& dataplane) {
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
    if (def.id == kFirstDataplane) out += dataplane;
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
    for (const auto& [key, text] : servers) out += text->series[i];
  }
  return out;
}

}  // namespace vigil::monitor
