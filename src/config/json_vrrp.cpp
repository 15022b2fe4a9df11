// toJson(VrrpModel): the VRRP part of `vigild --dump-config`, with every
// effective value (defaults and vrrp_strict already applied by validation).
#include "config/config_json.h"
#include "config/json_util.h"

namespace vigil::config {
namespace {

using nlohmann::json;

json refs(const std::vector<TrackRef>& list) {
  json out = json::array();
  for (const TrackRef& r : list) {
    out.push_back({{"name", r.name}, {"weight", dump::orNull(r.weight)}, {"reverse", r.reverse}});
  }
  return out;
}

json tracking(const TrackingSet& t) {
  return {{"interfaces", refs(t.interfaces)},
          {"scripts", refs(t.scripts)},
          {"files", refs(t.files)},
          {"processes", refs(t.processes)}};
}

json notify(const NotifyScripts& n) {
  return {{"master", dump::script(n.master)},
          {"backup", dump::script(n.backup)},
          {"fault", dump::script(n.fault)},
          {"stop", dump::script(n.stop)},
          {"notify", dump::script(n.any)},
          {"master_rx_lower_pri", dump::script(n.masterRxLowerPri)},
          {"deleted", n.deleted},
          {"deleted_script", dump::script(n.deletedScript)}};
}

json address(const VirtualAddress& a) {
  static const char* const kBroadcast[] = {"", "address", "+", "-"};
  json out = {{"address", a.prefix.toString()},
              {"dev", a.dev},
              {"scope", a.scope},
              {"label", a.label},
              {"no_track", a.noTrack},
              {"use_vmac", a.useVmac},
              {"home", a.home},
              {"nodad", a.noDad},
              {"mngtmpaddr", a.mngTmpAddr},
              {"noprefixroute", a.noPrefixRoute},
              {"autojoin", a.autoJoin},
              {"track_group", a.trackGroup}};
  out["brd"] = a.broadcastMode == VirtualAddress::Broadcast::Address
                   ? json(a.broadcast.toString())
                   : json(kBroadcast[static_cast<int>(a.broadcastMode)]);
  out["peer"] = a.peer ? json(a.peer->toString()) : json(nullptr);
  out["preferred_lft"] = !a.preferredLft                               ? json(nullptr)
                         : *a.preferredLft == VirtualAddress::kForever ? json("forever")
                                                                       : json(*a.preferredLft);
  return out;
}

json addresses(const std::vector<VirtualAddress>& list) {
  json out = json::array();
  for (const VirtualAddress& a : list) {
    out.push_back(address(a));
  }
  return out;
}

json routes(const std::vector<VirtualRoute>& list) {
  json out = json::array();
  for (const VirtualRoute& r : list) {
    out.push_back({{"type", r.type},
                   {"to", r.to.toString()},
                   {"src", r.src ? json(r.src->toString()) : json(nullptr)},
                   {"via", r.via ? json(r.via->toString()) : json(nullptr)},
                   {"dev", r.dev},
                   {"table", r.table},
                   {"metric", dump::orNull(r.metric)},
                   {"scope", r.scope},
                   {"protocol", r.protocol},
                   {"no_track", r.noTrack},
                   {"track_group", r.trackGroup},
                   {"options", r.options}});
  }
  return out;
}

json range(const std::optional<RuleRange>& r) {
  if (!r) return nullptr;
  return r->start == r->end ? std::to_string(r->start)
                            : std::to_string(r->start) + "-" + std::to_string(r->end);
}

json rule(const VirtualRule& r) {
  return {{"from", r.from ? json(r.from->toString()) : json(nullptr)},
          {"to", r.to ? json(r.to->toString()) : json(nullptr)},
          {"family", r.family() == AF_INET6 ? "inet6" : "inet"},
          {"not", r.invert},
          {"iif", r.iif},
          {"oif", r.oif},
          {"fwmark", dump::orNull(r.fwmark)},
          {"fwmask", dump::orNull(r.fwmask)},
          {"tos", dump::orNull(r.tos)},
          {"realms", dump::orNull(r.realms)},
          {"uidrange", range(r.uidRange)},
          {"ip_proto", dump::orNull(r.ipProto)},
          {"sport", range(r.sport)},
          {"dport", range(r.dport)},
          {"l3mdev", r.l3mdev},
          {"table", r.table},
          {"suppress_prefixlength", dump::orNull(r.suppressPrefixLength)},
          {"suppress_ifgroup", dump::orNull(r.suppressIfGroup)},
          {"action", ruleActionName(r.action)},
          {"goto", r.action == VirtualRule::Action::Goto ? json(r.gotoTarget) : json(nullptr)},
          {"preference", dump::orNull(r.preference)},
          {"protocol", dump::orNull(r.protocol)},
          {"no_track", r.noTrack},
          {"track_group", r.trackGroup}};
}

json rules(const std::vector<VirtualRule>& list) {
  json out = json::array();
  for (const VirtualRule& r : list) out.push_back(rule(r));
  return out;
}

json garp(const GarpSettings& g) {
  return {{"master_delay", dump::seconds(g.masterDelay)},
          {"master_repeat", g.masterRepeat},
          {"lower_prio_delay", dump::seconds(g.lowerPrioDelay)},
          {"lower_prio_repeat", g.lowerPrioRepeat},
          {"master_refresh", dump::seconds(g.masterRefresh)},
          {"master_refresh_repeat", g.masterRefreshRepeat},
          {"extra_if", dump::seconds(g.extraIfInterval)},
          {"extra_if_all", g.extraIfAll}};
}

json peers(const VrrpInstance& inst) {
  json out = json::array();
  for (const UnicastPeer& p : inst.unicastPeers) {
    out.push_back({{"address", p.address.toString()},
                   {"min_ttl", dump::orNull(p.minTtl)},
                   {"max_ttl", dump::orNull(p.maxTtl)}});
  }
  return out;
}

json transport(const VrrpInstance& inst) {
  static const char* const kAuth[] = {"none", "PASS", "AH"};
  return {{"unicast", inst.unicast},
          {"unicast_peers", peers(inst)},
          {"unicast_ttl", inst.unicastTtl},
          {"unicast_fault_no_peer", inst.unicastFaultNoPeer},
          {"check_unicast_src", inst.checkUnicastSrc},
          {"src_ip", inst.sourceAddress ? json(inst.sourceAddress->toString()) : json(nullptr)},
          {"mcast_dst_ip", inst.mcastDst.toString()},
          {"auth_type", kAuth[static_cast<int>(inst.auth.type)]},
          // The JSON ends up in logs, tickets and /status: never the secret.
          {"auth_pass", inst.auth.password.empty() ? "" : "<hidden>"},
          {"use_vmac", inst.useVmac},
          {"vmac_name", inst.vmacName},
          {"vmac_mac", inst.vmacMac},
          {"vmac_xmit_base", inst.vmacXmitBase},
          {"use_vmac_addr", inst.useVmacAddr},
          {"old_unicast_checksum",
           inst.oldUnicastChecksumNever ? json("never") : json(inst.oldUnicastChecksum)},
          {"v3_checksum_as_v2", inst.v3ChecksumAsV2}};
}

json behaviour(const VrrpInstance& inst) {
  return {{"preempt", inst.preempt},
          {"preempt_delay", dump::seconds(inst.preemptDelay)},
          {"accept", inst.accept},
          {"garp", garp(inst.garp)},
          {"lower_prio_no_advert", inst.lowerPrioNoAdvert},
          {"higher_prio_send_advert", inst.higherPrioSendAdvert},
          {"down_timer_adverts", inst.downTimerAdverts},
          {"strict_mode", inst.strictMode},
          {"skip_check_adv_addr", inst.skipCheckAdvAddr},
          {"dont_track_primary", inst.dontTrackPrimary},
          {"track_src_ip", inst.trackSrcIp},
          {"promote_secondaries", inst.promoteSecondaries},
          {"notify_priority_changes", inst.notifyPriorityChanges},
          {"smtp_alert", inst.smtpAlert},
          {"debug", inst.debug},
          {"kernel_rx_buf_size", dump::orNull(inst.kernelRxBufSize)}};
}

json instance(const VrrpInstance& inst) {
  json out = {{"name", inst.name},
              {"state", inst.initialState == VrrpInitialState::Master ? "MASTER" : "BACKUP"},
              {"interface", inst.interface},
              {"virtual_router_id", inst.vrid},
              {"priority", inst.priority},
              {"advert_int", dump::seconds(inst.advertInterval)},
              {"version", inst.version},
              {"family", inst.family == AF_INET6 ? "inet6" : "inet"},
              {"sync_group", inst.syncGroup},
              {"tracking", tracking(inst.tracking)},
              {"notify", notify(inst.notify)},
              {"virtual_ipaddress", addresses(inst.vips)},
              {"virtual_ipaddress_excluded", addresses(inst.excludedVips)},
              {"virtual_routes", routes(inst.routes)},
              {"virtual_rules", rules(inst.rules)}};
  out.update(transport(inst));
  out.update(behaviour(inst));
  return out;
}

json script(const VrrpScript& s) {
  return {{"name", s.name},
          {"script", s.script},
          {"interval", dump::seconds(s.interval)},
          {"timeout", dump::seconds(s.timeout.value_or(s.interval))},
          {"weight", s.weight},
          {"reverse", s.weightReverse},
          {"rise", s.rise},
          {"fall", s.fall},
          {"user", dump::account(s.user)},
          {"init_fail", s.initFail}};
}

json trackFile(const TrackFile& f) {
  return {{"name", f.name},
          {"file", f.path},
          {"weight", f.weight},
          {"reverse", f.weightReverse},
          {"init_file", f.initFile},
          {"init_value", f.initValue},
          {"overwrite", f.initOverwrite}};
}

json trackProcess(const TrackProcess& p) {
  static const char* const kMatch[] = {"exact", "partial", "initial"};
  return {{"name", p.name},
          {"process", p.process},
          {"param_match", kMatch[static_cast<int>(p.paramMatch)]},
          {"weight", p.weight},
          {"reverse", p.weightReverse},
          {"quorum", p.quorum},
          {"quorum_max", dump::orNull(p.quorumMax)},
          {"fork_delay", dump::seconds(p.forkDelay)},
          {"terminate_delay", dump::seconds(p.terminateDelay)},
          {"full_command", p.fullCommand}};
}

json names(const std::vector<NameRef>& list) {
  json out = json::array();
  for (const NameRef& n : list) {
    out.push_back(n.name);
  }
  return out;
}

json syncGroup(const VrrpSyncGroup& g) {
  return {{"name", g.name},
          {"group", names(g.members)},
          {"tracking", tracking(g.tracking)},
          {"notify", notify(g.notify)},
          {"notify_priority_changes", dump::orNull(g.notifyPriorityChanges)},
          {"smtp_alert", dump::orNull(g.smtpAlert)},
          {"sync_group_tracking_weight", g.syncGroupTrackingWeight || g.globalTracking}};
}

template <class T, class F>
json each(const std::vector<T>& items, F convert) {
  json out = json::array();
  for (const T& item : items) {
    out.push_back(convert(item));
  }
  return out;
}

}  // namespace

nlohmann::json toJson(const VrrpModel& vrrp) {
  json delays = json::array();
  for (const InterfaceDelay& d : vrrp.interfaceDelays) {
    delays.push_back(
        {{"interface", d.interface}, {"down", dump::seconds(d.down)}, {"up", dump::seconds(d.up)}});
  }
  return {{"vrrp_scripts", each(vrrp.scripts, script)},
          {"track_files", each(vrrp.trackFiles, trackFile)},
          {"track_processes", each(vrrp.trackProcesses, trackProcess)},
          {"sync_groups", each(vrrp.syncGroups, syncGroup)},
          {"instances", each(vrrp.instances, instance)},
          {"track_groups", each(vrrp.trackGroups,
                                [](const TrackGroup& g) {
                                  return json{{"name", g.name}, {"group", names(g.members)}};
                                })},
          {"static_ipaddress", addresses(vrrp.staticAddresses)},
          {"static_routes", routes(vrrp.staticRoutes)},
          {"static_rules", rules(vrrp.staticRules)},
          {"interface_up_down_delays", delays}};
}

}  // namespace vigil::config
