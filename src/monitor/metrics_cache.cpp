#include "monitor/metrics_cache.h"

#include <functional>
#include <string_view>

#include "monitor/health.h"
#include "monitor/metric_set.h"
#include "monitor/snapshot_metrics.h"

namespace vigil::monitor {
namespace {

// zlib's fastest level: the kept part is compressed once per snapshot, the
// per-call part is a few lines; level 1 already shrinks this repetitive
// text about tenfold.
constexpr int kGzipLevel = 1;

}  // namespace

const std::string& MetricsCache::snapshotText(const MonitorView& view) {
  Key key;
  for (const WorkerStatus& worker : view.workers) {
    if (!hasCurrentSnapshot(worker)) continue;
    key.emplace_back(worker.name, std::make_pair(std::hash<std::string_view>{}(worker.lastSnapshot),
                                                 worker.lastSnapshot.size()));
  }
  if (valid_ && key == key_ && view.checkDuration == checkDuration_) return text_;
  text_ = renderer_.render(view);
  key_ = std::move(key);
  checkDuration_ = view.checkDuration;
  valid_ = true;
  gzipValid_ = false;
  ++renders_;
  return text_;
}

std::string MetricsCache::text(const MonitorView& view) {
  std::string out = renderPrometheus(collectWorkerMetrics(view));
  const std::string& kept = snapshotText(view);
  out.reserve(out.size() + kept.size());
  out += kept;
  return out;
}

std::string MetricsCache::gzip(const MonitorView& view) {
  const std::string& kept = snapshotText(view);
  if (!gzipValid_) {
    gzip_ = GzipPart::deflate(kept, kGzipLevel);
    gzipValid_ = true;
  }
  const std::string head = renderPrometheus(collectWorkerMetrics(view));
  return gzipJoin(GzipPart::deflate(head, kGzipLevel), gzip_);
}

}  // namespace vigil::monitor
