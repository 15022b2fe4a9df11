#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "monitor/metric_set.h"
#include "monitor/snapshot_metrics.h"

// The half-open TCP_CHECK prober's counters, from the check worker's
// snapshot ("tcp_syn") to vigil_check_syn_*_total.
namespace vigil::monitor {
namespace {

using std::chrono::seconds;

MonitorView checkWorkerSaying(const std::string& snapshot) {
  MonitorView view;
  view.generation = 1;
  view.now = TimePoint{seconds(10)};
  WorkerStatus check;
  check.name = "check";
  check.running = true;
  check.startedAt = TimePoint{seconds(1)};
  check.lastHeard = TimePoint{seconds(10)};
  check.lastSnapshotAt = TimePoint{seconds(10)};
  check.lastSnapshot = snapshot;
  view.workers = {check};
  return view;
}

TEST(SnapshotSynMetricsTest, ProberCountersBecomeTotals) {
  const std::string text = renderPrometheus(collectMetrics(checkWorkerSaying(
      R"({"worker": "check", "virtual_servers": [], "tcp_syn": {"syns_sent": 12,
          "retransmits": 4, "syn_acks": 6, "resets": 1, "timeouts": 2, "replies_dropped": 3,
          "send_errors": 5}})")));
  for (const char* line :
       {"vigil_check_syn_sent_total 12", "vigil_check_syn_retransmits_total 4",
        "vigil_check_syn_synacks_total 6", "vigil_check_syn_resets_total 1",
        "vigil_check_syn_timeouts_total 2", "vigil_check_syn_replies_dropped_total 3",
        "vigil_check_syn_send_errors_total 5", "# TYPE vigil_check_syn_sent_total counter"}) {
    EXPECT_NE(text.find(std::string("\n") + line + "\n"), std::string::npos) << line;
  }
}

TEST(SnapshotSynMetricsTest, NoSeriesWithoutAProber) {
  const MetricSet metrics =
      collectMetrics(checkWorkerSaying(R"({"worker": "check", "virtual_servers": []})"));
  EXPECT_TRUE(metrics.samples(MetricId::CheckSynSent).empty());
  EXPECT_TRUE(metrics.samples(MetricId::CheckSynSendErrors).empty());
}

}  // namespace
}  // namespace vigil::monitor
