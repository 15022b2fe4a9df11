#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/config_json.h"
#include "config/parse_global_internal.h"
#include "unit/config/vrrp_test_support.h"

namespace vigil::config {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;
using testing::errors;
using ::testing::IsEmpty;
using testing::load;
using testing::warnings;

// A copy, so it outlives the LoadResult (and its SourceSet) it came from.
GlobalDefs globalOf(const LoadResult& r) {
  EXPECT_TRUE(r.config) << ::testing::PrintToString(errors(r));
  return r.config ? r.config->global : GlobalDefs{};
}

TEST(GlobalDefsTest, DefaultsWithoutTheBlock) {
  auto r = load("");
  const GlobalDefs& g = globalOf(r);
  EXPECT_EQ(g.routerId, "");
  EXPECT_EQ(g.smtpConnectTimeout, 30s);
  EXPECT_EQ(g.vrrp.mcastGroup4.toString(), "224.0.0.18");
  EXPECT_EQ(g.vrrp.mcastGroup6.toString(), "ff02::12");
  EXPECT_EQ(g.vrrp.garpMasterDelay, 5s);
  EXPECT_EQ(g.vrrp.garpMasterRepeat, 5u);
  EXPECT_EQ(g.vrrp.garpMasterRefreshRepeat, 1u);
  EXPECT_EQ(g.vrrp.version, 2);
  EXPECT_EQ(g.vrrp.downTimerAdverts, 3u);
  EXPECT_FALSE(g.vrrp.strict);
  EXPECT_EQ(g.dataplane, Dataplane::Kernel);
  ASSERT_TRUE(g.metricsListen);
  EXPECT_EQ(g.metricsListen->toString(), "127.0.0.1:9650");
  EXPECT_EQ(g.vipLifetime, std::optional<Duration>(2s));
  EXPECT_EQ(g.controlSocket, "/run/vigil/vigild.sock");
  EXPECT_EQ(g.snmp.socket, "unix:/var/agentx/master");
  EXPECT_FALSE(g.lvsSyncDaemon);
}

TEST(GlobalDefsTest, MailAndIdentity) {
  auto r = load(R"(global_defs {
  notification_email {
    admin@example.com
    ops@example.com
  }
  notification_email_from vigil@example.com
  smtp_server 192.0.2.25 2525
  smtp_helo_name director1
  smtp_connect_timeout 12
  smtp_alert
  smtp_alert_checker off
  no_email_faults
  router_id DIR1
}
)");
  const GlobalDefs& g = globalOf(r);
  EXPECT_THAT(g.notificationEmails, ElementsAre("admin@example.com", "ops@example.com"));
  EXPECT_EQ(g.notificationEmailFrom, "vigil@example.com");
  ASSERT_TRUE(g.smtpServer);
  EXPECT_EQ(g.smtpServer->host, "192.0.2.25");
  EXPECT_EQ(g.smtpServer->port, 2525);
  EXPECT_EQ(g.smtpHeloName, "director1");
  EXPECT_EQ(g.smtpConnectTimeout, 12s);
  EXPECT_TRUE(g.smtpAlert);
  EXPECT_EQ(g.smtpAlertChecker, std::optional<bool>(false));
  EXPECT_FALSE(g.smtpAlertVrrp);
  EXPECT_TRUE(g.noEmailFaults);
  EXPECT_EQ(g.routerId, "DIR1");
  EXPECT_THAT(warnings(r), IsEmpty());
}

TEST(GlobalDefsTest, LvsIdIsTheOldNameOfRouterId) {
  EXPECT_EQ(globalOf(load("global_defs {\n  lvs_id OLD\n}\n")).routerId, "OLD");
}

