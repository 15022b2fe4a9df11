#include "monitor/snapshot_metrics.h"

#include <gtest/gtest.h>

#include "monitor/metric_set.h"

namespace vigil::monitor {
namespace {

using std::chrono::seconds;

// Shaped like VrrpWorker::snapshot() and CheckWorker::snapshot().
constexpr const char* kVrrpSnapshot = R"({
  "worker": "vrrp", "pid": 11, "generation": 2, "config": "/etc/vigil.conf",
  "instances": [
    {"name": "VI_1", "state": "MASTER", "vrid": 51, "priority": 100, "effective_priority": 110,
     "counters": {"adverts_sent": 40, "adverts_received": 2, "send_errors": 0, "transitions": 2,
                  "unknown_unicast_source": 0, "rejected": {"bad_ttl": 3},
                  "became_master": 1, "priority_zero_sent": 0, "priority_zero_received": 1,
                  "takeovers_held": 2, "last_transition_ms_ago": 1500,
                  "last_transition_unix": 1699999990.25}},
    {"name": "VI_2", "state": "NOT_RUNNING", "error": "no such interface"}
  ],
  "sync_groups": [{"name": "G1", "state": "MASTER", "takeovers_held": 2}],
  "sockets": [{"interface": "eth0", "family": "inet", "rejected": {"unknown_vrid": 5},
               "quiet_adverts": 12, "quiet_drains": 4}],
  "loop_lateness": {"bounds": [0.001, 0.01, 1], "cumulative": [7, 9, 10], "count": 11,
                    "sum_seconds": 2.5}
})";

constexpr const char* kCheckSnapshot = R"({
  "worker": "check", "pid": 12, "generation": 2,
  "virtual_servers": [
    {"name": "[10.0.0.100]:tcp:80", "quorum_up": true, "live_weight": 1, "quorum": 1,
     "hysteresis": 0, "sorry_server_active": false,
     "real_servers": [
       {"address": "10.0.0.1", "port": 80, "up": true, "weight": 1, "configured_weight": 1,
        "checkers": [{"type": "TCP_CHECK", "running": true, "up": true, "attempts": 9,
                      "outcomes": {"up": 9}}]},
       {"address": "2001:db8::2", "port": 80, "up": false, "weight": 0, "configured_weight": 1,
        "checkers": [{"type": "TCP_CHECK", "attempts": 4, "outcomes": {"refused": 3, "up": 1}},
                     {"type": "TCP_CHECK", "attempts": 4, "outcomes": {"timeout": 4}}]}
     ]}
  ]
})";

MonitorView fixedView() {
  MonitorView view;
  view.generation = 2;
  view.now = TimePoint{seconds(100)};
  view.wallNowSeconds = 1700000000;
  WorkerStatus vrrp;
  vrrp.name = "vrrp";
  vrrp.running = true;
  vrrp.startedAt = TimePoint{seconds(10)};
  vrrp.lastHeard = TimePoint{seconds(99)};
  vrrp.lastSnapshotAt = TimePoint{seconds(99)};  // the snapshot is 1 s old
  vrrp.lastSnapshot = kVrrpSnapshot;
  WorkerStatus check;
  check.name = "check";
  check.running = true;
  check.restarts = 1;
  check.startedAt = TimePoint{seconds(50)};
  check.lastHeard = TimePoint{seconds(100)};
  check.lastSnapshotAt = TimePoint{seconds(100)};
  check.lastSnapshot = kCheckSnapshot;
  view.workers = {vrrp, check};
  return view;
}

// Drops HELP and TYPE lines: the samples are what this test pins.
std::string samplesOnly(const std::string& text) {
  std::string out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    std::string line = text.substr(start, end - start + 1);
    if (line[0] != '#') out += line;
    start = end + 1;
  }
  return out;
}

