#include "monitor/snapshot_renderer.h"

#include <algorithm>
#include <cstring>
#include <deque>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "monitor/health.h"
#include "monitor/metric_set.h"
#include "monitor/real_server_text.h"
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

uint64_t rotl(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }

// MurmurHash3's 64-bit finaliser: every input bit moves every output bit.
uint64_t fmix(uint64_t k) {
  k ^= k >> 33;
  k *= 0xff51afd7ed558ccdULL;
  k ^= k >> 33;
  k *= 0xc4ceb9fe1a85ec53ULL;
  k ^= k >> 33;
  return k;
}

// A 64-bit hash in MurmurHash3's manner (8 bytes a step), independent of
// std::hash (libstdc++'s is MurmurHash2's): the second half of a key.
uint64_t murmur64(std::string_view text, uint64_t seed) {
  constexpr uint64_t kC1 = 0x87c37b91114253d5ULL;
  constexpr uint64_t kC2 = 0x4cf5ad432745937fULL;
  uint64_t h = seed ^ (text.size() * kC2);
  size_t i = 0;
  for (; i + 8 <= text.size(); i += 8) {
    uint64_t k = 0;
    std::memcpy(&k, text.data() + i, 8);
    k = rotl(k * kC1, 31) * kC2;
    h = rotl(h ^ k, 27) * 5 + 0x52dce729;
  }
  uint64_t tail = 0;
  for (size_t j = 0; i + j < text.size(); ++j) {
    tail |= static_cast<uint64_t>(static_cast<unsigned char>(text[i + j])) << (8 * j);
  }
  h ^= rotl(tail * kC1, 31) * kC2;
  return fmix(h);
}

}  // namespace

SnapshotRenderer::Key SnapshotRenderer::keyOf(std::string_view vs, std::string_view object,
                                              config::CheckDurationMetrics mode) {
  const auto context = static_cast<uint64_t>(mode);
  Key key;
  key.a = fmix(std::hash<std::string_view>{}(object) ^
               fmix(std::hash<std::string_view>{}(vs) + context));
  key.b = murmur64(object, murmur64(vs, context + 1));
  return key;
}

std::string_view SnapshotRenderer::textOf(bool rendered, Span span) const {
  const std::string_view whole = rendered ? std::string_view(arena_) : std::string_view(*text_);
  return whole.substr(span.offset, span.size);
}

SnapshotRenderer::Span SnapshotRenderer::toArena(std::string_view text) {
  const Span span{static_cast<uint32_t>(arena_.size()), static_cast<uint32_t>(text.size())};
  arena_ += text;
  return span;
}

SnapshotRenderer::Series SnapshotRenderer::dataplaneSeries(std::string_view dataplane) {
  const Key key = keyOf({}, dataplane, config::CheckDurationMetrics::PerServer);
  if (text_ && dataplaneKey_ == key) return Series{false, dataplaneSpan_};
  MetricSet m;
  collectDataplane(m, nlohmann::json::parse(dataplane, nullptr, false));
  dataplaneKey_ = key;
  ++dataplaneRenders_;
  return Series{true, toArena(renderPrometheus(m))};
}

SnapshotRenderer::ServerText SnapshotRenderer::renderServer(const std::string& vs,
                                                            const nlohmann::json& rs,
                                                            config::CheckDurationMetrics mode) {
  ServerText text;
  text.name = realServerName(rs);
  text.summary = summarizeRealServer(rs, mode);
  text.rendered = true;
  MetricSet one;
  collectRealServer(one, vs, rs, mode);
  for (size_t i = 0; i < kServerMetrics.size(); ++i) {
    const size_t begin = arena_.size();
    appendSeries(arena_, one, kServerMetrics[i]);
    text.series[i] = {static_cast<uint32_t>(begin), static_cast<uint32_t>(arena_.size() - begin)};
  }
  ++realServerRenders_;
  ++treeRenders_;
  return text;
}

SnapshotRenderer::ServerText SnapshotRenderer::renderObject(const std::string& vs,
                                                            std::string_view object,
                                                            config::CheckDurationMetrics mode) {
  if (!renderRealServerText(vs, object, mode, scratch_)) {
    return renderServer(vs, nlohmann::json::parse(object, nullptr, false), mode);
  }
  ServerText text;
  text.name = scratch_.name;
  text.summary.up = scratch_.up;
  text.rendered = true;
  for (size_t i = 0; i < kServerMetrics.size(); ++i) text.series[i] = toArena(scratch_.series[i]);
  ++realServerRenders_;
  return text;
}