TEST(GlobalDefsTest, ScriptsAndFifos) {
  auto r = load(R"(global_defs {
  script_user nobody nogroup
  enable_script_security
  startup_script /usr/local/bin/up root
  startup_script_timeout 20
  notify_fifo /run/vigil.fifo root
  notify_fifo_script "/usr/local/bin/read-fifo -v"
  vrrp_notify_fifo /run/vrrp.fifo
  lvs_notify_fifo /run/lvs.fifo
  fifo_write_vrrp_states_on_reload
}
)");
  const GlobalDefs& g = globalOf(r);
  ASSERT_TRUE(g.scriptUser);
  EXPECT_EQ(g.scriptUser->user, "nobody");
  EXPECT_EQ(g.scriptUser->group, "nogroup");
  EXPECT_TRUE(g.enableScriptSecurity);
  ASSERT_TRUE(g.startupScript);
  EXPECT_EQ(g.startupScript->command, "/usr/local/bin/up");
  EXPECT_EQ(g.startupScript->user, "root");
  EXPECT_EQ(g.startupScriptTimeout, 20s);
  ASSERT_TRUE(g.notifyFifo);
  EXPECT_EQ(g.notifyFifo->path, "/run/vigil.fifo");
  EXPECT_EQ(g.notifyFifo->owner, "root");
  ASSERT_TRUE(g.notifyFifo->script);
  EXPECT_EQ(g.notifyFifo->script->command, "/usr/local/bin/read-fifo -v");
  ASSERT_TRUE(g.vrrpNotifyFifo);
  EXPECT_EQ(g.vrrpNotifyFifo->path, "/run/vrrp.fifo");
  ASSERT_TRUE(g.lvsNotifyFifo);
  EXPECT_TRUE(g.fifoWriteVrrpStatesOnReload);
}

TEST(GlobalDefsTest, FifoScriptWithoutFifoIsAnError) {
  auto r = load("global_defs {\n  vrrp_notify_fifo_script /bin/reader\n}\n");
  EXPECT_THAT(errors(r), ElementsAre("t.conf:2:3: error: 'vrrp_notify_fifo_script' needs "
                                     "'vrrp_notify_fifo' to name the FIFO it reads"));
}

TEST(GlobalDefsTest, VrrpDefaults) {
  auto r = load(R"(global_defs {
  vrrp_mcast_group4 224.0.0.19
  vrrp_mcast_group6 ff02::13
  vrrp_garp_master_delay 10
  vrrp_garp_master_repeat 3
  vrrp_garp_lower_prio_delay 2
  vrrp_garp_lower_prio_repeat 1
  vrrp_garp_master_refresh 60
  vrrp_garp_master_refresh_repeat 2
  vrrp_garp_interval 0.001
  vrrp_gna_interval 0.000001
  vrrp_garp_extra_if all 100
  vrrp_lower_prio_no_advert
  vrrp_higher_prio_send_advert true
  vrrp_version 3
  vrrp_check_unicast_src
  vrrp_skip_check_adv_addr
  vrrp_strict
  vrrp_down_timer_adverts 5
  vrrp_notify_priority_changes yes
  vrrp_startup_delay 5.5
  log_unknown_vrids
  vmac_prefix vr
}
)");
  const VrrpGlobalDefaults& v = globalOf(r).vrrp;
  EXPECT_EQ(v.mcastGroup4.toString(), "224.0.0.19");
  EXPECT_EQ(v.mcastGroup6.toString(), "ff02::13");
  EXPECT_EQ(v.garpMasterDelay, 10s);
  EXPECT_EQ(v.garpMasterRepeat, 3u);
  EXPECT_EQ(v.garpLowerPrioDelay, std::optional<Duration>(2s));
  EXPECT_EQ(v.garpLowerPrioRepeat, std::optional<uint32_t>(1));
  EXPECT_EQ(v.garpMasterRefresh, 60s);
  EXPECT_EQ(v.garpMasterRefreshRepeat, 2u);
  EXPECT_EQ(v.garpInterval, 1ms);
  EXPECT_EQ(v.gnaInterval, 1us);
  EXPECT_EQ(v.garpExtraIfInterval, 100s);
  EXPECT_TRUE(v.garpExtraIfAll);
  EXPECT_TRUE(v.lowerPrioNoAdvert);
  EXPECT_TRUE(v.higherPrioSendAdvert);
  EXPECT_EQ(v.version, 3);
  EXPECT_TRUE(v.checkUnicastSrc);
  EXPECT_TRUE(v.skipCheckAdvAddr);
  EXPECT_TRUE(v.strict);
  EXPECT_EQ(v.downTimerAdverts, 5u);
  EXPECT_TRUE(v.notifyPriorityChanges);
  EXPECT_EQ(v.startupDelay, 5500ms);
  EXPECT_TRUE(v.logUnknownVrids);
  EXPECT_EQ(v.vmacPrefix, "vr");
}

