// What /metrics says of the workers' snapshot channels and of modules that
// failed to load (doc/monitoring.md): an operator's alert reads these, not
// the log.
#include <gtest/gtest.h>

#include <string>

#include "monitor/metric_set.h"
#include "monitor/metrics_cache.h"
#include "monitor/snapshot_metrics.h"
#include "support/monitor_view_builder.h"

namespace vigil::monitor {
namespace {

bool hasLine(const std::string& text, const std::string& line) {
  return ("\n" + text).find("\n" + line + "\n") != std::string::npos;
}

std::string render(const MonitorView& v) { return renderPrometheus(collectMetrics(v)); }

constexpr const char* kCheck = R"({"worker": "check", "virtual_servers": [],
  "modules": {"vigil-http.so": {"loaded": false,
              "error": "vigil-http.so is neither at /a nor at /b"}}})";

TEST(WorkerChannelMetricsTest, RefusedPatchesAndResyncsPerWorker) {
  MonitorView v = test::checkWorkerView(kCheck);
  v.workers[0].patchesRefused = 3;
  v.workers[0].resyncsAsked = 1;
  const std::string text = render(v);
  EXPECT_TRUE(hasLine(text, "# TYPE vigil_worker_snapshot_patches_refused_total counter")) << text;
  EXPECT_TRUE(hasLine(text, R"(vigil_worker_snapshot_patches_refused_total{worker="check"} 3)"));
  EXPECT_TRUE(hasLine(text, "# TYPE vigil_worker_snapshot_resyncs_total counter"));
  EXPECT_TRUE(hasLine(text, R"(vigil_worker_snapshot_resyncs_total{worker="check"} 1)"));
}

TEST(WorkerChannelMetricsTest, AModuleThatFailedToLoadIsOne) {
  MonitorView v = test::checkWorkerView(kCheck);
  v.snmpModuleFailed = true;
  const std::string text = render(v);
  EXPECT_TRUE(hasLine(text, R"(vigil_check_module_load_failed{module="vigil-http.so"} 1)")) << text;
  EXPECT_TRUE(hasLine(text, "vigil_snmp_module_load_failed 1"));
  v.snmpModuleFailed = false;
  v.workers[0].lastSnapshot =
      R"({"worker": "check", "virtual_servers": [], "modules": {"vigil-http.so": {"loaded": true}}})";
  const std::string loaded = render(v);
  EXPECT_TRUE(hasLine(loaded, R"(vigil_check_module_load_failed{module="vigil-http.so"} 0)"))
      << loaded;
  EXPECT_TRUE(hasLine(loaded, "vigil_snmp_module_load_failed 0"));
}

TEST(WorkerChannelMetricsTest, NoModuleSeriesBeforeAModuleIsNeeded) {
  const std::string text =
      render(test::checkWorkerView(R"({"worker": "check", "virtual_servers": []})"));
  EXPECT_EQ(text.find("module_load_failed"), std::string::npos) << text;
}

// The cached /metrics (worker series rendered per call, the snapshot part
// kept) carries them too.
TEST(WorkerChannelMetricsTest, TheCachedBodyEqualsThePlainOne) {
  MonitorView v = test::checkWorkerView(kCheck);
  v.workers[0].patchesRefused = 2;
  v.snmpModuleFailed = true;
  MetricsCache cache;
  EXPECT_EQ(cache.text(v), render(v));
}

}  // namespace
}  // namespace vigil::monitor
