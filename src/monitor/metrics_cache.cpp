#include "monitor/metrics_cache.h"

#include "monitor/health.h"
#include "monitor/metric_set.h"
#include "monitor/metrics_json.h"
#include "monitor/snapshot_metrics.h"

namespace vigil::monitor {
namespace {

// zlib's fastest level: the kept part is compressed once per snapshot, the
// per-call part is a few lines; level 1 already shrinks this repetitive
// text about tenfold.
constexpr int kGzipLevel = 1;

}  // namespace

bool MetricsCache::keptFor(const MonitorView& view) const {
  if (!synced_ || view.checkDuration != checkDuration_) return false;
  size_t i = 0;
  for (const WorkerStatus& worker : view.workers) {
    if (!hasCurrentSnapshot(worker)) continue;
    if (i == key_.size() || key_[i].worker != worker.name ||
        !key_[i].snapshot.names(worker.lastSnapshot)) {
      return false;
    }
    ++i;
  }
  return i == key_.size();
}

void MetricsCache::sync(const MonitorView& view) {
  if (keptFor(view)) return;
  key_.clear();
  for (const WorkerStatus& worker : view.workers) {
    if (hasCurrentSnapshot(worker)) key_.push_back({worker.name, worker.lastSnapshot.mark()});
  }
  checkDuration_ = view.checkDuration;
  synced_ = true;
  markStale();
}

void MetricsCache::markStale() {
  text_.reset();
  gzipDeflated_.reset();
  jsonValid_ = false;
}

bool MetricsCache::releaseIfStale(const MonitorView& view) {
  if (!synced_ || keptFor(view)) return false;
  // The JSON part is built whole for each snapshot: once the snapshots
  // moved on, nothing of it is reused, whatever the text render would reuse.
  const bool hadJson = !jsonMembers_.empty();
  jsonValid_ = false;
  std::string().swap(jsonMembers_);
  if (renderer_.lastRenderCouldReuseMost()) return hadJson;
  renderer_.release();
  markStale();
  gzip_ = GzipPart{};
  key_.clear();
  synced_ = false;
  return true;
}

const std::shared_ptr<const std::string>& MetricsCache::snapshotText(const MonitorView& view) {
  sync(view);
  if (text_) return text_;
  text_ = renderer_.render(view);
  ++renders_;
  return text_;
}

std::string MetricsCache::Body::joined() const {
  std::string out;
  out.reserve(before.size() + (kept ? kept->size() : 0) + after.size());
  out += before;
  if (kept) out += *kept;
  out += after;
  return out;
}

MetricsCache::Body MetricsCache::textBody(const MonitorView& view) {
  Body body;
  body.before = renderPrometheus(collectWorkerMetrics(view));
  body.kept = snapshotText(view);
  return body;
}

MetricsCache::Body MetricsCache::gzipBody(const MonitorView& view) {
  const std::shared_ptr<const std::string> kept = snapshotText(view);
  if (!gzipDeflated_) {
    gzip_ = GzipPart::deflate(*kept, kGzipLevel);
    gzipDeflated_ = std::make_shared<const std::string>(std::move(gzip_.deflated));
    gzip_.deflated.clear();
  }
  const GzipPart head = GzipPart::deflate(renderPrometheus(collectWorkerMetrics(view)), kGzipLevel);
  Body body;
  body.before = gzipHeadOf(head);
  body.kept = gzipDeflated_;
  body.after = gzipTailOf(head, gzip_);
  return body;
}

std::string MetricsCache::json(const MonitorView& view) {
  sync(view);
  if (!jsonValid_) {
    jsonMembers_ = renderMetricsJsonMembers(collectSnapshotMetrics(view));
    jsonValid_ = true;
    ++jsonRenders_;
  }
  // The two parts name different metrics (as in text()), so their members
  // join into one object.
  const std::string head = renderMetricsJsonMembers(collectWorkerMetrics(view));
  std::string out;
  out.reserve(head.size() + jsonMembers_.size() + 4);
  out += '{';
  out += head;
  if (!head.empty() && !jsonMembers_.empty()) out += ',';
  out += jsonMembers_;
  out += "}\n";
  return out;
}

}  // namespace vigil::monitor
