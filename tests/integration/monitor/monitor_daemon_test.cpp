#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "support/netns.h"
#include "support/run_command.h"
#include "support/test_paths.h"
#include "support/vrrp_lab.h"
#include "support/wait_for.h"

// vigild with a VRRP instance and a checked virtual server in a namespace
// of its own, scraped over HTTP: the metrics parse with the Prometheus
// client library's own parser (python3-prometheus-client) and follow what
// happens: a real server stopping, a worker dying.
namespace vigil::test {
namespace {

using nlohmann::json;
using std::chrono::seconds;

constexpr uint16_t kMonitorPort = 19650;
constexpr uint16_t kPortA = 18181;
constexpr uint16_t kPortB = 18182;
constexpr const char* kVs = "[10.0.0.100]:tcp:80";

std::string rs(uint16_t port) { return "127.0.0.1:" + std::to_string(port); }

// node_exporter's ipvs backend labels for one real server of the service.
std::map<std::string, std::string> backend(uint16_t port) {
  return {
      {"local_address", "10.0.0.100"},       {"local_port", "80"}, {"remote_address", "127.0.0.1"},
      {"remote_port", std::to_string(port)}, {"proto", "TCP"},     {"local_mark", ""}};
}

// One scrape, as the Prometheus client library parsed it.
class Scrape {
 public:
  explicit Scrape(json doc) : doc_(std::move(doc)) {}
  bool ok() const { return doc_.contains("samples"); }
  std::string contentType() const { return doc_.value("content_type", ""); }
  std::string error() const { return doc_.dump(); }
  // Metrics whose labels Prometheus would rename (scrape.py).
  json targetLabelClashes() const { return doc_.value("target_label_clashes", json::array()); }

  // The value of the sample with exactly these labels; nullopt if absent.
  std::optional<double> value(const std::string& name,
                              const std::map<std::string, std::string>& labels) const {
    if (!ok()) return std::nullopt;
    for (const json& s : doc_["samples"]) {
      if (s["name"] != name) continue;
      if (s["labels"].get<std::map<std::string, std::string>>() == labels) {
        return s["value"].get<double>();
      }
    }
    return std::nullopt;
  }