TEST(GlobalDefsTest, MinGarpSendsOneGarpAndNoSecondBurst) {
  const GlobalDefs& g = globalOf(load("global_defs {\n  vrrp_min_garp\n}\n"));
  EXPECT_EQ(g.vrrp.garpMasterRepeat, 1u);
  EXPECT_EQ(g.vrrp.garpMasterDelay, 0s);
}

TEST(GlobalDefsTest, GarpRepeatZeroIsRaisedToOneWithAWarning) {
  auto r = load("global_defs {\n  vrrp_garp_master_repeat 0\n}\n");
  EXPECT_EQ(globalOf(r).vrrp.garpMasterRepeat, 1u);
  EXPECT_THAT(warnings(r), ElementsAre("t.conf:2:27: warning: 'vrrp_garp_master_repeat' must be "
                                       "at least 1; using 1"));
}

TEST(GlobalDefsTest, MulticastGroupMustBeMulticastOfItsFamily) {
  auto r = load("global_defs {\n  vrrp_mcast_group4 10.0.0.1\n  vrrp_mcast_group6 224.0.0.18\n}\n");
  EXPECT_THAT(errors(r),
              ElementsAre("t.conf:2:21: error: 'vrrp_mcast_group4' must be an IPv4 multicast "
                          "address, got '10.0.0.1'",
                          "t.conf:3:21: error: 'vrrp_mcast_group6' must be an IPv6 multicast "
                          "address, got '224.0.0.18'"));
}

TEST(GlobalDefsTest, VrrpVersionOutOfRange) {
  auto r = load("global_defs {\n  vrrp_version 4\n}\n");
  EXPECT_THAT(errors(r), ElementsAre("t.conf:2:16: error: 'vrrp_version' 4 is out of range 2-3"));
}

TEST(GlobalDefsTest, ProcessTuning) {
  auto r = load(R"(global_defs {
  vrrp_priority -10
  checker_priority 5
  vrrp_no_swap
  vrrp_rt_priority 50
  vrrp_cpu_affinity 1 3
  vrrp_rlimit_rttime 20000
  max_auto_priority
  min_auto_priority_delay 500000
}
)");
  const GlobalDefs& g = globalOf(r);
  EXPECT_EQ(g.vrrpProcess.nice, std::optional<int>(-10));
  EXPECT_EQ(g.checkerProcess.nice, std::optional<int>(5));
  EXPECT_TRUE(g.vrrpProcess.noSwap);
  EXPECT_FALSE(g.checkerProcess.noSwap);
  EXPECT_EQ(g.vrrpProcess.rtPriority, std::optional<int>(50));
  EXPECT_THAT(g.vrrpProcess.cpuAffinity, ElementsAre(1, 3));
  EXPECT_EQ(g.vrrpProcess.rlimitRttimeUsec, std::optional<uint32_t>(20000));
  EXPECT_EQ(g.maxAutoPriority, 99);
  EXPECT_EQ(g.minAutoPriorityDelay, 500ms);
}

TEST(GlobalDefsTest, ProcessPriorityOutOfRange) {
  auto r = load("global_defs {\n  vrrp_priority 20\n}\n");
  EXPECT_THAT(errors(r),
              ElementsAre("t.conf:2:17: error: 'vrrp_priority' 20 is out of range -20-19"));
}

TEST(GlobalDefsTest, LvsKeywords) {
  auto r = load(R"(global_defs {
  lvs_timeouts tcp 900 tcpfin 120 udp 300
  lvs_flush
  lvs_flush_on_stop VS
  checker_log_all_failures on
  dynamic_interfaces allow_if_changes
  default_interface bond0
}
)");
  const GlobalDefs& g = globalOf(r);
  EXPECT_EQ(g.lvsTimeouts.tcp, std::optional<Duration>(900s));
  EXPECT_EQ(g.lvsTimeouts.tcpFin, std::optional<Duration>(120s));
  EXPECT_EQ(g.lvsTimeouts.udp, std::optional<Duration>(300s));
  EXPECT_TRUE(g.lvsFlush);
  EXPECT_EQ(g.lvsFlushOnStop, LvsFlushOnStop::VirtualServersOnly);
  EXPECT_TRUE(g.checkerLogAllFailures);
  EXPECT_TRUE(g.dynamicInterfaces);
  EXPECT_TRUE(g.allowIfChanges);
  EXPECT_EQ(g.defaultInterface, "bond0");
}

