#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "monitor/gzip_parts.h"
#include "monitor/metric_set.h"
#include "monitor/snapshot_metrics.h"
#include "monitor/snapshot_renderer.h"

// SnapshotRenderer keeps each kept piece's deflated form beside its text:
// a new snapshot deflates only the real servers whose series changed (and
// the pieces right after them), plus the small text rendered afresh.
namespace vigil::monitor {
namespace {

using std::chrono::seconds;

// `attempts.size()` real servers over two virtual servers; server i probed
// attempts[i] times (its failures and duration count follow).
std::string checkSnapshot(const std::vector<int>& attempts) {
  std::string s = R"({"worker": "check", "virtual_servers": [)";
  for (size_t v = 0; v < 2; ++v) {
    if (v > 0) s += ',';
    s += R"({"name": "[10.0.0.)" + std::to_string(v) +
         R"(]:tcp:80", "quorum_up": true, "sorry_server_active": false, "real_servers": [)";
    for (size_t i = v; i < attempts.size(); i += 2) {
      if (i > v) s += ',';
      const std::string n = std::to_string(attempts[i]);
      s += R"({"address": "10.1.0.)" + std::to_string(i) +
           R"(", "port": 80, "up": true, "weight": 1, "checkers": [{"type": "TCP_CHECK",
             "attempts": )" +
           n + R"(, "outcomes": {"up": )" + n + R"(, "timeout": 1},
             "duration": {"bounds": [0.001, 0.1], "cumulative": [1, )" +
           n + R"(], "count": )" + n + R"(, "sum_seconds": 0.5}}]})";
    }
    s += "]}";
  }
  return s + "]}";
}

std::string vrrpSnapshot(int priority) {
  return R"({"worker": "vrrp", "instances": [{"name": "VI_1", "state": "MASTER", "priority": )" +
         std::to_string(priority) + R"(, "effective_priority": 100}]})";
}

WorkerStatus worker(std::string name, std::string snapshot) {
  WorkerStatus w;
  w.name = std::move(name);
  w.running = true;
  w.startedAt = TimePoint{seconds(10)};
  w.lastHeard = TimePoint{seconds(99)};
  w.lastSnapshotAt = TimePoint{seconds(99)};
  w.lastSnapshot = std::move(snapshot);
  return w;
}

MonitorView view(const std::vector<int>& attempts, int priority = 100) {
  MonitorView v;
  v.now = TimePoint{seconds(100)};
  v.wallNowSeconds = 1700000000;
  v.workers = {worker("vrrp", vrrpSnapshot(priority)), worker("check", checkSnapshot(attempts))};
  return v;
}

std::string freshRender(const MonitorView& v) {
  return renderPrometheus(collectSnapshotMetrics(v));
}

// What the renderer's kept pieces deflate to, as one gzip member.
std::string gzipOf(SnapshotRenderer& renderer, const std::string& text, PartDeflater& deflater) {
  return gzipJoin(GzipPart{}, renderer.deflate(text, deflater));
}

// Each real server's series: up, weight, attempts, failures, duration.
constexpr size_t kPiecesPerServer = 5;

TEST(SnapshotGzipPiecesTest, ANewSnapshotDeflatesOnlyTheChangedServersPieces) {
  SnapshotRenderer renderer;
  PartDeflater deflater(1);
  std::vector<int> attempts(20, 7);
  MonitorView v = view(attempts);
  std::string text = renderer.render(v);
  EXPECT_EQ(gunzip(gzipOf(renderer, text, deflater)), freshRender(v));
  const size_t first = renderer.deflatedPieces();
  EXPECT_GE(first, attempts.size() * kPiecesPerServer);

  // A new VRRP snapshot: no real server changed, so only the text rendered
  // afresh around the kept pieces (and a kept piece right after changed
  // text) is deflated.
  v = view(attempts, 101);
  text = renderer.render(v);
  EXPECT_EQ(gunzip(gzipOf(renderer, text, deflater)), freshRender(v));
  const size_t fresh = renderer.deflatedPieces() - first;
  EXPECT_GT(fresh, 0u);
  EXPECT_LT(fresh, 20u);

  // Two servers probed since: their pieces too, and those right after
  // theirs (deflated with the text before them as dictionary), no other's.
  attempts[3] = 8;
  attempts[14] = 9;
  v = view(attempts, 101);
  text = renderer.render(v);
  const size_t before = renderer.deflatedPieces();
  const std::string compressed = gzipOf(renderer, text, deflater);
  EXPECT_EQ(gunzip(compressed), freshRender(v));
  const size_t changed = renderer.deflatedPieces() - before;
  EXPECT_GE(changed, 2 * kPiecesPerServer);
  EXPECT_LE(changed, fresh + 4 * kPiecesPerServer);
  EXPECT_LT(compressed.size(), text.size() / 3);
}

TEST(SnapshotGzipPiecesTest, TheSameRenderDeflatesNothingTwice) {
  SnapshotRenderer renderer;
  PartDeflater deflater(1);
  const MonitorView v = view(std::vector<int>(6, 7));
  const std::string text = renderer.render(v);
  const std::string first = gzipOf(renderer, text, deflater);
  const size_t pieces = renderer.deflatedPieces();
  EXPECT_EQ(renderer.render(v), text);
  EXPECT_EQ(gzipOf(renderer, text, deflater), first);
  // Only the text rendered afresh around the kept pieces.
  EXPECT_LT(renderer.deflatedPieces() - pieces, 20u);
}

TEST(SnapshotGzipPiecesTest, AServerListedTwiceFallsBackToAPlainRenderThatStillInflates) {
  SnapshotRenderer renderer;
  PartDeflater deflater(1);
  std::vector<int> attempts(4, 7);
  std::string text = renderer.render(view(attempts));
  (void)gzipOf(renderer, text, deflater);
  MonitorView v = view(attempts);
  // A second check snapshot with the same servers: their series merge.
  v.workers.push_back(worker("check2", checkSnapshot(attempts)));
  text = renderer.render(v);
  EXPECT_EQ(gunzip(gzipOf(renderer, text, deflater)), freshRender(v));
  // And back: kept pieces deflate again where what precedes them changed.
  const MonitorView back = view(attempts);
  text = renderer.render(back);
  EXPECT_EQ(gunzip(gzipOf(renderer, text, deflater)), freshRender(back));
}

}  // namespace
}  // namespace vigil::monitor