 private:
  json doc_;
};

class MonitorDaemonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!runningAsRoot()) GTEST_SKIP() << "needs root for network namespaces";
    if (runCommand("/usr/bin/python3 -c 'import prometheus_client'").exitCode != 0) {
      GTEST_SKIP() << "python3-prometheus-client is not installed (scripts/deps.sh)";
    }
    ASSERT_TRUE(ns_.ok());
    ASSERT_TRUE(plugLonelyEth0(ns_, "192.0.2.1/24"));
    dir_ = std::filesystem::temp_directory_path() / ("h8-" + ns_.name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override {
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  std::string writeConfig() const {
    std::ostringstream c;
    // userspace: the table is kept in memory (no kernel IPVS needed), so
    // node_ipvs_* show its backends with zero traffic.
    c << "global_defs {\n  dataplane userspace\n  metrics_listen 127.0.0.1:" << kMonitorPort
      << "\n}\n"
      << "vrrp_instance VI_h8 {\n  state BACKUP\n  interface eth0\n  virtual_router_id 58\n"
      << "  version 3\n  priority 150\n  advert_int 0.1\n"
      << "  virtual_ipaddress {\n    192.0.2.58/24\n  }\n}\n"
      << "virtual_server 10.0.0.100 80 {\n  protocol TCP\n  lb_algo rr\n";
    for (uint16_t port : {kPortA, kPortB}) {
      c << "  real_server 127.0.0.1 " << port << " {\n"
        << "    TCP_CHECK {\n      connect_timeout 0.5\n      delay_loop 0.2\n"
        << "      retry 0\n      warmup 0\n    }\n  }\n";
    }
    c << "}\n";
    std::ofstream(path("vigil.conf")) << c.str();
    return path("vigil.conf");
  }

  json helper(const std::string& mode, const std::string& endpoint) const {
    CommandResult r = ns_.exec("/usr/bin/python3 " + std::string(VIGIL_SOURCE_DIR) +
                               "/tests/integration/monitor/scrape.py " + mode +
                               " http://127.0.0.1:" + std::to_string(kMonitorPort) + endpoint);
    json doc = json::parse(r.output, nullptr, false);
    return doc.is_discarded() ? json{{"error", r.output}} : doc;
  }
  Scrape scrape() const { return Scrape(helper("metrics", "/metrics")); }

  bool listening(uint16_t port) const {
    return ns_.exec("ss -ltn | grep -q 127.0.0.1:" + std::to_string(port)).exitCode == 0;
  }

  NetNs ns_{"h8"};
  std::filesystem::path dir_;
};

TEST_F(MonitorDaemonTest, MetricsStatusAndHealthFollowTheDaemon) {
  const std::string config = writeConfig();
  auto serverA = std::make_unique<NsProcess>(ns_, path("a.log"), acceptAndCloseServer(kPortA));
  NsProcess serverB(ns_, path("b.log"), acceptAndCloseServer(kPortB));
  ASSERT_TRUE(serverA->start());
  ASSERT_TRUE(serverB.start());
  ASSERT_TRUE(waitFor(seconds(10), [&] { return listening(kPortA) && listening(kPortB); }));
  NsProcess daemon(ns_, path("vigild.log"), {vigild(), "-n", "-l", "-f", config});
  ASSERT_TRUE(daemon.start());

  // MASTER (nobody else on the link) with both real servers up.
  const std::map<std::string, std::string> master = {{"vrrp_instance", "VI_h8"},
                                                     {"state", "MASTER"}};
  const std::map<std::string, std::string> serverALabels = {{"virtual_server", kVs},
                                                            {"real_server", rs(kPortA)}};
  ASSERT_TRUE(waitFor(seconds(15),
                      [&] {
                        Scrape s = scrape();
                        return s.value("vigil_vrrp_instance_state", master) == 1.0 &&
                               s.value("vigil_real_server_up", serverALabels) == 1.0 &&
                               s.value("vigil_virtual_server_real_servers_up",
                                       {{"virtual_server", kVs}}) == 2.0;
                      }))
      << scrape().error() << daemon.log();

  Scrape up = scrape();
  ASSERT_TRUE(up.ok()) << up.error();
  EXPECT_EQ(up.contentType(), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(up.targetLabelClashes(), json::array());
  EXPECT_EQ(
      up.value("vigil_vrrp_instance_state", {{"vrrp_instance", "VI_h8"}, {"state", "BACKUP"}}),
      0.0);
  EXPECT_EQ(up.value("vigil_vrrp_instance_priority", {{"vrrp_instance", "VI_h8"}}), 150.0);
  EXPECT_GE(
      up.value("vigil_vrrp_instance_transitions_total", {{"vrrp_instance", "VI_h8"}}).value_or(0),
      1.0);
  EXPECT_GT(
      up.value("vigil_vrrp_instance_adverts_sent_total", {{"vrrp_instance", "VI_h8"}}).value_or(0),
      0.0);
  const double now =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  const double lastTransition = up.value("vigil_vrrp_instance_last_transition_timestamp_seconds",
                                         {{"vrrp_instance", "VI_h8"}})
                                    .value_or(0);
  EXPECT_GT(lastTransition, now - 60);
  EXPECT_LT(lastTransition, now + 5);
  EXPECT_EQ(up.value("vigil_worker_up", {{"worker", "vrrp"}}), 1.0);
  EXPECT_EQ(up.value("vigil_worker_up", {{"worker", "check"}}), 1.0);
  EXPECT_EQ(up.value("vigil_config_generation", {}), 1.0);

  // The check worker's dataplane counters (read every 2 s) and probe times.
  EXPECT_TRUE(waitFor(seconds(10), [&] {
    Scrape s = scrape();
    return s.value("node_ipvs_backend_weight", backend(kPortA)) == 1.0 &&
           s.value("node_ipvs_backend_weight", backend(kPortB)) == 1.0;
  })) << scrape().error();
  up = scrape();
  EXPECT_EQ(up.value("node_ipvs_connections_total", {}), 0.0);
  EXPECT_EQ(up.value("node_ipvs_incoming_bytes_total", {}), 0.0);
  EXPECT_EQ(up.value("node_ipvs_backend_connections_active", backend(kPortA)), 0.0);
  EXPECT_GE(
      up.value("vigil_check_duration_seconds_count",
               {{"virtual_server", kVs}, {"real_server", rs(kPortA)}, {"checker", "TCP_CHECK"}})
          .value_or(0),
      1.0);
  // The check worker's pacing: the cap is at least 256 starts per tick.
  EXPECT_GE(up.value("vigil_check_starts_per_tick_limit", {}).value_or(0), 256.0);
  EXPECT_TRUE(up.value("vigil_check_deferred_starts_total", {}).has_value());
  EXPECT_TRUE(up.value("vigil_check_late_timeouts_total", {}).has_value());

  ASSERT_TRUE(waitFor(seconds(5), [&] { return helper("get", "/healthz")["status"] == 200; }))
      << helper("get", "/healthz").dump();
  json status = helper("get", "/status");
  EXPECT_EQ(status["content_type"], "application/json");
  json statusDoc = json::parse(status.value("body", ""), nullptr, false);
  ASSERT_TRUE(statusDoc.is_object()) << status.dump();
  EXPECT_EQ(statusDoc["generation"], 1);
  ASSERT_EQ(statusDoc["workers"].size(), 2u);
  EXPECT_EQ(statusDoc["workers"][0]["snapshot"]["instances"][0]["name"], "VI_h8");
  EXPECT_EQ(helper("get", "/nope")["status"], 404);
  EXPECT_EQ(helper("post", "/metrics")["status"], 405);

  // Real server A stops: its series go down, its failures are counted.
  serverA->killGroup();
  serverA.reset();
  EXPECT_TRUE(waitFor(seconds(10), [&] {
    Scrape s = scrape();
    return s.value("vigil_real_server_up", serverALabels) == 0.0 &&
           s.value("vigil_virtual_server_real_servers_up", {{"virtual_server", kVs}}) == 1.0 &&
           s.value("vigil_real_server_check_failures_total", {{"virtual_server", kVs},
                                                              {"real_server", rs(kPortA)},
                                                              {"checker", "TCP_CHECK"},
                                                              {"reason", "refused"}})
                   .value_or(0) > 0;
  })) << scrape().error();
  EXPECT_EQ(scrape().value("vigil_real_server_up",
                           {{"virtual_server", kVs}, {"real_server", rs(kPortB)}}),
            1.0);
  // A real server that is down leaves the table, and so node_ipvs_*.
  EXPECT_TRUE(waitFor(seconds(10), [&] {
    Scrape s = scrape();
    return !s.value("node_ipvs_backend_weight", backend(kPortA)) &&
           s.value("node_ipvs_backend_weight", backend(kPortB)) == 1.0;
  })) << scrape().error();

  // The VRRP worker dies: /healthz says so until its successor reports.
  const pid_t vrrpPid = statusDoc["workers"][0]["pid"].get<pid_t>();
  ASSERT_GT(vrrpPid, 0);
  ::kill(vrrpPid, SIGKILL);
  EXPECT_TRUE(waitFor(seconds(5), [&] {
    json health = helper("get", "/healthz");
    return health["status"] == 503 &&
           health.value("body", "").find("vrrp worker: ") != std::string::npos;
  }));
  EXPECT_TRUE(waitFor(seconds(15), [&] {
    return helper("get", "/healthz")["status"] == 200 &&
           scrape().value("vigil_worker_restarts_total", {{"worker", "vrrp"}}) == 1.0;
  })) << helper("get", "/healthz").dump();

  daemon.signal(SIGTERM);
  EXPECT_TRUE(daemon.reap(seconds(10))) << daemon.log();
}

}  // namespace
}  // namespace vigil::test
