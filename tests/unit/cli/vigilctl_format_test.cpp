// vigilctl's sources build into its executable only, not a library the
// test binaries link, so the pure parts under test are compiled in here.
#include <gtest/gtest.h>

#include "cli/vigilctl/control_client.cpp"
#include "cli/vigilctl/control_format.cpp"

namespace vigil::cli {
namespace {

using nlohmann::json;

json statusDoc() {
  return json::parse(R"({
    "generation": 3, "config": "/etc/vigil.conf", "healthy": false,
    "problems": ["check: not running"],
    "workers": [
      {"name": "vrrp", "running": true, "pid": 41, "restarts": 0, "snapshot_seconds_ago": 0.25,
       "snapshot": {"worker": "vrrp", "instances": [
         {"name": "VI_1", "state": "MASTER", "vrid": 51, "priority": 100,
          "effective_priority": 110, "interface": "eth0", "master_address": "10.0.0.1",
          "counters": {"transitions": 2}},
         {"name": "VI_2", "state": "NOT_RUNNING", "error": "no interface eth9"}],
        "sync_groups": [{"name": "G1", "state": "MASTER"}]}},
      {"name": "check", "running": false, "pid": 0, "restarts": 4, "snapshot": null}
    ]})");
}

json checkDoc() {
  return json::parse(R"({"workers": [{"name": "check", "snapshot": {
    "virtual_servers": [{"name": "10.0.0.10:80", "quorum_up": true, "real_servers": [
      {"address": "10.0.1.1", "port": 80, "up": true, "weight": 3, "checkers": [
        {"type": "TCP_CHECK", "running": true, "up": true},
        {"type": "HTTP_GET", "running": false, "error": "not started"}]}]}],
    "dataplane": {"backend": "kernel", "table": "Prot LocalAddress:Port Scheduler Flags\n"}}}]})");
}

TEST(VigilctlFormatTest, TableColumnsAlignAndTrailingSpaceIsTrimmed) {
  EXPECT_EQ(formatTable({{"A", "LONGER", "C"}, {"xyz", "b", ""}}),
            "A    LONGER  C\n"
            "xyz  b\n");
}

TEST(VigilctlFormatTest, StatusShowsGenerationWorkersAndProblems) {
  EXPECT_EQ(formatStatus(statusDoc()),
            "generation 3  config /etc/vigil.conf  healthy no\n"
            "WORKER  RUNNING  PID  RESTARTS  SNAPSHOT\n"
            "vrrp    yes      41   0         0.2s\n"
            "check   no       0    4         -\n"
            "problem: check: not running\n");
}

TEST(VigilctlFormatTest, VrrpListsInstancesGroupsAndWhyOneIsNotRunning) {
  EXPECT_EQ(formatVrrp(statusDoc()),
            "INSTANCE  STATE        VRID  PRIORITY  INTERFACE  MASTER    TRANSITIONS\n"
            "VI_1      MASTER       51    110/100   eth0       10.0.0.1  2\n"
            "VI_2      NOT_RUNNING  -     -         -          -         -\n"
            "\n"
            "SYNC_GROUP  STATE\n"
            "G1          MASTER\n"
            "VI_2: no interface eth9\n");
}

TEST(VigilctlFormatTest, CheckSummarisesEachCheckerOfEachRealServer) {
  EXPECT_EQ(formatCheck(checkDoc()),
            "VIRTUAL_SERVER  QUORUM  REAL_SERVER  UP   WEIGHT  CHECKERS\n"
            "10.0.0.10:80    up      10.0.1.1:80  yes  3       "
            "TCP_CHECK:up,HTTP_GET:not-running\n");
  EXPECT_EQ(formatCheck(statusDoc()), "no check worker snapshot\n");
}

TEST(VigilctlFormatTest, IpvsPrintsTheCheckWorkersTableOrSaysWhyNot) {
  auto table = formatIpvs(checkDoc());
  ASSERT_TRUE(table) << table.error().describe();
  EXPECT_EQ(*table,
            "IP Virtual Server (as seen by vigild's check worker, backend kernel)\n"
            "Prot LocalAddress:Port Scheduler Flags\n");
  EXPECT_FALSE(formatIpvs(statusDoc()));
}

TEST(VigilctlFormatTest, ReplyParsingTakesStatusAndBody) {
  auto reply = parseReply("HTTP/1.1 500 Internal Server Error\r\nContent-Length: 2\r\n\r\n{}");
  ASSERT_TRUE(reply) << reply.error().describe();
  EXPECT_EQ(reply->status, 500);
  EXPECT_EQ(reply->body, "{}");
  EXPECT_FALSE(parseReply("garbage"));
  EXPECT_FALSE(parseReply("HTTP/1.1 5x0 Bad\r\n\r\n"));
}

