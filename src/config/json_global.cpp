// toJson(GlobalDefs): the global_defs part of `vigild --dump-config`.
#include "config/config_json.h"
#include "config/json_util.h"

namespace vigil::config {
namespace {

using nlohmann::json;

json fifo(const std::optional<NotifyFifo>& f) {
  if (!f) {
    return nullptr;
  }
  return {{"path", f->path},
          {"owner", f->owner},
          {"group", f->group},
          {"script", dump::script(f->script)}};
}

json mail(const GlobalDefs& g) {
  json smtp = nullptr;
  if (g.smtpServer) {
    smtp = {{"host", g.smtpServer->host}, {"port", g.smtpServer->port}};
  }
  return {{"notification_email", g.notificationEmails},
          {"notification_email_from", g.notificationEmailFrom},
          {"smtp_server", smtp},
          {"smtp_helo_name", g.smtpHeloName},
          {"smtp_connect_timeout", dump::seconds(g.smtpConnectTimeout)},
          {"smtp_alert", g.smtpAlert},
          {"smtp_alert_vrrp", g.smtpAlertVrrp.value_or(g.smtpAlert)},
          {"smtp_alert_checker", g.smtpAlertChecker.value_or(g.smtpAlert)},
          {"no_email_faults", g.noEmailFaults},
          {"no_checker_emails", g.noCheckerEmails}};
}

json scripts(const GlobalDefs& g) {
  return {{"script_user", dump::account(g.scriptUser)},
          {"enable_script_security", g.enableScriptSecurity},
          {"startup_script", dump::script(g.startupScript)},
          {"startup_script_timeout", dump::seconds(g.startupScriptTimeout)},
          {"shutdown_script", dump::script(g.shutdownScript)},
          {"shutdown_script_timeout", dump::seconds(g.shutdownScriptTimeout)},
          {"notify_fifo", fifo(g.notifyFifo)},
          {"vrrp_notify_fifo", fifo(g.vrrpNotifyFifo)},
          {"lvs_notify_fifo", fifo(g.lvsNotifyFifo)},
          {"fifo_write_vrrp_states_on_reload", g.fifoWriteVrrpStatesOnReload}};
}

json vrrpDefaults(const VrrpGlobalDefaults& v) {
  return {
      {"mcast_group4", v.mcastGroup4.toString()},
      {"mcast_group6", v.mcastGroup6.toString()},
      {"garp_master_delay", dump::seconds(v.garpMasterDelay)},
      {"garp_master_repeat", v.garpMasterRepeat},
      {"garp_lower_prio_delay", dump::seconds(v.garpLowerPrioDelay.value_or(v.garpMasterDelay))},
      {"garp_lower_prio_repeat", v.garpLowerPrioRepeat.value_or(v.garpMasterRepeat)},
      {"garp_master_refresh", dump::seconds(v.garpMasterRefresh)},
      {"garp_master_refresh_repeat", v.garpMasterRefreshRepeat},
      {"garp_interval", dump::seconds(v.garpInterval)},
      {"gna_interval", dump::seconds(v.gnaInterval)},
      {"garp_extra_if", dump::seconds(v.garpExtraIfInterval)},
      {"garp_extra_if_all", v.garpExtraIfAll},
      {"down_timer_adverts", v.downTimerAdverts},
      {"lower_prio_no_advert", v.lowerPrioNoAdvert},
      {"higher_prio_send_advert", v.higherPrioSendAdvert},
      {"version", v.version},
      {"check_unicast_src", v.checkUnicastSrc},
      {"skip_check_adv_addr", v.skipCheckAdvAddr},
      {"strict", v.strict},
      {"notify_priority_changes", v.notifyPriorityChanges},
      {"startup_delay", dump::seconds(v.startupDelay)},
      {"log_unknown_vrids", v.logUnknownVrids},
      {"vmac_prefix", v.vmacPrefix},
      {"vmac_addr_prefix", v.vmacAddrPrefix.empty() ? v.vmacPrefix : v.vmacAddrPrefix}};
}

json process(const ProcessTuning& p) {
  return {{"priority", dump::orNull(p.nice)},
          {"rt_priority", dump::orNull(p.rtPriority)},
          {"no_swap", p.noSwap},
          {"cpu_affinity", p.cpuAffinity},
          {"rlimit_rttime_usec", dump::orNull(p.rlimitRttimeUsec)}};
}

json syncDaemon(const std::optional<LvsSyncDaemon>& d) {
  if (!d) {
    return nullptr;
  }
  return {{"interface", d->interface},
          {"vrrp_instance", d->vrrpInstance},
          {"id", d->syncId},
          {"maxlen", dump::orNull(d->maxLen)},
          {"port", d->port},
          {"ttl", dump::orNull(d->ttl)},
          {"group", d->group.toString()}};
}

json lvs(const GlobalDefs& g) {
  static const char* const kFlush[] = {"no", "all", "vs"};
  return {{"lvs_timeouts",
           {{"tcp", dump::seconds(g.lvsTimeouts.tcp)},
            {"tcpfin", dump::seconds(g.lvsTimeouts.tcpFin)},
            {"udp", dump::seconds(g.lvsTimeouts.udp)}}},
          {"lvs_sync_daemon", syncDaemon(g.lvsSyncDaemon)},
          {"lvs_flush", g.lvsFlush},
          {"lvs_flush_on_stop", kFlush[static_cast<int>(g.lvsFlushOnStop)]},
          {"checker_log_all_failures", g.checkerLogAllFailures},
          {"tcp_check_mode", toString(g.tcpCheckMode)},
          {"rs_init_notifies", g.rsInitNotifies}};
}

json snmp(const SnmpSettings& s) {
  return {{"socket", s.socket}, {"vrrp", s.vrrp},   {"checker", s.checker},
          {"rfcv2", s.rfcV2},   {"rfcv3", s.rfcV3}, {"traps", s.traps}};
}

json vigilOwn(const GlobalDefs& g) {
  static const char* const kDataplane[] = {"kernel", "userspace", "none"};
  static const char* const kCheckDuration[] = {"per_server", "per_service", "off"};
  return {{"dataplane", kDataplane[static_cast<int>(g.dataplane)]},
          {"metrics_listen", g.metricsListen ? json(g.metricsListen->toString()) : json("off")},
          {"metrics_check_duration", kCheckDuration[static_cast<int>(g.metricsCheckDuration)]},
          {"vip_lifetime", g.vipLifetime ? json(dump::seconds(*g.vipLifetime)) : json("off")},
          {"control_socket", g.controlSocket}};
}

}  // namespace

nlohmann::json toJson(const GlobalDefs& g) {
  json out = {{"router_id", g.routerId},
              {"mail", mail(g)},
              {"scripts", scripts(g)},
              {"vrrp", vrrpDefaults(g.vrrp)},
              {"vrrp_process", process(g.vrrpProcess)},
              {"checker_process", process(g.checkerProcess)},
              {"max_auto_priority", g.maxAutoPriority},
              {"min_auto_priority_delay", dump::seconds(g.minAutoPriorityDelay)},
              {"default_interface", g.defaultInterface},
              {"dynamic_interfaces", g.dynamicInterfaces},
              {"allow_if_changes", g.allowIfChanges},
              {"lvs", lvs(g)},
              {"snmp", snmp(g.snmp)}};
  out.update(vigilOwn(g));
  return out;
}

}  // namespace vigil::config