TEST(SnapshotMetricsTest, FixedSnapshotsRenderExactly) {
  EXPECT_EQ(
      samplesOnly(renderPrometheus(collectMetrics(fixedView()))),
      "vigil_config_generation 2\n"
      "vigil_worker_up{worker=\"check\"} 1\n"
      "vigil_worker_up{worker=\"vrrp\"} 1\n"
      "vigil_worker_restarts_total{worker=\"check\"} 1\n"
      "vigil_worker_restarts_total{worker=\"vrrp\"} 0\n"
      "vigil_worker_snapshot_age_seconds{worker=\"check\"} 0\n"
      "vigil_worker_snapshot_age_seconds{worker=\"vrrp\"} 1\n"
      "vigil_worker_snapshot_patches_refused_total{worker=\"check\"} 0\n"
      "vigil_worker_snapshot_patches_refused_total{worker=\"vrrp\"} 0\n"
      "vigil_worker_snapshot_resyncs_total{worker=\"check\"} 0\n"
      "vigil_worker_snapshot_resyncs_total{worker=\"vrrp\"} 0\n"
      "vigil_vrrp_instance_state{vrrp_instance=\"VI_1\",state=\"BACKUP\"} 0\n"
      "vigil_vrrp_instance_state{vrrp_instance=\"VI_1\",state=\"FAULT\"} 0\n"
      "vigil_vrrp_instance_state{vrrp_instance=\"VI_1\",state=\"INIT\"} 0\n"
      "vigil_vrrp_instance_state{vrrp_instance=\"VI_1\",state=\"MASTER\"} 1\n"
      "vigil_vrrp_instance_state{vrrp_instance=\"VI_1\",state=\"NOT_RUNNING\"} 0\n"
      "vigil_vrrp_instance_state{vrrp_instance=\"VI_2\",state=\"BACKUP\"} 0\n"
      "vigil_vrrp_instance_state{vrrp_instance=\"VI_2\",state=\"FAULT\"} 0\n"
      "vigil_vrrp_instance_state{vrrp_instance=\"VI_2\",state=\"INIT\"} 0\n"
      "vigil_vrrp_instance_state{vrrp_instance=\"VI_2\",state=\"MASTER\"} 0\n"
      "vigil_vrrp_instance_state{vrrp_instance=\"VI_2\",state=\"NOT_RUNNING\"} 1\n"
      "vigil_vrrp_instance_priority{vrrp_instance=\"VI_1\"} 110\n"
      "vigil_vrrp_instance_configured_priority{vrrp_instance=\"VI_1\"} 100\n"
      "vigil_vrrp_instance_transitions_total{vrrp_instance=\"VI_1\"} 2\n"
      // The system clock's reading at the transition, not the age.
      "vigil_vrrp_instance_last_transition_timestamp_seconds{vrrp_instance=\"VI_1\"} "
      "1699999990.25\n"
      "vigil_vrrp_instance_adverts_sent_total{vrrp_instance=\"VI_1\"} 40\n"
      "vigil_vrrp_instance_adverts_received_total{vrrp_instance=\"VI_1\"} 2\n"
      "vigil_vrrp_instance_send_errors_total{vrrp_instance=\"VI_1\"} 0\n"
      "vigil_vrrp_instance_master_transitions_total{vrrp_instance=\"VI_1\"} 1\n"
      "vigil_vrrp_instance_priority_zero_adverts_sent_total{vrrp_instance=\"VI_1\"} 0\n"
      "vigil_vrrp_instance_priority_zero_adverts_received_total{vrrp_instance=\"VI_1\"} 1\n"
      "vigil_vrrp_instance_received_errors_total{vrrp_instance=\"VI_1\",reason=\"bad_ttl\"} 3\n"
      "vigil_vrrp_socket_received_errors_total{interface=\"eth0\",family=\"inet\","
      "reason=\"unknown_vrid\"} 5\n"
      "vigil_vrrp_socket_quiet_adverts_total{interface=\"eth0\",family=\"inet\"} 12\n"
      "vigil_vrrp_socket_quiet_drains_total{interface=\"eth0\",family=\"inet\"} 4\n"
      "vigil_vrrp_sync_group_state{group=\"G1\",state=\"BACKUP\"} 0\n"
      "vigil_vrrp_sync_group_state{group=\"G1\",state=\"FAULT\"} 0\n"
      "vigil_vrrp_sync_group_state{group=\"G1\",state=\"INIT\"} 0\n"
      "vigil_vrrp_sync_group_state{group=\"G1\",state=\"MASTER\"} 1\n"
      "vigil_vrrp_sync_group_takeovers_held_total{group=\"G1\"} 2\n"
      "vigil_vrrp_loop_lateness_seconds_bucket{le=\"0.001\"} 7\n"
      "vigil_vrrp_loop_lateness_seconds_bucket{le=\"0.01\"} 9\n"
      "vigil_vrrp_loop_lateness_seconds_bucket{le=\"1\"} 10\n"
      "vigil_vrrp_loop_lateness_seconds_bucket{le=\"+Inf\"} 11\n"
      "vigil_vrrp_loop_lateness_seconds_sum 2.5\n"
      "vigil_vrrp_loop_lateness_seconds_count 11\n"
      "vigil_real_server_up{virtual_server=\"[10.0.0.100]:tcp:80\","
      "real_server=\"10.0.0.1:80\"} 1\n"
      "vigil_real_server_up{virtual_server=\"[10.0.0.100]:tcp:80\","
      "real_server=\"[2001:db8::2]:80\"} 0\n"
      "vigil_real_server_weight{virtual_server=\"[10.0.0.100]:tcp:80\","
      "real_server=\"10.0.0.1:80\"} 1\n"
      "vigil_real_server_weight{virtual_server=\"[10.0.0.100]:tcp:80\","
      "real_server=\"[2001:db8::2]:80\"} 0\n"
      "vigil_real_server_check_attempts_total{virtual_server=\"[10.0.0.100]:tcp:80\","
      "real_server=\"10.0.0.1:80\",checker=\"TCP_CHECK\"} 9\n"
      // Two checkers of one type add up.
      "vigil_real_server_check_attempts_total{virtual_server=\"[10.0.0.100]:tcp:80\","
      "real_server=\"[2001:db8::2]:80\",checker=\"TCP_CHECK\"} 8\n"
      "vigil_real_server_check_failures_total{virtual_server=\"[10.0.0.100]:tcp:80\","
      "real_server=\"[2001:db8::2]:80\",checker=\"TCP_CHECK\",reason=\"refused\"} 3\n"
      "vigil_real_server_check_failures_total{virtual_server=\"[10.0.0.100]:tcp:80\","
      "real_server=\"[2001:db8::2]:80\",checker=\"TCP_CHECK\",reason=\"timeout\"} 4\n"
      "vigil_virtual_server_real_servers_up{virtual_server=\"[10.0.0.100]:tcp:80\"} 1\n"
      "vigil_virtual_server_real_servers{virtual_server=\"[10.0.0.100]:tcp:80\"} 2\n"
      "vigil_virtual_server_quorum_up{virtual_server=\"[10.0.0.100]:tcp:80\"} 1\n"
      "vigil_virtual_server_sorry_server_active{virtual_server=\"[10.0.0.100]:tcp:80\"} "
      "0\n");
}