TEST(VigilctlFormatTest, UnreachableSocketIsNamedInTheError) {
  auto reply = controlRequest("/nonexistent/h11/vigild.sock", "GET", "/status");
  ASSERT_FALSE(reply);
  EXPECT_NE(reply.error().describe().find("/nonexistent/h11/vigild.sock"), std::string::npos);
  EXPECT_NE(reply.error().describe().find("is vigild running?"), std::string::npos);
}

}  // namespace
}  // namespace vigil::cli

namespace vigil::cli {
namespace {

json countersDoc() {
  return json::parse(R"({"workers": [{"name": "check", "snapshot": {"dataplane": {
    "backend": "kernel", "stats": {"services": [
      {"name": "TCP  10.0.0.1:80", "connections": 12, "in_packets": 345, "out_packets": 300,
       "in_bytes": 123456789, "out_bytes": 98765432109, "cps": 1, "in_pps": 20, "out_pps": 18,
       "in_bps": 2400, "out_bps": 123456,
       "destinations": [
         {"name": "10.0.0.2:80", "connections": 7, "in_packets": 200, "out_packets": 180,
          "in_bytes": 1000000000000, "out_bytes": 200000000000000, "cps": 0, "in_pps": 12,
          "out_pps": 11, "in_bps": 1400, "out_bps": 70000}]},
      {"name": "FWM  7", "destinations": []}]}}}}]})");
}

TEST(VigilctlFormatTest, IpvsStatsFollowIpvsadmsLayoutAndRounding) {
  auto text = formatIpvsCounters(countersDoc(), IpvsCounters::Stats, false);
  ASSERT_TRUE(text) << text.error().describe();
  EXPECT_EQ(*text,
            "IP Virtual Server counters (as read by vigild's check worker, backend kernel)\n"
            "Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes\n"
            "  -> RemoteAddress:Port\n"
            "TCP  10.0.0.1:80                        12      345      300  123456K   98765M\n"
            "  -> 10.0.0.2:80                         7      200      180    1000G     200T\n"
            "FWM  7                                   0        0        0        0        0\n");
}

TEST(VigilctlFormatTest, IpvsStatsExactWidenColumnsForLongNumbers) {
  auto text = formatIpvsCounters(countersDoc(), IpvsCounters::Stats, true);
  ASSERT_TRUE(text) << text.error().describe();
  EXPECT_NE(text->find("TCP  10.0.0.1:80                        12      345      300 123456789 "
                       "98765432109\n"),
            std::string::npos)
      << *text;
}

TEST(VigilctlFormatTest, IpvsRateFollowsIpvsadmsLayout) {
  auto text = formatIpvsCounters(countersDoc(), IpvsCounters::Rate, false);
  ASSERT_TRUE(text) << text.error().describe();
  EXPECT_EQ(*text,
            "IP Virtual Server counters (as read by vigild's check worker, backend kernel)\n"
            "Prot LocalAddress:Port                 CPS    InPPS   OutPPS    InBPS   OutBPS\n"
            "  -> RemoteAddress:Port\n"
            "TCP  10.0.0.1:80                         1       20       18     2400   123456\n"
            "  -> 10.0.0.2:80                         0       12       11     1400    70000\n"
            "FWM  7                                   0        0        0        0        0\n");
  EXPECT_FALSE(formatIpvsCounters(checkDoc(), IpvsCounters::Rate, false));
  EXPECT_FALSE(formatIpvsCounters(statusDoc(), IpvsCounters::Stats, false));
}

TEST(VigilctlFormatTest, IpvsConnectionsFollowIpvsadmsLayout) {
  json doc = json::parse(R"({"available": true, "connections": [
    {"protocol": "TCP", "source_address": "192.168.0.5", "source_port": 40000,
     "virtual_address": "10.0.0.1", "virtual_port": 80, "destination_address": "10.0.0.2",
     "destination_port": 80, "state": "ESTABLISHED", "expires_seconds": 899},
    {"protocol": "UDP", "source_address": "2001:db8::5", "source_port": 8080,
     "virtual_address": "2001:db8::1", "virtual_port": 53, "destination_address": "2001:db8::2",
     "destination_port": 53, "state": "UDP", "expires_seconds": 7}]})");
  auto text = formatIpvsConnections(doc);
  ASSERT_TRUE(text) << text.error().describe();
  EXPECT_EQ(*text,
            "IPVS connection entries\n"
            "pro expire state       source             virtual            destination\n"
            "TCP 14:59  ESTABLISHED 192.168.0.5:40000  10.0.0.1:80        10.0.0.2:80\n"
            "UDP 00:07  UDP         [2001:db8::5]:8080 [2001:db8::1]:53   [2001:db8::2]:53\n");
  auto absent = formatIpvsConnections(json{{"available", false}});
  ASSERT_FALSE(absent);
  EXPECT_EQ(absent.error().describe().rfind("no IPVS connection table: vigild finds no ", 0), 0u)
      << absent.error().describe();
}

}  // namespace
}  // namespace vigil::cli
