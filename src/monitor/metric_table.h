#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

// Every metric vigil exports, declared once (STYLE.md 14): name, type, help
// and label names. A MetricSet holds samples only of these rows, so a metric
// that is not here cannot be emitted. Two views read the table: the
// Prometheus text of /metrics (metric_set.h) and its JSON twin
// /metrics.json (metrics_json.h). /status is not one of them: it passes the
// workers' snapshots through as they came. The SNMP MIBs (monitor/snmp)
// read the snapshots themselves, column by column, since their OIDs, types
// and indexes are fixed by KEEPALIVED-MIB and RFC 6527, not by this table.
namespace vigil::monitor {

// A Histogram's series are its cumulative `_bucket`s, `_sum` and `_count`.
enum class MetricType { Gauge, Counter, Histogram };

enum class MetricId : uint8_t {
  ConfigGeneration,
  WorkerUp,
  WorkerRestarts,
  WorkerSnapshotAge,
  WorkerSnapshotPatchesRefused,
  WorkerSnapshotResyncs,
  SnmpModuleLoadFailed,
  HttpConnectionsAccepted,
  HttpRejected,
  SmtpAlertsSent,
  SmtpAlertsFailed,
  SmtpAlertsDropped,
  VrrpInstanceState,
  VrrpInstancePriority,
  VrrpInstanceConfiguredPriority,
  VrrpInstanceTransitions,
  VrrpInstanceLastTransition,
  VrrpInstanceAdvertsSent,
  VrrpInstanceAdvertsReceived,
  VrrpInstanceSendErrors,
  VrrpInstanceMasterTransitions,
  VrrpInstancePriorityZeroSent,
  VrrpInstancePriorityZeroReceived,
  VrrpInstanceRejected,
  VrrpSocketRejected,
  VrrpSocketQuietAdverts,
  VrrpSocketQuietDrains,
  VrrpSyncGroupState,
  VrrpSyncGroupTakeoversHeld,
  VrrpLoopLateness,
  VrrpRoutingInstallFailures,
  VrrpRoutingEntriesFailing,
  VrrpStaticEntriesRestored,
  VrrpVirtualEntriesRestored,
  VrrpDeletionNotificationsLost,
  VrrpNetlinkGroupJoinFailures,
  VrrpStaticResyncs,
  VrrpStaticResyncFailures,
  CheckModuleLoadFailed,
  RealServerUp,
  RealServerWeight,
  RealServerCheckAttempts,
  RealServerCheckFailures,
  VirtualServerRealServersUp,
  VirtualServerRealServers,
  VirtualServerQuorumUp,
  VirtualServerSorryServerActive,
  CheckDuration,
  VirtualServerCheckDuration,
  CheckLateTimeouts,
  CheckDeferredStarts,
  CheckStartsPerTickLimit,
  IpvsConnections,
  IpvsIncomingPackets,
  IpvsOutgoingPackets,
  IpvsIncomingBytes,
  IpvsOutgoingBytes,
  IpvsBackendConnectionsActive,
  IpvsBackendConnectionsInactive,
  IpvsBackendWeight,
  IpvsServiceConnections,
  IpvsServiceIncomingPackets,
  IpvsServiceOutgoingPackets,
  IpvsServiceIncomingBytes,
  IpvsServiceOutgoingBytes,
  CheckSynSent,
  CheckSynRetransmits,
  CheckSynSynAcks,
  CheckSynResets,
  CheckSynTimeouts,
  CheckSynRepliesDropped,
  CheckSynSendErrors,
};
inline constexpr size_t kMetricCount = 72;

// node_ipvs_backend_* carry six (node_exporter's labels).
inline constexpr size_t kMaxLabels = 6;

struct MetricDef {
  MetricId id;
  std::string_view name;
  MetricType type;
  std::string_view help;
  std::array<std::string_view, kMaxLabels> labels;  // unused slots are empty

  size_t labelCount() const;
};

const MetricDef& metricDef(MetricId id);
// "gauge", "counter", "histogram": the text format's TYPE word.
std::string_view metricTypeName(MetricType type);
const std::array<MetricDef, kMetricCount>& metricTable();

// The VRRP states a `vigil_vrrp_instance_state` StateSet always lists
// (RFC 5798's three plus FAULT, and NOT_RUNNING for an instance the worker
// could not start), so a dashboard sees 0 for the states not held.
inline constexpr std::array<std::string_view, 5> kVrrpStates = {"INIT", "BACKUP", "MASTER", "FAULT",
                                                                "NOT_RUNNING"};
// The `le` bounds vigil_check_duration_seconds keeps of the check worker's
// finer ones (DurationHistogram), seconds. A connect or HTTP answer takes
// ~0.1-50 ms, so four bounds split that range at 1, 5, 25 and 100 ms; past
// that, 0.5 s tells "slow but answered" from a timeout, and with
// connect_timeout typically 1-5 s (a timeout counts its full length),
// 2.5 s splits short timeouts from long ones (the rest land in +Inf).
// Seven buckets instead of fourteen: at 10,000 real servers the duration
// series were most of a 24 MiB body. Each is also one of the worker's
// bounds, so dropping the others keeps these counts exact.
inline constexpr std::array<double, 6> kCheckDurationBounds = {0.001, 0.005, 0.025, 0.1, 0.5, 2.5};

// The reasons vigil_http_requests_rejected_total counts (HttpServer::Stats).
inline constexpr std::array<std::string_view, 4> kHttpRejectReasons = {"bad_request", "timeout",
                                                                       "evicted", "refused"};

// The reasons vigil_smtp_alerts_failed_total counts (SmtpMailStats).
inline constexpr std::array<std::string_view, 3> kSmtpFailReasons = {"connection", "timeout",
                                                                     "rejected"};

inline constexpr std::array<std::string_view, 4> kSyncGroupStates = {"INIT", "BACKUP", "MASTER",
                                                                     "FAULT"};

}  // namespace vigil::monitor
