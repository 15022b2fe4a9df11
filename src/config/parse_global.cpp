// global_defs: keepalived's global keywords plus vigil's own. One keyword
// table, assembled from small groups; handlers with more grammar than
// "KW VALUE" live in parse_global_complex.cpp.
#include "config/parse_global_internal.h"
#include "config/parsers.h"

namespace vigil::config {
namespace {

using parse::flagInto;
using parse::integerInto;
using parse::repeatInto;
using parse::scriptInto;
using parse::secondsInto;
using parse::stringInto;
using Table = KeywordTable<GlobalDefs>;

constexpr double kDay = 86400;

void addMail(Table& t) {
  t.on("notification_email", global::notificationEmail)
      .on("notification_email_from",
          stringInto<GlobalDefs>([](GlobalDefs & g) -> auto& { return g.notificationEmailFrom; }))
      .on("smtp_server", global::smtpServer)
      .on("smtp_helo_name",
          stringInto<GlobalDefs>([](GlobalDefs & g) -> auto& { return g.smtpHeloName; }))
      .on("smtp_connect_timeout",
          secondsInto<GlobalDefs>(
              [](GlobalDefs & g) -> auto& { return g.smtpConnectTimeout; }, 1, kDay))
      .on("smtp_alert", flagInto<GlobalDefs>([](GlobalDefs & g) -> auto& { return g.smtpAlert; }))
      .on("smtp_alert_vrrp",
          flagInto<GlobalDefs>([](GlobalDefs & g) -> auto& { return g.smtpAlertVrrp; }))
      .on("smtp_alert_checker",
          flagInto<GlobalDefs>([](GlobalDefs & g) -> auto& { return g.smtpAlertChecker; }))
      .on("no_email_faults",
          flagInto<GlobalDefs>([](GlobalDefs & g) -> auto& { return g.noEmailFaults; }))
      .on("no_checker_emails",
          flagInto<GlobalDefs>([](GlobalDefs & g) -> auto& { return g.noCheckerEmails; }))
      .on({"router_id", "lvs_id"},
          stringInto<GlobalDefs>([](GlobalDefs & g) -> auto& { return g.routerId; }));
}

void addScripts(Table& t) {
  t.on("script_user", global::scriptUser)
      .on("enable_script_security",
          flagInto<GlobalDefs>([](GlobalDefs & g) -> auto& { return g.enableScriptSecurity; }))
      .on("startup_script",
          scriptInto<GlobalDefs>([](GlobalDefs & g) -> auto& { return g.startupScript; }))
      .on("startup_script_timeout",
          secondsInto<GlobalDefs>(
              [](GlobalDefs & g) -> auto& { return g.startupScriptTimeout; }, 1, 1000))
      .on("shutdown_script",
          scriptInto<GlobalDefs>([](GlobalDefs & g) -> auto& { return g.shutdownScript; }))
      .on("shutdown_script_timeout",
          secondsInto<GlobalDefs>(
              [](GlobalDefs & g) -> auto& { return g.shutdownScriptTimeout; }, 1, 1000))
      .on("notify_fifo", global::fifo(&GlobalDefs::notifyFifo))
      .on("notify_fifo_script", global::fifoScript(&GlobalDefs::notifyFifo))
      .on("vrrp_notify_fifo", global::fifo(&GlobalDefs::vrrpNotifyFifo))
      .on("vrrp_notify_fifo_script", global::fifoScript(&GlobalDefs::vrrpNotifyFifo))
      .on("lvs_notify_fifo", global::fifo(&GlobalDefs::lvsNotifyFifo))
      .on("lvs_notify_fifo_script", global::fifoScript(&GlobalDefs::lvsNotifyFifo))
      .on("fifo_write_vrrp_states_on_reload", flagInto<GlobalDefs>([](GlobalDefs & g) -> auto& {
            return g.fifoWriteVrrpStatesOnReload;
          }));
}

void addGarp(Table& t) {
  auto v = [](auto member) {
    return [member](GlobalDefs & g) -> auto& { return g.vrrp.*member; };
  };
  using D = VrrpGlobalDefaults;
  t.on("vrrp_garp_master_delay", secondsInto<GlobalDefs>(v(&D::garpMasterDelay), 0, kDay))
      .on("vrrp_garp_master_repeat", repeatInto<GlobalDefs>(v(&D::garpMasterRepeat)))
      .on("vrrp_garp_lower_prio_delay", secondsInto<GlobalDefs>(v(&D::garpLowerPrioDelay), 0, kDay))
      .on("vrrp_garp_lower_prio_repeat", repeatInto<GlobalDefs>(v(&D::garpLowerPrioRepeat)))
      .on("vrrp_garp_master_refresh", secondsInto<GlobalDefs>(v(&D::garpMasterRefresh), 0, kDay))
      .on("vrrp_garp_master_refresh_repeat", repeatInto<GlobalDefs>(v(&D::garpMasterRefreshRepeat)))
      .on("vrrp_garp_interval", secondsInto<GlobalDefs>(v(&D::garpInterval), 0, 60))
      .on("vrrp_gna_interval", secondsInto<GlobalDefs>(v(&D::gnaInterval), 0, 60))
      .on("vrrp_min_garp", global::minGarp)
      .on("vrrp_garp_extra_if", global::garpExtraIf);
}

void addVrrpDefaults(Table& t) {
  auto v = [](auto member) {
    return [member](GlobalDefs & g) -> auto& { return g.vrrp.*member; };
  };
  using D = VrrpGlobalDefaults;
  t.on("vrrp_mcast_group4", global::mcastGroup(AF_INET))
      .on("vrrp_mcast_group6", global::mcastGroup(AF_INET6))
      .on("vrrp_down_timer_adverts", integerInto<GlobalDefs>(v(&D::downTimerAdverts), 1, 100))
      .on("vrrp_lower_prio_no_advert", flagInto<GlobalDefs>(v(&D::lowerPrioNoAdvert)))
      .on("vrrp_higher_prio_send_advert", flagInto<GlobalDefs>(v(&D::higherPrioSendAdvert)))
      .on("vrrp_version", global::vrrpVersion)
      .on("vrrp_check_unicast_src", flagInto<GlobalDefs>(v(&D::checkUnicastSrc)))
      .on("vrrp_skip_check_adv_addr", flagInto<GlobalDefs>(v(&D::skipCheckAdvAddr)))
      .on("vrrp_strict", flagInto<GlobalDefs>(v(&D::strict)))
      .on("vrrp_notify_priority_changes", flagInto<GlobalDefs>(v(&D::notifyPriorityChanges)))
      .on("vrrp_startup_delay", secondsInto<GlobalDefs>(v(&D::startupDelay), 0, 3600))
      .on("log_unknown_vrids", flagInto<GlobalDefs>(v(&D::logUnknownVrids)))
      .on("vmac_prefix", stringInto<GlobalDefs>(v(&D::vmacPrefix)))
      .on("vmac_addr_prefix", stringInto<GlobalDefs>(v(&D::vmacAddrPrefix)));
}

// vrrp_* and checker_* process tuning share one shape.
void addProcess(Table& t, const std::string& prefix, ProcessTuning GlobalDefs::*member) {
  auto p = [member](auto field) {
    return [ member, field ](GlobalDefs & g) -> auto& { return (g.*member).*field; };
  };
  t.on(prefix + "_priority", integerInto<GlobalDefs>(p(&ProcessTuning::nice), -20, 19))
      .on(prefix + "_rt_priority", integerInto<GlobalDefs>(p(&ProcessTuning::rtPriority), 1, 99))
      .on(prefix + "_no_swap", flagInto<GlobalDefs>(p(&ProcessTuning::noSwap)))
      .on(prefix + "_cpu_affinity", global::cpuAffinity(member))
      .on({prefix + "_rlimit_rttime", prefix + "_rlimit_rtime"},
          integerInto<GlobalDefs>(p(&ProcessTuning::rlimitRttimeUsec), 2, UINT32_MAX));
}

void addProcesses(Table& t) {
  addProcess(t, "vrrp", &GlobalDefs::vrrpProcess);
  addProcess(t, "checker", &GlobalDefs::checkerProcess);
  t.on("max_auto_priority", global::maxAutoPriority)
      .on("min_auto_priority_delay", global::minAutoPriorityDelay)
      .on("default_interface",
          stringInto<GlobalDefs>([](GlobalDefs & g) -> auto& { return g.defaultInterface; }))
      .on("dynamic_interfaces", global::dynamicInterfaces);
}

void addLvs(Table& t) {
  t.on("lvs_timeouts", global::lvsTimeouts)
      .on("lvs_sync_daemon", global::lvsSyncDaemon)
      .on("lvs_flush", flagInto<GlobalDefs>([](GlobalDefs & g) -> auto& { return g.lvsFlush; }))
      .on({"lvs_flush_on_stop", "lvs_flush_onstop"}, global::lvsFlushOnStop)
      .on("checker_log_all_failures",
          flagInto<GlobalDefs>([](GlobalDefs & g) -> auto& { return g.checkerLogAllFailures; }))
      .on("tcp_check_mode",
          [](const Node& n, GlobalDefs& g, ParseContext& ctx) {
            if (auto v = parse::tcpCheckModeArg(n, ctx)) {
              g.tcpCheckMode = *v;
            }
          })
      .on("rs_init_notifies",
          flagInto<GlobalDefs>([](GlobalDefs & g) -> auto& { return g.rsInitNotifies; }));
}

void addSnmp(Table& t) {
  auto s = [](bool SnmpSettings::*member) {
    return [member](GlobalDefs & g) -> auto& { return g.snmp.*member; };
  };
  t.on("snmp_socket", stringInto<GlobalDefs>([](GlobalDefs & g) -> auto& { return g.snmp.socket; }))
      .on({"enable_snmp_vrrp", "enable_snmp_keepalived"},
          flagInto<GlobalDefs>(s(&SnmpSettings::vrrp)))
      .on("enable_snmp_checker", flagInto<GlobalDefs>(s(&SnmpSettings::checker)))
      .on("enable_snmp_rfcv2", flagInto<GlobalDefs>(s(&SnmpSettings::rfcV2)))
      .on("enable_snmp_rfcv3", flagInto<GlobalDefs>(s(&SnmpSettings::rfcV3)))
      .on("enable_snmp_rfc", global::snmpRfc)
      .on("enable_traps", flagInto<GlobalDefs>(s(&SnmpSettings::traps)));
}

void addVigil(Table& t) {
  t.on("dataplane", global::dataplane)
      .on("metrics_listen", global::metricsListen)
      .on("metrics_check_duration",
          [](const Node& n, GlobalDefs& g, ParseContext& ctx) {
            if (!parse::args(n, ctx, 1)) return;
            auto v = ctx.oneOf(n.args[0], "metrics_check_duration",
                               {"per_server", "per_service", "off"});
            if (!v) return;
            g.metricsCheckDuration = *v == "per_server"    ? CheckDurationMetrics::PerServer
                                     : *v == "per_service" ? CheckDurationMetrics::PerService
                                                           : CheckDurationMetrics::Off;
          })
      .on("vip_lifetime", global::vipLifetime)
      .on("control_socket", global::controlSocket);
}

void addUnsupported(Table& t) {
  t.unsupported({"net_namespace", "net_namespace_ipvs", "namespace_with_ipsets", "instance",
                 "use_pid_dir", "child_wait_time", "linkbeat_use_polling", "process_names",
                 "process_name", "vrrp_process_name", "checker_process_name", "lvs_process_name",
                 "bfd_process_name", "umask", "random_seed", "include_check"},
                "")
      .unsupported({"bfd_priority", "bfd_no_swap", "bfd_rt_priority", "bfd_cpu_affinity",
                    "bfd_rlimit_rttime", "bfd_rlimit_rtime"},
                   "vigil has no BFD")
      .unsupported({"enable_dbus", "dbus_service_name"}, "vigil has no D-Bus interface")
      .unsupported({"vrrp_iptables", "vrrp_ipsets", "nftables", "nftables_priority",
                    "nftables_ifindex", "nftables_counters", "nftables_ipvs",
                    "nftables_ipvs_priority", "nftables_ipvs_start_fwmark", "disable_local_igmp"},
                   "vigil manages no firewall rules")
      .unsupported({"vrrp_netlink_cmd_rcv_bufs", "vrrp_netlink_cmd_rcv_bufs_force",
                    "vrrp_netlink_monitor_rcv_bufs", "vrrp_netlink_monitor_rcv_bufs_force",
                    "lvs_netlink_cmd_rcv_bufs", "lvs_netlink_cmd_rcv_bufs_force",
                    "lvs_netlink_monitor_rcv_bufs", "lvs_netlink_monitor_rcv_bufs_force",
                    "process_monitor_rcv_bufs", "process_monitor_rcv_bufs_force",
                    "vrrp_rx_bufs_policy", "vrrp_rx_bufs_multiplier"},
                   "vigil sizes its socket buffers itself")
      .unsupported({"reload_check_config"}, "vigil always checks a new configuration first")
      .unsupported({"reload_time_file", "reload_repeat", "reload_file"},
                   "scheduled reloads are not implemented")
      .unsupported({"tmp_config_directory", "config_save_dir", "data_use_instance"},
                   "vigil keeps no copies of its configuration");
}

const Table& globalTable() {
  static const Table table = [] {
    Table t("global_defs");
    addMail(t);
    addScripts(t);
    addGarp(t);
    addVrrpDefaults(t);
    addProcesses(t);
    addLvs(t);
    addSnmp(t);
    addVigil(t);
    addUnsupported(t);
    return t;
  }();
  return table;
}

}  // namespace

void parseGlobalDefs(const Node& node, Config& config, ParseContext& ctx) {
  if (!ctx.expectBlock(node) || !ctx.expectArgs(node, 0)) {
    return;
  }
  config.global.pos = node.pos();
  globalTable().apply(node.children, config.global, ctx);
  global::finish(config.global, ctx);
}

}  // namespace vigil::config