TEST(GlobalDefsTest, LvsTimeoutsErrors) {
  auto r = load(
      "global_defs {\n  lvs_timeouts\n  lvs_timeouts tcp\n  lvs_timeouts tcp 0\n"
      "  lvs_timeouts sctp 5\n}\n");
  EXPECT_THAT(errors(r),
              ElementsAre("t.conf:2:3: error: 'lvs_timeouts' needs at least one of tcp, tcpfin, "
                          "udp",
                          "t.conf:3:16: error: 'lvs_timeouts' tcp needs a number of seconds",
                          "t.conf:4:20: error: 'lvs_timeouts' tcp 0 is out of range 1-2147483",
                          "t.conf:5:16: error: unknown 'lvs_timeouts' option 'sctp' (expected one "
                          "of tcp|tcpfin|udp)"));
}

TEST(GlobalDefsTest, LvsSyncDaemonFullForm) {
  auto r = load(
      "global_defs {\n  lvs_sync_daemon eth1 inst VI_1 id 7 maxlen 1400 port 8849 ttl 2"
      " group 224.0.0.82\n}\n" +
      testing::instance("VI_1", ""));
  const GlobalDefs& g = globalOf(r);
  ASSERT_TRUE(g.lvsSyncDaemon);
  const LvsSyncDaemon& d = *g.lvsSyncDaemon;
  EXPECT_EQ(d.interface, "eth1");
  EXPECT_EQ(d.vrrpInstance, "VI_1");
  EXPECT_EQ(d.syncId, 7);
  EXPECT_EQ(d.maxLen, std::optional<uint16_t>(1400));
  EXPECT_EQ(d.port, 8849);
  EXPECT_EQ(d.ttl, std::optional<uint8_t>(2));
  EXPECT_EQ(d.group.toString(), "224.0.0.82");
}

TEST(GlobalDefsTest, LvsSyncDaemonShortFormTakesTheInstanceVridAsSyncId) {
  auto r =
      load("global_defs {\n  lvs_sync_daemon eth1 VI_1\n}\n" + testing::instance("VI_1", "", "42"));
  const GlobalDefs& g = globalOf(r);
  ASSERT_TRUE(g.lvsSyncDaemon);
  EXPECT_EQ(g.lvsSyncDaemon->vrrpInstance, "VI_1");
  EXPECT_EQ(g.lvsSyncDaemon->syncId, 42);
  EXPECT_EQ(g.lvsSyncDaemon->port, 8848);
  EXPECT_EQ(g.lvsSyncDaemon->group.toString(), "224.0.0.81");
}

TEST(GlobalDefsTest, LvsSyncDaemonWithoutInstanceRunsBothDaemonsWithId0) {
  const GlobalDefs& g = globalOf(load("global_defs {\n  lvs_sync_daemon eth1\n}\n"));
  ASSERT_TRUE(g.lvsSyncDaemon);
  EXPECT_EQ(g.lvsSyncDaemon->vrrpInstance, "");
  EXPECT_EQ(g.lvsSyncDaemon->syncId, 0);
}

TEST(GlobalDefsTest, LvsSyncDaemonErrors) {
  auto r = load(
      "global_defs {\n  lvs_sync_daemon eth1 VI_1 VI_2\n  lvs_sync_daemon eth1 id 256\n"
      "  lvs_sync_daemon eth1 group 10.1.1.1\n  lvs_sync_daemon eth1 ttl\n"
      "  lvs_sync_daemon\n}\n");
  EXPECT_THAT(errors(r),
              ElementsAre("t.conf:2:29: error: unknown 'lvs_sync_daemon' option 'VI_2' (expected "
                          "id, maxlen, port, ttl or group)",
                          "t.conf:3:27: error: 'lvs_sync_daemon' id 256 is out of range 0-255",
                          "t.conf:4:30: error: 'lvs_sync_daemon' group 10.1.1.1 is not a multicast "
                          "address",
                          "t.conf:5:24: error: 'lvs_sync_daemon' ttl needs a value",
                          "t.conf:6:3: error: 'lvs_sync_daemon' takes at least 1 argument, got 0"));
}

