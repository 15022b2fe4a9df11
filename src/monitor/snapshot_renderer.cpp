#include "monitor/snapshot_renderer.h"

#include <algorithm>
#include <functional>
#include <nlohmann/json.hpp>

#include "monitor/health.h"
#include "monitor/metric_set.h"
#include "monitor/snapshot_metrics.h"
#include "monitor/snapshot_parts.h"

namespace vigil::monitor {

std::string SnapshotRenderer::render(const MonitorView& view) {
  MetricSet rest;
  Servers next;
  bool merged = false;
  const auto onRealServer = [&](const std::string& vs, const nlohmann::json& rs) {
    auto [slot, fresh] = next.try_emplace({vs, realServerName(rs)});
    if (!fresh) {
      merged = true;
      return;
    }
    ServerText& text = slot->second;
    text.hash = std::hash<nlohmann::json>{}(rs);
    if (auto kept = servers_.find(slot->first);
        kept != servers_.end() && kept->second.hash == text.hash) {
      text.series = std::move(kept->second.series);
      return;
    }
    MetricSet one;
    collectRealServer(one, vs, rs);
    for (size_t i = 0; i < kServerMetrics.size(); ++i) {
      appendSeries(text.series[i], one, kServerMetrics[i]);
    }
    ++realServerRenders_;
  };
  for (const WorkerStatus& worker : view.workers) {
    if (!hasCurrentSnapshot(worker)) continue;
    const auto snap = nlohmann::json::parse(worker.lastSnapshot, nullptr, false);
    if (!snap.is_object()) continue;
    collectParsedSnapshot(rest, snap, snapshotWallSeconds(worker, view), onRealServer);
  }
  if (merged) {
    servers_.clear();
    return renderPrometheus(collectSnapshotMetrics(view));
  }
  servers_ = std::move(next);
  return assemble(rest, servers_);
}

std::string SnapshotRenderer::assemble(const MetricSet& rest, const Servers& servers) {
  // The kept texts are nearly all of it; the rest is headers and a few
  // lines per service.
  constexpr size_t kRestAllowance = 1 << 16;
  size_t size = kRestAllowance;
  for (const auto& [key, text] : servers) {
    for (const std::string& series : text.series) size += series.size();
  }
  std::string out;
  out.reserve(size);
  for (const MetricDef& def : metricTable()) {
    auto server = std::find(kServerMetrics.begin(), kServerMetrics.end(), def.id);
    if (server == kServerMetrics.end()) {
      if (rest.samples(def.id).empty() && rest.histograms(def.id).empty()) continue;
      appendMetricHeader(out, def);
      appendSeries(out, rest, def.id);
      continue;
    }
    const auto i = static_cast<size_t>(server - kServerMetrics.begin());
    const bool any = std::any_of(servers.begin(), servers.end(), [i](const auto& entry) {
      return !entry.second.series[i].empty();
    });
    if (!any) continue;
    appendMetricHeader(out, def);
    for (const auto& [key, text] : servers) out += text.series[i];
  }
  return out;
}

}  // namespace vigil::monitor