TEST(SnapshotMetricsTest, DeadWorkerShowsDownWithoutItsStaleSnapshot) {
  MonitorView view = fixedView();
  view.workers[0].running = false;
  const std::string text = renderPrometheus(collectMetrics(view));
  EXPECT_NE(text.find("vigil_worker_up{worker=\"vrrp\"} 0\n"), std::string::npos);
  EXPECT_EQ(text.find("vigil_vrrp_instance_state"), std::string::npos);
  EXPECT_NE(text.find("vigil_real_server_up"), std::string::npos);
}

TEST(SnapshotMetricsTest, RestartedWorkerHidesTheOldProcessSnapshot) {
  MonitorView view = fixedView();
  // Its Hello came after it started; no snapshot yet.
  view.workers[0].startedAt = TimePoint{seconds(99) + std::chrono::milliseconds(500)};
  view.workers[0].lastHeard = TimePoint{seconds(99) + std::chrono::milliseconds(600)};
  EXPECT_EQ(renderPrometheus(collectMetrics(view)).find("vigil_vrrp_instance_state"),
            std::string::npos);
}

TEST(SnapshotMetricsTest, MalformedSnapshotYieldsOnlyWorkerMetrics) {
  MonitorView view = fixedView();
  view.workers[0].lastSnapshot = "{not json";
  view.workers[1].lastSnapshot = R"({"virtual_servers": [{"name": 5, "real_servers": "x"}]})";
  const std::string text = renderPrometheus(collectMetrics(view));
  EXPECT_NE(text.find("vigil_worker_up{worker=\"vrrp\"} 1\n"), std::string::npos);
  EXPECT_EQ(text.find("vigil_vrrp_"), std::string::npos);
  EXPECT_EQ(text.find("vigil_real_server_"), std::string::npos);
}

}  // namespace
}  // namespace vigil::monitor

namespace vigil::monitor {
namespace {

TEST(SnapshotMetricsTest, UnknownUnicastSourcesCountAsAReceivedErrorReason) {
  MonitorView view = fixedView();
  view.workers[0].lastSnapshot =
      R"({"instances": [{"name": "VI_1", "state": "BACKUP",
          "counters": {"unknown_unicast_source": 4, "rejected": {"bad_ttl": 1}}}]})";
  const MetricSet metrics = collectMetrics(view);
  const auto& samples = metrics.samples(MetricId::VrrpInstanceRejected);
  ASSERT_EQ(samples.size(), 2u);
  EXPECT_EQ(samples.at({"VI_1", "unknown_unicast_source"}), 4);
  EXPECT_EQ(samples.at({"VI_1", "bad_ttl"}), 1);
}

}  // namespace
}  // namespace vigil::monitor