TEST(GlobalDefsTest, LvsSyncDaemonNamingNoInstance) {
  auto r =
      load("global_defs {\n  lvs_sync_daemon eth1 VI_9 id 4\n}\n" + testing::instance("VI_1", ""));
  EXPECT_THAT(errors(r),
              ElementsAre("t.conf:2:24: error: 'lvs_sync_daemon' names no vrrp_instance 'VI_9'"));
}

TEST(GlobalDefsTest, Snmp) {
  auto r = load(R"(global_defs {
  snmp_socket udp:127.0.0.1:705
  enable_snmp_vrrp
  enable_snmp_checker
  enable_snmp_rfc
  enable_traps
}
)");
  const SnmpSettings& s = globalOf(r).snmp;
  EXPECT_EQ(s.socket, "udp:127.0.0.1:705");
  EXPECT_TRUE(s.vrrp);
  EXPECT_TRUE(s.checker);
  EXPECT_TRUE(s.rfcV2);
  EXPECT_TRUE(s.rfcV3);
  EXPECT_TRUE(s.traps);
}

TEST(GlobalDefsTest, VigilKeywords) {
  auto r = load(R"(global_defs {
  dataplane userspace
  metrics_listen [::1]:9100
  vip_lifetime 5
  control_socket /run/vigil/ctl.sock
}
)");
  const GlobalDefs& g = globalOf(r);
  EXPECT_EQ(g.dataplane, Dataplane::Userspace);
  ASSERT_TRUE(g.metricsListen);
  EXPECT_EQ(g.metricsListen->toString(), "[::1]:9100");
  EXPECT_EQ(g.vipLifetime, std::optional<Duration>(5s));
  EXPECT_EQ(g.controlSocket, "/run/vigil/ctl.sock");
}

TEST(GlobalDefsTest, VigilKeywordsOff) {
  const GlobalDefs& g = globalOf(
      load("global_defs {\n  dataplane none\n  metrics_listen off\n  vip_lifetime off\n}\n"));
  EXPECT_EQ(g.dataplane, Dataplane::None);
  EXPECT_FALSE(g.metricsListen);
  EXPECT_FALSE(g.vipLifetime);
}

TEST(GlobalDefsTest, VigilKeywordErrors) {
  auto r = load(R"(global_defs {
  dataplane xdp
  metrics_listen ::1:9100
  metrics_listen 127.0.0.1
  metrics_listen 127.0.0.1:0
  vip_lifetime 0
  vip_lifetime 1.5
  control_socket vigil.sock
}
)");
  EXPECT_THAT(errors(r),
              ElementsAre("t.conf:2:13: error: unknown dataplane 'xdp' (expected one of "
                          "kernel|userspace|none)",
                          "t.conf:3:18: error: 'metrics_listen' must be ADDRESS:PORT, "
                          "[IPV6-ADDRESS]:PORT or off, got '::1:9100'",
                          "t.conf:4:18: error: 'metrics_listen' must be ADDRESS:PORT, "
                          "[IPV6-ADDRESS]:PORT or off, got '127.0.0.1'",
                          "t.conf:5:18: error: 'metrics_listen' must be ADDRESS:PORT, "
                          "[IPV6-ADDRESS]:PORT or off, got '127.0.0.1:0'",
                          "t.conf:6:16: error: 'vip_lifetime' (seconds, or off) 0 is out of range "
                          "1-86400",
                          "t.conf:7:16: error: 'vip_lifetime' (seconds, or off) must be an "
                          "integer, got '1.5'",
                          "t.conf:8:18: error: 'control_socket' must be an absolute path, got "
                          "'vigil.sock'"));
}

