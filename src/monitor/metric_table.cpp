#include "monitor/metric_table.h"

namespace vigil::monitor {
namespace {

using enum MetricType;

// Label names shared by several metrics.
constexpr std::string_view kVs = "virtual_server";
constexpr std::string_view kRs = "real_server";
// Not "instance": Prometheus gives that name to the scrape target and would
// rename ours to exported_instance.
constexpr std::string_view kInstance = "vrrp_instance";
// node_exporter's ipvs collector's backend labels, in its order, so
// dashboards built for it work on vigil's /metrics unchanged.
constexpr std::array<std::string_view, kMaxLabels> kIpvsService = {"local_address", "local_port",
                                                                   "proto", "local_mark"};
constexpr std::array<std::string_view, kMaxLabels> kIpvsBackend = {
    "local_address", "local_port", "remote_address", "remote_port", "proto", "local_mark"};

constexpr std::array<MetricDef, kMetricCount> kTable = {{
    {MetricId::ConfigGeneration,
     "vigil_config_generation",
     Gauge,
     "Configuration generation the supervisor runs (1 at start, +1 per accepted reload).",
     {}},
    {MetricId::WorkerUp,
     "vigil_worker_up",
     Gauge,
     "1 while the worker process is running.",
     {"worker"}},
    {MetricId::WorkerRestarts,
     "vigil_worker_restarts_total",
     Counter,
     "Times the supervisor respawned the worker.",
     {"worker"}},
    {MetricId::WorkerSnapshotAge,
     "vigil_worker_snapshot_age_seconds",
     Gauge,
     "Seconds since the worker's last snapshot reached the supervisor.",
     {"worker"}},
    {MetricId::WorkerSnapshotPatchesRefused,
     "vigil_worker_snapshot_patches_refused_total",
     Counter,
     "Snapshot patches from the worker that did not apply (its snapshot stays stale until a full "
     "one does), since vigild started.",
     {"worker"}},
    {MetricId::WorkerSnapshotResyncs,
     "vigil_worker_snapshot_resyncs_total",
     Counter,
     "Full snapshots the supervisor asked the worker for after a refused patch, since vigild "
     "started.",
     {"worker"}},
    {MetricId::SnmpModuleLoadFailed,
     "vigil_snmp_module_load_failed",
     Gauge,
     "1 when SNMP is configured but vigil-snmp.so could not be loaded (SNMP stays off until "
     "vigild restarts), 0 once it is loaded.",
     {}},
    {MetricId::HttpConnectionsAccepted,
     "vigil_http_connections_accepted_total",
     Counter,
     "Connections the monitoring endpoint (metrics_listen) accepted.",
     {}},
    {MetricId::HttpRejected,
     "vigil_http_requests_rejected_total",
     Counter,
     "Connections the monitoring endpoint closed by its limits, by reason: bad_request (answered "
     "4xx, e.g. malformed or an oversized head), timeout (request head not complete in time, or "
     "idle), evicted (closed for a newer connection), refused (every connection busy).",
     {"reason"}},
    {MetricId::SmtpAlertsSent,
     "vigil_smtp_alerts_sent_total",
     Counter,
     "smtp_alert mails the mail server accepted (250 after DATA).",
     {}},
    {MetricId::SmtpAlertsFailed,
     "vigil_smtp_alerts_failed_total",
     Counter,
     "smtp_alert mails not sent, by reason: connection (refused, reset or closed), timeout (no "
     "reply within smtp_connect_timeout), rejected (the server refused a step or answered "
     "malformed).",
     {"reason"}},
    {MetricId::SmtpAlertsDropped,
     "vigil_smtp_alerts_dropped_total",
     Counter,
     "smtp_alert mails pushed out of the full send queue by newer ones, never tried.",
     {}},
    {MetricId::VrrpInstanceState,
     "vigil_vrrp_instance_state",
     Gauge,
     "VRRP instance state as a StateSet: 1 for the state held, 0 for the others.",
     {kInstance, "state"}},
    {MetricId::VrrpInstancePriority,
     "vigil_vrrp_instance_priority",
     Gauge,
     "Effective priority (configured priority adjusted by tracking).",
     {kInstance}},
    {MetricId::VrrpInstanceConfiguredPriority,
     "vigil_vrrp_instance_configured_priority",
     Gauge,
     "Priority as configured.",
     {kInstance}},
    {MetricId::VrrpInstanceTransitions,
     "vigil_vrrp_instance_transitions_total",
     Counter,
     "State transitions of the instance.",
     {kInstance}},
    {MetricId::VrrpInstanceLastTransition,
     "vigil_vrrp_instance_last_transition_timestamp_seconds",
     Gauge,
     "Unix time of the instance's last state transition.",
     {kInstance}},
    {MetricId::VrrpInstanceAdvertsSent,
     "vigil_vrrp_instance_adverts_sent_total",
     Counter,
     "VRRP advertisements sent.",
     {kInstance}},
    {MetricId::VrrpInstanceAdvertsReceived,
     "vigil_vrrp_instance_adverts_received_total",
     Counter,
     "VRRP advertisements received and accepted by the instance.",
     {kInstance}},
    {MetricId::VrrpInstanceSendErrors,
     "vigil_vrrp_instance_send_errors_total",
     Counter,
     "Advertisements the kernel refused to send.",
     {kInstance}},
    {MetricId::VrrpInstanceMasterTransitions,
     "vigil_vrrp_instance_master_transitions_total",
     Counter,
     "Times the instance became Master (RFC 6527 vrrpv3StatisticsMasterTransitions).",
     {kInstance}},
    {MetricId::VrrpInstancePriorityZeroSent,
     "vigil_vrrp_instance_priority_zero_adverts_sent_total",
     Counter,
     "Priority-0 advertisements sent (the Master resigning; RFC 6527 SentPriZeroPackets).",
     {kInstance}},
    {MetricId::VrrpInstancePriorityZeroReceived,
     "vigil_vrrp_instance_priority_zero_adverts_received_total",
     Counter,
     "Priority-0 advertisements received and accepted (RFC 6527 RcvdPriZeroPackets).",
     {kInstance}},
    {MetricId::VrrpInstanceRejected,
     "vigil_vrrp_instance_received_errors_total",
     Counter,
     "Received advertisements for the instance that were rejected, by reason.",
     {kInstance, "reason"}},
    {MetricId::VrrpSocketRejected,
     "vigil_vrrp_socket_received_errors_total",
     Counter,
     "Received packets rejected before reaching an instance, by reason.",
     {"interface", "family", "reason"}},
    {MetricId::VrrpSocketQuietAdverts,
     "vigil_vrrp_socket_quiet_adverts_total",
     Counter,
     "Routine advertisements of a healthy master that queued on the socket's quiet side and were "
     "handled in batches (quiet backups).",
     {"interface", "family"}},
    {MetricId::VrrpSocketQuietDrains,
     "vigil_vrrp_socket_quiet_drains_total",
     Counter,
     "Batches of queued routine advertisements handled (each a worker wake-up that found some).",
     {"interface", "family"}},
    {MetricId::VrrpSyncGroupState,
     "vigil_vrrp_sync_group_state",
     Gauge,
     "Sync group state as a StateSet: 1 for the state held, 0 for the others.",
     {"group", "state"}},
    {MetricId::VrrpSyncGroupTakeoversHeld,
     "vigil_vrrp_sync_group_takeovers_held_total",
     Counter,
     "Takeovers a member's Master_Down_Timer asked for and the group held back (not every member "
     "could take over).",
     {"group"}},
    {MetricId::VrrpLoopLateness,
     "vigil_vrrp_loop_lateness_seconds",
     Histogram,
     "How late the VRRP worker's loop ran a probe timer past its deadline (every 250 ms).",
     {}},
    {MetricId::VrrpRoutingInstallFailures,
     "vigil_vrrp_routing_install_failures_total",
     Counter,
     "Adds of routes and rules that failed (the kernel refused them, or they could not be "
     "built), each retry counted, by configuration block; vrrp_instance is empty for "
     "static_routes and static_rules.",
     {kInstance, "kind"}},
    {MetricId::VrrpRoutingEntriesFailing,
     "vigil_vrrp_routing_entries_failing",
     Gauge,
     "Routes and rules not installed because their last add failed, by configuration block; 0 "
     "again once an add succeeds or the entry is no longer wanted.",
     {kInstance, "kind"}},
    {MetricId::VrrpStaticEntriesRestored,
     "vigil_vrrp_static_entries_restored_total",
     Counter,
     "Static entries added again after the kernel reported them deleted behind the VRRP worker's "
     "back (keepalived's \"restoring deleted\"), by configuration block.",
     {"kind"}},
    {MetricId::VrrpVirtualEntriesRestored,
     "vigil_vrrp_virtual_entries_restored_total",
     Counter,
     "A MASTER's virtual routes and rules added again after the kernel reported them deleted "
     "behind its back, or a reading of its tables after lost notifications found them missing.",
     {kInstance, "kind"}},
    {MetricId::VrrpDeletionNotificationsLost,
     "vigil_vrrp_deletion_notifications_lost_total",
     Counter,
     "Times the kernel dropped the VRRP worker's address, route and rule deletion notifications "
     "(ENOBUFS); each is followed by a reading of the kernel's tables that adds back the static "
     "entries and a MASTER's virtual routes and rules deleted unseen "
     "(vigil_vrrp_static_resyncs_total).",
     {}},
    {MetricId::VrrpNetlinkGroupJoinFailures,
     "vigil_vrrp_netlink_group_join_failures_total",
     Counter,
     "Times the VRRP worker could not join (or leave) the rtnetlink groups its static entries' "
     "and virtual routes' and rules' deletions arrive on; deletions go unseen until a reload "
     "joins them.",
     {}},
    {MetricId::VrrpStaticResyncs,
     "vigil_vrrp_static_resyncs_total",
     Counter,
     "Readings of the kernel's addresses, routes and rules the VRRP worker made after lost "
     "deletion notifications, each adding back the static entries and a MASTER's virtual routes "
     "and rules it found missing (counted in vigil_vrrp_static_entries_restored_total and "
     "vigil_vrrp_virtual_entries_restored_total).",
     {}},
    {MetricId::VrrpStaticResyncFailures,
     "vigil_vrrp_static_resync_failures_total",
     Counter,
     "Those readings that failed (tried again after 1 s, three times in a row at most).",
     {}},
    {MetricId::CheckModuleLoadFailed,
     "vigil_check_module_load_failed",
     Gauge,
     "1 when the check worker needed the module (vigil-http.so for HTTP_GET and SSL_GET) and "
     "could not load it (those checks fail as internal errors), 0 once it is loaded.",
     {"module"}},
    {MetricId::RealServerUp,
     "vigil_real_server_up",
     Gauge,
     "1 while every checker of the real server passes.",
     {kVs, kRs}},
    {MetricId::RealServerWeight,
     "vigil_real_server_weight",
     Gauge,
     "Current weight of the real server (configured, or set by a dynamic checker); a real server "
     "that is down is out of the dataplane whatever its weight.",
     {kVs, kRs}},
    {MetricId::RealServerCheckAttempts,
     "vigil_real_server_check_attempts_total",
     Counter,
     "Probe attempts of the real server's checkers, by checker type.",
     {kVs, kRs, "checker"}},
    {MetricId::RealServerCheckFailures,
     "vigil_real_server_check_failures_total",
     Counter,
     "Failed probe attempts, by checker type and failure reason.",
     {kVs, kRs, "checker", "reason"}},
    {MetricId::VirtualServerRealServersUp,
     "vigil_virtual_server_real_servers_up",
     Gauge,
     "Real servers of the virtual server that are up.",
     {kVs}},
    {MetricId::VirtualServerRealServers,
     "vigil_virtual_server_real_servers",
     Gauge,
     "Real servers configured for the virtual server.",
     {kVs}},
    {MetricId::VirtualServerQuorumUp,
     "vigil_virtual_server_quorum_up",
     Gauge,
     "1 while the live weight of the virtual server meets its quorum.",
     {kVs}},
    {MetricId::VirtualServerSorryServerActive,
     "vigil_virtual_server_sorry_server_active",
     Gauge,
     "1 while the sorry server replaces the real servers (quorum lost).",
     {kVs}},
    {MetricId::CheckDuration,
     "vigil_check_duration_seconds",
     Histogram,
     "How long the real server's probe attempts took (a timeout counts its full length), by "
     "checker type.",
     {kVs, kRs, "checker"}},
    {MetricId::VirtualServerCheckDuration,
     "vigil_virtual_server_check_duration_seconds",
     Histogram,
     "How long the probe attempts of all the virtual server's real servers took, by checker type "
     "(metrics_check_duration per_service).",
     {kVs, "checker"}},
    {MetricId::CheckLateTimeouts,
     "vigil_check_late_timeouts_total",
     Counter,
     "Attempt timeouts that fired late (the check worker's loop was busy) and were extended once "
     "before counting as a timeout, since the check worker started (a reload that drops checkers "
     "keeps their count).",
     {}},
    {MetricId::CheckDeferredStarts,
     "vigil_check_deferred_starts_total",
     Counter,
     "Check attempts that fell due beyond the per-tick start cap (or the in-flight cap) and "
     "started on a later 50 ms tick.",
     {}},
    {MetricId::CheckStartsPerTickLimit,
     "vigil_check_starts_per_tick_limit",
     Gauge,
     "Check attempts the check worker starts at most per 50 ms tick (also its in-flight cap).",
     {}},
    {MetricId::IpvsConnections,
     "node_ipvs_connections_total",
     Counter,
     "The total number of connections made (summed over the services in the IPVS table).",
     {}},
    {MetricId::IpvsIncomingPackets,
     "node_ipvs_incoming_packets_total",
     Counter,
     "The total number of incoming packets (summed over the services in the IPVS table).",
     {}},
    {MetricId::IpvsOutgoingPackets,
     "node_ipvs_outgoing_packets_total",
     Counter,
     "The total number of outgoing packets (summed over the services in the IPVS table).",
     {}},
    {MetricId::IpvsIncomingBytes,
     "node_ipvs_incoming_bytes_total",
     Counter,
     "The total amount of incoming data (summed over the services in the IPVS table).",
     {}},
    {MetricId::IpvsOutgoingBytes,
     "node_ipvs_outgoing_bytes_total",
     Counter,
     "The total amount of outgoing data (summed over the services in the IPVS table).",
     {}},
    {MetricId::IpvsBackendConnectionsActive, "node_ipvs_backend_connections_active", Gauge,
     "The current active connections by local and remote address.", kIpvsBackend},
    {MetricId::IpvsBackendConnectionsInactive, "node_ipvs_backend_connections_inactive", Gauge,
     "The current inactive connections by local and remote address.", kIpvsBackend},
    {MetricId::IpvsBackendWeight, "node_ipvs_backend_weight", Gauge,
     "The current backend weight by local and remote address.", kIpvsBackend},
    {MetricId::IpvsServiceConnections, "vigil_ipvs_service_connections_total", Counter,
     "Connections the IPVS service scheduled since it was added.", kIpvsService},
    {MetricId::IpvsServiceIncomingPackets, "vigil_ipvs_service_incoming_packets_total", Counter,
     "Packets from clients to the IPVS service.", kIpvsService},
    {MetricId::IpvsServiceOutgoingPackets, "vigil_ipvs_service_outgoing_packets_total", Counter,
     "Packets from the real servers back to clients (NAT only; DR and TUN replies bypass the "
     "director).",
     kIpvsService},
    {MetricId::IpvsServiceIncomingBytes, "vigil_ipvs_service_incoming_bytes_total", Counter,
     "Bytes from clients to the IPVS service.", kIpvsService},
    {MetricId::IpvsServiceOutgoingBytes, "vigil_ipvs_service_outgoing_bytes_total", Counter,
     "Bytes from the real servers back to clients (NAT only).", kIpvsService},
    {MetricId::CheckSynSent,
     "vigil_check_syn_sent_total",
     Counter,
     "SYNs the half-open TCP_CHECKs (tcp_check_mode syn) sent, retransmits included.",
     {}},
    {MetricId::CheckSynRetransmits,
     "vigil_check_syn_retransmits_total",
     Counter,
     "SYNs sent again within an attempt because the first went unanswered.",
     {}},
    {MetricId::CheckSynSynAcks,
     "vigil_check_syn_synacks_total",
     Counter,
     "Half-open check attempts answered by a SYN-ACK (up).",
     {}},
    {MetricId::CheckSynResets,
     "vigil_check_syn_resets_total",
     Counter,
     "Half-open check attempts answered by a RST (refused).",
     {}},
    {MetricId::CheckSynTimeouts,
     "vigil_check_syn_timeouts_total",
     Counter,
     "Half-open check attempts whose connect_timeout elapsed unanswered.",
     {}},
    {MetricId::CheckSynRepliesDropped,
     "vigil_check_syn_replies_dropped_total",
     Counter,
     "SYN-ACKs and RSTs to the probe port that matched no attempt in flight (late, a duplicate "
     "answer to a retransmit, or foreign).",
     {}},
    {MetricId::CheckSynSendErrors,
     "vigil_check_syn_send_errors_total",
     Counter,
     "SYNs that could not be sent (no route or source, or the kernel refused them).",
     {}},
}};

// The table is indexed by MetricId; a misplaced row fails the build.
constexpr bool tableInIdOrder() {
  for (size_t i = 0; i < kTable.size(); ++i) {
    if (static_cast<size_t>(kTable[i].id) != i) return false;
  }
  return true;
}
static_assert(tableInIdOrder(), "kTable rows must follow MetricId order");

}  // namespace

size_t MetricDef::labelCount() const {
  size_t n = 0;
  while (n < labels.size() && !labels[n].empty()) ++n;
  return n;
}

const MetricDef& metricDef(MetricId id) { return kTable[static_cast<size_t>(id)]; }

std::string_view metricTypeName(MetricType type) {
  switch (type) {
    case Counter:
      return "counter";
    case Histogram:
      return "histogram";
    case Gauge:
      break;
  }
  return "gauge";
}

const std::array<MetricDef, kMetricCount>& metricTable() { return kTable; }

}  // namespace vigil::monitor