std::shared_ptr<const std::string> SnapshotRenderer::render(const MonitorView& view) {
  MetricSet rest;
  Kept next;
  std::deque<ServerText> uncut;  // objects the split left in the skeleton (stable addresses)
  Order order;
  bool merged = false;
  size_t reused = 0;    // servers whose series come from text_
  size_t reusable = 0;  // servers whose series release() dropped
  arena_.clear();
  const std::vector<std::string_view>* servers = nullptr;
  const auto place = [&](const std::string& vs, ServerText& text) {
    merged = merged || !order.try_emplace({vs, text.name}, &text).second;
    return text.summary;
  };
  const config::CheckDurationMetrics mode = view.checkDuration;
  const auto onRealServer = [&](const std::string& vs,
                                const nlohmann::json& rs) -> RealServerSummary {
    const std::optional<std::string_view> cut = cutServerText(rs, *servers);
    if (!cut) return place(vs, uncut.emplace_back(renderServer(vs, rs, mode)));
    const std::string_view object = *cut;
    const Key key = keyOf(vs, object, mode);
    if (next.count(key) != 0) {  // the same server twice
      merged = true;
      return {};
    }
    auto old = text_ ? kept_.find(key) : kept_.end();
    if (old != kept_.end()) {
      auto [slot, fresh] = next.emplace(key, std::move(old->second));
      ++reused;
      return place(vs, slot->second);
    }
    if (std::binary_search(releasedKeys_.begin(), releasedKeys_.end(), key)) ++reusable;
    auto [slot, fresh] = next.emplace(key, renderObject(vs, object, mode));
    return place(vs, slot->second);
  };
  std::optional<Series> dataplane;
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
    merged = merged || dataplane.has_value();
    dataplane = dataplaneSeries(split->dataplane);
  }
  // Spans are 32-bit: beyond 4 GiB of series, render the plain way.
  merged = merged || arena_.size() > UINT32_MAX;
  // Nothing taken from the last text (at delay_loop 1 every server moves
  // each second): let it go before the new one is built.
  if (reused == 0 && !(dataplane && !dataplane->rendered)) text_.reset();
  std::string out;
  if (merged) {
    out = renderPrometheus(collectSnapshotMetrics(view));
  } else {
    out = assemble(rest, order, dataplane ? &*dataplane : nullptr);
  }
  std::string().swap(arena_);  // its memory goes back now, not at the next render
  reusable_ = reused + reusable;
  lastServers_ = next.size() + uncut.size();
  std::vector<Key>().swap(releasedKeys_);
  kept_ = std::move(next);
  // A text beyond 4 GiB keeps nothing for the next render.
  const bool spansHold = out.size() <= UINT32_MAX;
  if (merged || !spansHold) kept_.clear();
  if (merged || !spansHold || !dataplane) dataplaneKey_.reset();
  text_ = std::make_shared<const std::string>(std::move(out));
  return text_;
}

void SnapshotRenderer::release() {
  if (!text_) return;  // nothing kept, or released already: keep the keys
  std::vector<Key> keys;
  keys.reserve(kept_.size());
  for (const auto& [key, text] : kept_) keys.push_back(key);
  std::sort(keys.begin(), keys.end());
  Kept().swap(kept_);
  text_.reset();
  dataplaneKey_.reset();
  releasedKeys_ = std::move(keys);
}

std::string SnapshotRenderer::assemble(const MetricSet& rest, const Order& servers,
                                       const Series* dataplane) {
  // Copies a series into the new text; its span then points there.
  const auto append = [this](std::string& out, bool rendered, Span& span) {
    const std::string_view text = textOf(rendered, span);
    span = {static_cast<uint32_t>(out.size()), static_cast<uint32_t>(text.size())};
    out += text;
  };
  // The kept texts are nearly all of it; the rest is headers and a few
  // lines per service.
  constexpr size_t kRestAllowance = 1 << 16;
  const bool dataplaneRendered = dataplane != nullptr && dataplane->rendered;
  dataplaneSpan_ = dataplane != nullptr ? dataplane->span : Span{};
  size_t size = kRestAllowance + dataplaneSpan_.size;
  for (const auto& [key, text] : servers) {
    for (const Span& span : text->series) size += span.size;
  }
  std::string out;
  out.reserve(size);
  for (const MetricDef& def : metricTable()) {
    // The skeleton's dataplane was cut out: rest has none of these.
    if (def.id == kFirstDataplane && dataplane != nullptr) {
      append(out, dataplaneRendered, dataplaneSpan_);
    }
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
      return entry.second->series[i].size > 0;
    });
    if (!any) continue;
    appendMetricHeader(out, def);
    for (const auto& [key, text] : servers) append(out, text->rendered, text->series[i]);
  }
  // Every span now points into `out`, the next render's text_.
  for (const auto& [key, text] : servers) text->rendered = false;
  return out;
}

}  // namespace vigil::monitor
