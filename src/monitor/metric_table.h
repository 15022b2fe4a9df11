#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

// Every metric vigil exports, declared once (STYLE.md 14): name, type, help
// and label names. The Prometheus renderer, /status and (later) SNMP read
// this table; a metric that is not here cannot be emitted.
namespace vigil::monitor {

// A Histogram's series are its cumulative `_bucket`s, `_sum` and `_count`.
enum class MetricType { Gauge, Counter, Histogram };

enum class MetricId : uint8_t {
  ConfigGeneration,
  WorkerUp,
  WorkerRestarts,
  WorkerSnapshotAge,
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
  VrrpSyncGroupState,
  VrrpSyncGroupTakeoversHeld,
  VrrpLoopLateness,
  RealServerUp,
  RealServerWeight,
  RealServerCheckAttempts,
  RealServerCheckFailures,
  VirtualServerRealServersUp,
  VirtualServerRealServers,
  VirtualServerQuorumUp,
  VirtualServerSorryServerActive,
  CheckDuration,
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
};
inline constexpr size_t kMetricCount = 42;

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
const std::array<MetricDef, kMetricCount>& metricTable();

// The VRRP states a `vigil_vrrp_instance_state` StateSet always lists
// (RFC 5798's three plus FAULT, and NOT_RUNNING for an instance the worker
// could not start), so a dashboard sees 0 for the states not held.
inline constexpr std::array<std::string_view, 5> kVrrpStates = {"INIT", "BACKUP", "MASTER", "FAULT",
                                                                "NOT_RUNNING"};
inline constexpr std::array<std::string_view, 4> kSyncGroupStates = {"INIT", "BACKUP", "MASTER",
                                                                     "FAULT"};

}  // namespace vigil::monitor