TEST(GlobalDefsTest, ListenAddressForms) {
  EXPECT_EQ(global::parseListenAddress("0.0.0.0:80")->toString(), "0.0.0.0:80");
  EXPECT_EQ(global::parseListenAddress("[fe80::1]:65535")->toString(), "[fe80::1]:65535");
  for (const char* bad :
       {"", ":80", "[::1]", "[::1]80", "::1:80", "host:80", "1.2.3.4:65536", "1.2.3.4:x"}) {
    EXPECT_FALSE(global::parseListenAddress(bad)) << bad;
  }
}

// Every global_defs keyword of keepalived.conf(5) is recognised: parsed, or
// a warning that vigil ignores it. None is unknown and none is an error.
TEST(GlobalDefsTest, EveryKeepalivedKeywordIsRecognised) {
  const char* const kLines[] = {"tmp_config_directory /tmp",
                                "config_save_dir /tmp",
                                "process_names",
                                "process_name k",
                                "vrrp_process_name k",
                                "checker_process_name k",
                                "bfd_process_name k",
                                "startup_script /bin/true",
                                "startup_script_timeout 10",
                                "shutdown_script /bin/true",
                                "shutdown_script_timeout 10",
                                "notification_email {\n a@b\n}",
                                "notification_email_from a@b",
                                "smtp_server 127.0.0.1 25",
                                "smtp_helo_name h",
                                "smtp_connect_timeout 30",
                                "smtp_alert on",
                                "smtp_alert_vrrp on",
                                "smtp_alert_checker on",
                                "checker_log_all_failures on",
                                "no_email_faults",
                                "router_id r",
                                "vrrp_mcast_group4 224.0.0.18",
                                "vrrp_mcast_group6 ff02::12",
                                "default_interface eth0",
                                "lvs_sync_daemon eth0",
                                "lvs_timeouts tcp 5",
                                "lvs_flush",
                                "lvs_flush_on_stop",
                                "vrrp_garp_master_delay 10",
                                "vrrp_garp_master_repeat 1",
                                "vrrp_garp_lower_prio_delay 10",
                                "vrrp_down_timer_adverts 3",
                                "vrrp_garp_lower_prio_repeat 1",
                                "vrrp_garp_master_refresh 60",
                                "vrrp_garp_master_refresh_repeat 2",
                                "vrrp_garp_interval 0.001",
                                "vrrp_gna_interval 0.000001",
                                "vrrp_min_garp on",
                                "vrrp_garp_extra_if all 100",
                                "vrrp_lower_prio_no_advert on",
                                "vrrp_higher_prio_send_advert on",
                                "vrrp_version 3",
                                "nftables keepalived",
                                "nftables_priority -1",
                                "nftables_counters",
                                "nftables_ifindex",
                                "nftables_ipvs t",
                                "nftables_ipvs_priority 1",
                                "nftables_ipvs_start_fwmark 1000",
                                "vrrp_iptables in out",
                                "vrrp_ipsets a b",
                                "disable_local_igmp",
                                "vrrp_check_unicast_src",
                                "vrrp_skip_check_adv_addr",
                                "vrrp_strict",
                                "vrrp_notify_priority_changes on",
                                "max_auto_priority 10",
                                "min_auto_priority_delay 1000000",
                                "vrrp_priority -1",
                                "checker_priority -1",
                                "bfd_priority -1",
                                "vrrp_no_swap",
                                "checker_no_swap",
                                "bfd_no_swap",
                                "vrrp_cpu_affinity 0",
                                "checker_cpu_affinity 0",
                                "bfd_cpu_affinity 0",
                                "vrrp_rt_priority 1",
                                "checker_rt_priority 1",
                                "bfd_rt_priority 1",
                                "vrrp_rlimit_rttime 10000",
                                "checker_rlimit_rttime 10000",
                                "bfd_rlimit_rttime 10000",
                                "snmp_socket unix:/x",
                                "enable_snmp_vrrp",
                                "enable_snmp_checker",
                                "enable_snmp_rfc",
                                "enable_snmp_rfcv2",
                                "enable_snmp_rfcv3",
                                "enable_traps",
                                "enable_dbus",
                                "dbus_service_name x",
                                "script_user root",
                                "enable_script_security",
                                "notify_fifo /f\nnotify_fifo_script /s",
                                "vrrp_notify_fifo /g\nvrrp_notify_fifo_script /s",
                                "lvs_notify_fifo /h\nlvs_notify_fifo_script /s",
                                "fifo_write_vrrp_states_on_reload",
                                "dynamic_interfaces",
                                "vrrp_netlink_cmd_rcv_bufs 1000",
                                "vrrp_netlink_cmd_rcv_bufs_force on",
                                "vrrp_netlink_monitor_rcv_bufs 1000",
                                "vrrp_netlink_monitor_rcv_bufs_force on",
                                "lvs_netlink_cmd_rcv_bufs 1000",
                                "lvs_netlink_cmd_rcv_bufs_force on",
                                "lvs_netlink_monitor_rcv_bufs 1000",
                                "lvs_netlink_monitor_rcv_bufs_force on",
                                "process_monitor_rcv_bufs 1000",
                                "process_monitor_rcv_bufs_force on",
                                "vrrp_rx_bufs_policy MTU",
                                "vrrp_rx_bufs_multiplier 3",
                                "rs_init_notifies",
                                "no_checker_emails",
                                "umask IWGRP",
                                "vrrp_startup_delay 5.5",
                                "log_unknown_vrids",
                                "vmac_prefix v",
                                "vmac_addr_prefix v",
                                "random_seed 1",
                                "reload_check_config",
                                "include_check",
                                "reload_time_file /x",
                                "reload_repeat",
                                "reload_file",
                                "data_use_instance"};
  for (const char* line : kLines) {
    auto r = load(std::string("global_defs {\n") + line + "\n}\n", /*strict=*/true);
    EXPECT_THAT(errors(r), IsEmpty()) << line;
    for (const std::string& w : warnings(r)) {
      EXPECT_THAT(w, ::testing::HasSubstr("is not supported by vigil")) << line;
    }
  }
}