namespace vigil::monitor {
namespace {

TEST(SnapshotMetricsTest, LastTransitionFromItsAgeWhenNoWallTimeIsSent) {
  MonitorView view = fixedView();
  view.workers[0].lastSnapshot =
      R"({"instances": [{"name": "VI_1", "state": "MASTER",
          "counters": {"last_transition_ms_ago": 1500}}]})";
  // 1 s old snapshot, transition 1.5 s before it.
  EXPECT_EQ(collectMetrics(view).samples(MetricId::VrrpInstanceLastTransition).at({"VI_1"}),
            1699999997.5);
}

TEST(SnapshotMetricsTest, MalformedLatenessHistogramIsLeftOut) {
  MonitorView view = fixedView();
  view.workers[0].lastSnapshot =
      R"({"loop_lateness": {"bounds": [0.1, 1], "cumulative": [3], "count": 3,
                            "sum_seconds": 0}})";
  EXPECT_TRUE(collectMetrics(view).histograms(MetricId::VrrpLoopLateness).empty());
}

}  // namespace
}  // namespace vigil::monitor

namespace vigil::monitor {
namespace {

// A check snapshot with probe durations and dataplane counters, as
// CheckWorker writes them (DurationHistogram, StatsPoller).
constexpr const char* kCheckWithStats = R"({
  "worker": "check",
  "virtual_servers": [
    {"name": "[10.0.0.1]:tcp:80", "quorum_up": true, "real_servers": [
      {"address": "10.0.0.2", "port": 80, "up": true, "weight": 3, "checkers": [
        {"type": "TCP_CHECK", "attempts": 3, "outcomes": {"up": 3},
         "duration": {"bounds": [0.001, 0.025], "cumulative": [1, 2], "count": 3,
                      "sum_seconds": 0.5}},
        {"type": "TCP_CHECK", "attempts": 1, "outcomes": {"up": 1},
         "duration": {"bounds": [0.001, 0.025], "cumulative": [0, 1], "count": 1,
                      "sum_seconds": 0.25}}]}]}],
  "dataplane": {"backend": "memory", "stats": {"services": [
    {"name": "TCP  10.0.0.1:80", "protocol": "TCP", "address": "10.0.0.1", "port": 80,
     "connections": 5, "in_packets": 50, "out_packets": 40, "in_bytes": 5000, "out_bytes": 4000,
     "destinations": [{"name": "10.0.0.2:80", "address": "10.0.0.2", "port": 80, "weight": 3,
                       "active_connections": 2, "inactive_connections": 1}]},
    {"name": "FWM  10", "protocol": "FWM", "fwmark": 10, "connections": 1, "in_packets": 2,
     "out_packets": 3, "in_bytes": 4, "out_bytes": 6,
     "destinations": [{"name": "10.0.0.3:0", "address": "10.0.0.3", "port": 0, "weight": 1,
                       "active_connections": 0, "inactive_connections": 0}]}]}}
})";

std::string renderCheck(const char* snapshot) {
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
  return renderPrometheus(collectMetrics(view));
}

bool hasLine(const std::string& text, const std::string& line) {
  return text.find("\n" + line + "\n") != std::string::npos;
}

TEST(SnapshotMetricsTest, CheckDurationsOfOneTypeAddIntoOneHistogram) {
  const std::string text = renderCheck(kCheckWithStats);
  const std::string labels =
      "virtual_server=\"[10.0.0.1]:tcp:80\",real_server=\"10.0.0.2:80\",checker=\"TCP_CHECK\"";
  EXPECT_TRUE(hasLine(text, "# TYPE vigil_check_duration_seconds histogram")) << text;
  EXPECT_TRUE(hasLine(text, "vigil_check_duration_seconds_bucket{" + labels + ",le=\"0.001\"} 1"))
      << text;
  EXPECT_TRUE(hasLine(text, "vigil_check_duration_seconds_bucket{" + labels + ",le=\"0.025\"} 3"));
  EXPECT_TRUE(hasLine(text, "vigil_check_duration_seconds_bucket{" + labels + ",le=\"+Inf\"} 4"));
  EXPECT_TRUE(hasLine(text, "vigil_check_duration_seconds_sum{" + labels + "} 0.75"));
  EXPECT_TRUE(hasLine(text, "vigil_check_duration_seconds_count{" + labels + "} 4"));
}

