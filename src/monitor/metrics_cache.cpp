#include "monitor/metrics_cache.h"

#include <functional>
#include <string_view>

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

void MetricsCache::sync(const MonitorView& view) {
  Key key;
  for (const WorkerStatus& worker : view.workers) {
    if (!hasCurrentSnapshot(worker)) continue;
    key.emplace_back(worker.name, std::make_pair(std::hash<std::string_view>{}(worker.lastSnapshot),
                                                 worker.lastSnapshot.size()));
  }
  if (synced_ && key == key_ && view.checkDuration == checkDuration_) return;
  key_ = std::move(key);
  checkDuration_ = view.checkDuration;
  synced_ = true;
  text_.reset();
  gzipDeflated_.reset();
  jsonValid_ = false;
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