TEST(GlobalDefsTest, OutOfScopeKeywordsWarnAndSayWhy) {
  auto r = load("global_defs {\n  enable_dbus\n  vrrp_iptables\n}\n");
  EXPECT_THAT(errors(r), IsEmpty());
  EXPECT_THAT(warnings(r), ElementsAre("t.conf:2:3: warning: 'enable_dbus' is not supported by "
                                       "vigil and is ignored (vigil has no D-Bus interface)",
                                       "t.conf:3:3: warning: 'vrrp_iptables' is not supported by "
                                       "vigil and is ignored (vigil manages no firewall rules)"));
}

TEST(GlobalDefsTest, UnknownKeywordWarnsOrFailsUnderStrictConfig) {
  EXPECT_THAT(warnings(load("global_defs {\n  no_such_thing 1\n}\n")),
              ElementsAre("t.conf:2:3: warning: unknown keyword 'no_such_thing' in global_defs; "
                          "ignored"));
  EXPECT_THAT(errors(load("global_defs {\n  no_such_thing 1\n}\n", true)),
              ElementsAre("t.conf:2:3: error: unknown keyword 'no_such_thing' in global_defs"));
}

TEST(GlobalDefsTest, BlockShapeErrors) {
  EXPECT_THAT(errors(load("global_defs\n")),
              ElementsAre("t.conf:1:1: error: 'global_defs' needs a { ... } block"));
  EXPECT_THAT(errors(load("global_defs {\n  router_id\n  notification_email a@b\n}\n")),
              ElementsAre("t.conf:2:3: error: 'router_id' takes 1 argument, got 0",
                          "t.conf:3:3: error: 'notification_email' needs a { ... } block"));
}

TEST(GlobalDefsTest, JsonHasDefaultsFilledIn) {
  auto r = load("global_defs {\n  vrrp_garp_master_delay 3\n}\n");
  ASSERT_TRUE(r.config);
  auto j = toJson(r.config->global);
  EXPECT_EQ(j["vrrp"]["garp_lower_prio_delay"], 3.0);
  EXPECT_EQ(j["vrrp"]["garp_lower_prio_repeat"], 5);
  EXPECT_EQ(j["metrics_listen"], "127.0.0.1:9650");
  EXPECT_EQ(j["vip_lifetime"], 2.0);
  EXPECT_EQ(j["dataplane"], "kernel");
  EXPECT_EQ(j["mail"]["smtp_connect_timeout"], 30.0);
}

}  // namespace
}  // namespace vigil::config