TEST(SnapshotMetricsTest, IpvsCountersUseNodeExportersNamesAndLabels) {
  const std::string text = renderCheck(kCheckWithStats);
  EXPECT_TRUE(hasLine(text, "# TYPE node_ipvs_connections_total counter")) << text;
  EXPECT_TRUE(hasLine(text, "node_ipvs_connections_total 6"));
  EXPECT_TRUE(hasLine(text, "node_ipvs_incoming_packets_total 52"));
  EXPECT_TRUE(hasLine(text, "node_ipvs_outgoing_packets_total 43"));
  EXPECT_TRUE(hasLine(text, "node_ipvs_incoming_bytes_total 5004"));
  EXPECT_TRUE(hasLine(text, "node_ipvs_outgoing_bytes_total 4006"));
  const std::string tcp =
      "{local_address=\"10.0.0.1\",local_port=\"80\",remote_address=\"10.0.0.2\","
      "remote_port=\"80\",proto=\"TCP\",local_mark=\"\"}";
  EXPECT_TRUE(hasLine(text, "node_ipvs_backend_connections_active" + tcp + " 2"));
  EXPECT_TRUE(hasLine(text, "node_ipvs_backend_connections_inactive" + tcp + " 1"));
  EXPECT_TRUE(hasLine(text, "node_ipvs_backend_weight" + tcp + " 3"));
  // A fwmark service as /proc/net/ip_vs names it: no address, port 0, the
  // mark in %08X.
  EXPECT_TRUE(hasLine(text,
                      "node_ipvs_backend_weight{local_address=\"\",local_port=\"0\","
                      "remote_address=\"10.0.0.3\",remote_port=\"0\",proto=\"FWM\","
                      "local_mark=\"0000000A\"} 1"))
      << text;
  EXPECT_TRUE(hasLine(text,
                      "vigil_ipvs_service_connections_total{local_address=\"10.0.0.1\","
                      "local_port=\"80\",proto=\"TCP\",local_mark=\"\"} 5"));
}

TEST(SnapshotMetricsTest, EveryEmittedMetricHasHelpAndType) {
  MonitorView listening = fixedView();
  listening.http = HttpServer::Stats{};  // the vigil_http_* series
  listening.smtp = SmtpMailStats{};      // the vigil_smtp_* series
  listening.snmpModuleFailed = false;    // vigil_snmp_module_load_failed
  // The per-service durations, pacing and half-open TCP_CHECK series.
  MonitorView perService = listening;
  perService.checkDuration = config::CheckDurationMetrics::PerService;
  std::string checkText = kCheckWithStats;
  checkText.back() = ',';
  perService.workers[1].lastSnapshot =
      checkText +
      R"("pacing": {"starts_per_tick_limit": 256, "deferred_starts": 0, "late_timeouts": 0},
          "tcp_syn": {"syns_sent": 1, "retransmits": 0, "syn_acks": 1, "resets": 0,
                      "timeouts": 0, "replies_dropped": 0, "send_errors": 0},
          "modules": {"vigil-http.so": {"loaded": true}}})";
  // The routing install failures, a MASTER's restored virtual routes and
  // the static entries' deletions.
  perService.workers[0].lastSnapshot = R"({"worker": "vrrp", "instances": [{"name": "VI_1",
      "routing": {"install_failures": {"virtual_routes": 0, "virtual_rules": 0}, "failing": [],
                  "restored": {"virtual_routes": 1, "virtual_rules": 0}}}], "static_routing":
      {"install_failures": {"static_routes": 1, "static_rules": 0}, "failing": []},
      "static_deletions": {"restored": {"static_routes": 1}, "notifications_lost": 0,
                           "watch_failures": 0, "resyncs": 0, "resync_failures": 0}})";
  const std::string text = renderPrometheus(collectMetrics(listening)) +
                           renderCheck(kCheckWithStats) +
                           renderPrometheus(collectMetrics(perService));
  for (const MetricDef& def : metricTable()) {
    EXPECT_NE(text.find("# TYPE " + std::string(def.name) + " "), std::string::npos) << def.name;
  }
}

TEST(SnapshotMetricsTest, NoIpvsSeriesWithoutDataplaneCounters) {
  const std::string text = renderCheck(kCheckSnapshot);
  EXPECT_EQ(text.find("node_ipvs_"), std::string::npos);
}

}  // namespace
}  // namespace vigil::monitor
