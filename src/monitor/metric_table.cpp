#include "monitor/metric_table.h"

namespace vigil::monitor {
namespace {

using enum MetricType;

// Label names shared by several metrics.
constexpr std::string_view kVs = "virtual_server";
constexpr std::string_view kRs = "real_server";

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
    {MetricId::VrrpInstanceState,
     "vigil_vrrp_instance_state",
     Gauge,
     "VRRP instance state as a StateSet: 1 for the state held, 0 for the others.",
     {"instance", "state"}},
    {MetricId::VrrpInstancePriority,
     "vigil_vrrp_instance_priority",
     Gauge,
     "Effective priority (configured priority adjusted by tracking).",
     {"instance"}},
    {MetricId::VrrpInstanceConfiguredPriority,
     "vigil_vrrp_instance_configured_priority",
     Gauge,
     "Priority as configured.",
     {"instance"}},
    {MetricId::VrrpInstanceTransitions,
     "vigil_vrrp_instance_transitions_total",
     Counter,
     "State transitions of the instance.",
     {"instance"}},
    {MetricId::VrrpInstanceLastTransition,
     "vigil_vrrp_instance_last_transition_timestamp_seconds",
     Gauge,
     "Unix time of the instance's last state transition.",
     {"instance"}},
    {MetricId::VrrpInstanceAdvertsSent,
     "vigil_vrrp_instance_adverts_sent_total",
     Counter,
     "VRRP advertisements sent.",
     {"instance"}},
    {MetricId::VrrpInstanceAdvertsReceived,
     "vigil_vrrp_instance_adverts_received_total",
     Counter,
     "VRRP advertisements received and accepted by the instance.",
     {"instance"}},
    {MetricId::VrrpInstanceSendErrors,
     "vigil_vrrp_instance_send_errors_total",
     Counter,
     "Advertisements the kernel refused to send.",
     {"instance"}},
    {MetricId::VrrpInstanceMasterTransitions,
     "vigil_vrrp_instance_master_transitions_total",
     Counter,
     "Times the instance became Master (RFC 6527 vrrpv3StatisticsMasterTransitions).",
     {"instance"}},
    {MetricId::VrrpInstancePriorityZeroSent,
     "vigil_vrrp_instance_priority_zero_adverts_sent_total",
     Counter,
     "Priority-0 advertisements sent (the Master resigning; RFC 6527 SentPriZeroPackets).",
     {"instance"}},
    {MetricId::VrrpInstancePriorityZeroReceived,
     "vigil_vrrp_instance_priority_zero_adverts_received_total",
     Counter,
     "Priority-0 advertisements received and accepted (RFC 6527 RcvdPriZeroPackets).",
     {"instance"}},
    {MetricId::VrrpInstanceRejected,
     "vigil_vrrp_instance_received_errors_total",
     Counter,
     "Received advertisements for the instance that were rejected, by reason.",
     {"instance", "reason"}},
    {MetricId::VrrpSocketRejected,
     "vigil_vrrp_socket_received_errors_total",
     Counter,
     "Received packets rejected before reaching an instance, by reason.",
     {"interface", "family", "reason"}},
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

const std::array<MetricDef, kMetricCount>& metricTable() { return kTable; }

}  // namespace vigil::monitor
