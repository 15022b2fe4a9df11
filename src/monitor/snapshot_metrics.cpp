#include "monitor/snapshot_metrics.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <tuple>

#include "monitor/health.h"
#include "monitor/snapshot_parts.h"

namespace vigil::monitor {
namespace {

using nlohmann::json;
using enum MetricId;

std::optional<double> number(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end()) return std::nullopt;
  if (it->is_boolean()) return it->get<bool>() ? 1.0 : 0.0;
  if (it->is_number()) return it->get<double>();
  return std::nullopt;
}

std::string text(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

void setIf(MetricSet& m, MetricId id, MetricSet::Labels labels, std::optional<double> value) {
  if (value) m.set(id, std::move(labels), *value);
}

// A StateSet: one series per known state, 1 for the one held; a state not
// in the known list still gets its series.
template <class States>
void stateSet(MetricSet& m, MetricId id, const std::string& owner, const std::string& held,
              const States& known) {
  bool listed = false;
  for (std::string_view state : known) {
    m.set(id, {owner, std::string(state)}, state == held ? 1 : 0);
    listed = listed || state == held;
  }
  if (!listed && !held.empty()) m.set(id, {owner, held}, 1);
}

// Counters by reason: {"reason": count, ...}.
void byReason(MetricSet& m, MetricId id, const MetricSet::Labels& owner, const json& reasons) {
  if (!reasons.is_object()) return;
  for (const auto& [reason, count] : reasons.items()) {
    if (!count.is_number()) continue;
    MetricSet::Labels labels = owner;
    labels.push_back(reason);
    m.add(id, std::move(labels), count.get<double>());
  }
}

// How long before `view.now` the snapshot arrived (the worker builds it
// just before sending).
double snapshotAgeSeconds(const WorkerStatus& worker, const MonitorView& view) {
  if (!worker.lastSnapshotAt) return 0;
  return std::chrono::duration<double>(view.now - *worker.lastSnapshotAt).count();
}

// {"install_failures": {KIND: n, ...}, "failing": [{"kind": KIND, ...}],
// "restored": {KIND: n, ...}} of VrrpWorker::snapshot (an instance's
// "restored" only): one series of each metric per KIND, failing counted per
// kind (0 when none fail).
void vrrpRouting(MetricSet& m, const std::string& instance, const json& routing) {
  if (!routing.is_object()) return;
  auto failures = routing.find("install_failures");
  if (failures == routing.end() || !failures->is_object()) return;
  std::map<std::string, double> failing;
  for (const auto& [kind, count] : failures->items()) {
    if (!count.is_number()) continue;
    m.set(VrrpRoutingInstallFailures, {instance, kind}, count.get<double>());
    failing[kind] = 0;
  }
  if (auto current = routing.find("failing"); current != routing.end() && current->is_array()) {
    for (const json& entry : *current) {
      if (entry.is_object()) failing[text(entry, "kind")] += 1;
    }
  }
  for (const auto& [kind, count] : failing)
    m.set(VrrpRoutingEntriesFailing, {instance, kind}, count);
  if (auto restored = routing.find("restored");
      restored != routing.end() && restored->is_object()) {
    for (const auto& [kind, count] : restored->items()) {
      if (count.is_number())
        m.set(VrrpVirtualEntriesRestored, {instance, kind}, count.get<double>());
    }
  }
}

// {"restored": {KIND: n, ...}, "notifications_lost": n, "watch_failures":
// n, "resyncs": n, "resync_failures": n} of VrrpWorker::snapshot.
void vrrpStaticDeletions(MetricSet& m, const json& deletions) {
  if (!deletions.is_object()) return;
  if (auto restored = deletions.find("restored");
      restored != deletions.end() && restored->is_object()) {
    for (const auto& [kind, count] : restored->items()) {
      if (count.is_number()) m.set(VrrpStaticEntriesRestored, {kind}, count.get<double>());
    }
  }
  setIf(m, VrrpDeletionNotificationsLost, {}, number(deletions, "notifications_lost"));
  setIf(m, VrrpNetlinkGroupJoinFailures, {}, number(deletions, "watch_failures"));
  setIf(m, VrrpStaticResyncs, {}, number(deletions, "resyncs"));
  setIf(m, VrrpStaticResyncFailures, {}, number(deletions, "resync_failures"));
}

void vrrpInstance(MetricSet& m, const json& inst, double snapshotWall) {
  const std::string name = text(inst, "name");
  if (name.empty()) return;
  stateSet(m, VrrpInstanceState, name, text(inst, "state"), kVrrpStates);
  setIf(m, VrrpInstancePriority, {name}, number(inst, "effective_priority"));
  setIf(m, VrrpInstanceConfiguredPriority, {name}, number(inst, "priority"));
  if (auto routing = inst.find("routing"); routing != inst.end()) vrrpRouting(m, name, *routing);
  auto counters = inst.find("counters");
  if (counters == inst.end() || !counters->is_object()) return;
  setIf(m, VrrpInstanceTransitions, {name}, number(*counters, "transitions"));
  setIf(m, VrrpInstanceAdvertsSent, {name}, number(*counters, "adverts_sent"));
  setIf(m, VrrpInstanceAdvertsReceived, {name}, number(*counters, "adverts_received"));
  setIf(m, VrrpInstanceSendErrors, {name}, number(*counters, "send_errors"));
  setIf(m, VrrpInstanceMasterTransitions, {name}, number(*counters, "became_master"));
  setIf(m, VrrpInstancePriorityZeroSent, {name}, number(*counters, "priority_zero_sent"));
  setIf(m, VrrpInstancePriorityZeroReceived, {name}, number(*counters, "priority_zero_received"));
  // The system clock's reading at the transition; a worker that sends only
  // the age is placed on the supervisor's clock.
  if (auto wall = number(*counters, "last_transition_unix")) {
    m.set(VrrpInstanceLastTransition, {name}, *wall);
  } else if (auto ago = number(*counters, "last_transition_ms_ago")) {
    m.set(VrrpInstanceLastTransition, {name}, snapshotWall - *ago / 1000.0);
  }
  if (auto rejected = counters->find("rejected"); rejected != counters->end()) {
    byReason(m, VrrpInstanceRejected, {name}, *rejected);
  }
  // Unicast adverts from a peer not in unicast_peer: counted apart by the
  // worker, one more reason here.
  if (auto unknown = number(*counters, "unknown_unicast_source"); unknown && *unknown > 0) {
    m.add(VrrpInstanceRejected, {name, "unknown_unicast_source"}, *unknown);
  }
}

// {"bounds": [...], "cumulative": [...], "count": n, "sum_seconds": s}; a
// malformed one is left out rather than shown wrong.
std::optional<MetricSet::Histogram> histogram(const json& j) {
  if (!j.is_object()) return std::nullopt;
  auto bounds = j.find("bounds");
  auto cumulative = j.find("cumulative");
  auto count = number(j, "count");
  auto sum = number(j, "sum_seconds");
  if (bounds == j.end() || cumulative == j.end() || !bounds->is_array() ||
      !cumulative->is_array() || bounds->size() != cumulative->size() || !count || !sum) {
    return std::nullopt;
  }
  MetricSet::Histogram h;
  for (size_t i = 0; i < bounds->size(); ++i) {
    if (!(*bounds)[i].is_number() || !(*cumulative)[i].is_number()) return std::nullopt;
    h.bounds.push_back((*bounds)[i].get<double>());
    h.cumulative.push_back((*cumulative)[i].get<double>());
  }
  h.count = *count;
  h.sum = *sum;
  return h;
}

// Adds `more` into `into` (two checkers of one type on one real server
// share a series, per_service sums a virtual server's). An empty one takes
// the other's bounds; non-empty ones with other bounds are not merged.
void mergeHistogram(MetricSet::Histogram& into, const MetricSet::Histogram& more) {
  if (into.bounds != more.bounds) {
    if (into.count == 0 && into.sum == 0) into = more;
    return;
  }
  for (size_t i = 0; i < into.cumulative.size(); ++i) into.cumulative[i] += more.cumulative[i];
  into.count += more.count;
  into.sum += more.sum;
}

using Durations = std::map<std::string, MetricSet::Histogram>;  // by checker type

void mergeDurations(Durations& into, const Durations& more) {
  for (const auto& [type, h] : more) {
    auto [it, fresh] = into.emplace(type, h);
    if (!fresh) mergeHistogram(it->second, h);
  }
}

// The real server's checkers' duration histograms, merged by checker type.
Durations checkerDurations(const json& checkers) {
  Durations out;
  for (const json& checker : checkers) {
    if (!checker.is_object()) continue;
    auto duration = checker.find("duration");
    if (duration == checker.end()) continue;
    if (auto h = histogram(*duration)) mergeDurations(out, {{text(checker, "type"), *h}});
  }
  return out;
}

// The bounds of kCheckDurationBounds out of the worker's finer ones (a
// cumulative count at a kept bound stays exact). A series without a sample
// keeps only +Inf, _sum and _count: all its buckets would say 0.
MetricSet::Histogram keepCheckDurationBounds(MetricSet::Histogram h) {
  MetricSet::Histogram kept;
  kept.count = h.count;
  kept.sum = h.sum;
  if (h.count == 0) return kept;
  for (size_t i = 0; i < h.bounds.size(); ++i) {
    if (std::find(kCheckDurationBounds.begin(), kCheckDurationBounds.end(), h.bounds[i]) ==
        kCheckDurationBounds.end()) {
      continue;
    }
    kept.bounds.push_back(h.bounds[i]);
    kept.cumulative.push_back(h.cumulative[i]);
  }
  return kept;
}

void vrrpWorker(MetricSet& m, const json& snap, double snapshotWall) {
  if (auto it = snap.find("instances"); it != snap.end() && it->is_array()) {
    for (const json& inst : *it) {
      if (inst.is_object()) vrrpInstance(m, inst, snapshotWall);
    }
  }
  if (auto it = snap.find("sync_groups"); it != snap.end() && it->is_array()) {
    for (const json& group : *it) {
      if (!group.is_object() || text(group, "name").empty()) continue;
      stateSet(m, VrrpSyncGroupState, text(group, "name"), text(group, "state"), kSyncGroupStates);
      setIf(m, VrrpSyncGroupTakeoversHeld, {text(group, "name")}, number(group, "takeovers_held"));
    }
  }
  if (auto it = snap.find("static_routing"); it != snap.end()) vrrpRouting(m, "", *it);
  if (auto it = snap.find("static_deletions"); it != snap.end()) vrrpStaticDeletions(m, *it);
  if (auto it = snap.find("loop_lateness"); it != snap.end()) {
    if (auto h = histogram(*it)) m.setHistogram(VrrpLoopLateness, {}, std::move(*h));
  }
  if (auto it = snap.find("sockets"); it != snap.end() && it->is_array()) {
    for (const json& socket : *it) {
      if (!socket.is_object()) continue;
      const MetricSet::Labels labels{text(socket, "interface"), text(socket, "family")};
      setIf(m, VrrpSocketQuietAdverts, labels, number(socket, "quiet_adverts"));
      setIf(m, VrrpSocketQuietDrains, labels, number(socket, "quiet_drains"));
      if (auto rejected = socket.find("rejected"); rejected != socket.end()) {
        byReason(m, VrrpSocketRejected, labels, *rejected);
      }
    }
  }
}

// What node_exporter's ipvs collector calls a service: local_address,
// local_port, proto and local_mark as it reads them from /proc/net/ip_vs
// (a fwmark service is proto "FWM" with the mark in %08X and no address).
struct IpvsServiceLabels {
  std::string address;
  std::string port;
  std::string proto;
  std::string mark;
};

IpvsServiceLabels ipvsServiceLabels(const json& service) {
  IpvsServiceLabels l;
  l.proto = text(service, "protocol");
  if (l.proto == "FWM") {
    // Not `= "0"`: GCC 12 then warns of an overlapping memcpy inside
    // std::string (-Wrestrict, a false positive of its inlining).
    l.port.assign(1, '0');
    l.mark = fmt::format("{:08X}", static_cast<uint32_t>(number(service, "fwmark").value_or(0)));
    return l;
  }
  l.address = text(service, "address");
  l.port = fmt::format("{}", static_cast<uint32_t>(number(service, "port").value_or(0)));
  return l;
}

struct IpvsTotals {
  double connections = 0;
  double inPackets = 0;
  double outPackets = 0;
  double inBytes = 0;
  double outBytes = 0;
};

void ipvsService(MetricSet& m, const json& service, IpvsTotals& totals) {
  const IpvsServiceLabels l = ipvsServiceLabels(service);
  const MetricSet::Labels labels = {l.address, l.port, l.proto, l.mark};
  const auto counter = [&](MetricId id, const char* key, double& total) {
    auto value = number(service, key);
    if (!value) return;
    m.add(id, labels, *value);
    total += *value;
  };
  counter(IpvsServiceConnections, "connections", totals.connections);
  counter(IpvsServiceIncomingPackets, "in_packets", totals.inPackets);
  counter(IpvsServiceOutgoingPackets, "out_packets", totals.outPackets);
  counter(IpvsServiceIncomingBytes, "in_bytes", totals.inBytes);
  counter(IpvsServiceOutgoingBytes, "out_bytes", totals.outBytes);
  auto destinations = service.find("destinations");
  if (destinations == service.end() || !destinations->is_array()) return;
  for (const json& dest : *destinations) {
    if (!dest.is_object()) continue;
    const MetricSet::Labels backend = {
        l.address,
        l.port,
        text(dest, "address"),
        fmt::format("{}", static_cast<uint32_t>(number(dest, "port").value_or(0))),
        l.proto,
        l.mark};
    // Summed as node_exporter sums rows with equal labels.
    if (auto v = number(dest, "active_connections"))
      m.add(IpvsBackendConnectionsActive, backend, *v);
    if (auto v = number(dest, "inactive_connections")) {
      m.add(IpvsBackendConnectionsInactive, backend, *v);
    }
    if (auto v = number(dest, "weight")) m.add(IpvsBackendWeight, backend, *v);
  }
}

// node_ipvs_* from the check worker's dataplane counters. The totals are
// the sum over the services the table holds now; the kernel's own totals
// (/proc/net/ip_vs_stats) also keep what deleted services counted.
void ipvsStats(MetricSet& m, const json& dataplane) {
  if (!dataplane.is_object()) return;
  auto stats = dataplane.find("stats");
  if (stats == dataplane.end() || !stats->is_object()) return;
  auto services = stats->find("services");
  if (services == stats->end() || !services->is_array()) return;
  IpvsTotals totals;
  for (const json& service : *services) {
    if (service.is_object()) ipvsService(m, service, totals);
  }
  m.set(IpvsConnections, {}, totals.connections);
  m.set(IpvsIncomingPackets, {}, totals.inPackets);
  m.set(IpvsOutgoingPackets, {}, totals.outPackets);
  m.set(IpvsIncomingBytes, {}, totals.inBytes);
  m.set(IpvsOutgoingBytes, {}, totals.outBytes);
}

// The check worker's start cap and deferrals (check_pacer.h).
void checkPacing(MetricSet& m, const json& snap) {
  auto pacing = snap.find("pacing");
  if (pacing == snap.end() || !pacing->is_object()) return;
  setIf(m, CheckStartsPerTickLimit, {}, number(*pacing, "starts_per_tick_limit"));
  setIf(m, CheckDeferredStarts, {}, number(*pacing, "deferred_starts"));
  // The worker's running total, not a sum over today's checkers: that one
  // would drop when a reload removes a checker.
  setIf(m, CheckLateTimeouts, {}, number(*pacing, "late_timeouts"));
}

// The half-open TCP_CHECK prober's counters (check/tcp_syn_prober.h);
// absent when the worker has no prober.
void checkSynProber(MetricSet& m, const json& snap) {
  auto syn = snap.find("tcp_syn");
  if (syn == snap.end() || !syn->is_object()) return;
  setIf(m, CheckSynSent, {}, number(*syn, "syns_sent"));
  setIf(m, CheckSynRetransmits, {}, number(*syn, "retransmits"));
  setIf(m, CheckSynSynAcks, {}, number(*syn, "syn_acks"));
  setIf(m, CheckSynResets, {}, number(*syn, "resets"));
  setIf(m, CheckSynTimeouts, {}, number(*syn, "timeouts"));
  setIf(m, CheckSynRepliesDropped, {}, number(*syn, "replies_dropped"));
  setIf(m, CheckSynSendErrors, {}, number(*syn, "send_errors"));
}

// {"modules": {"vigil-http.so": {"loaded": false, "error": "..."}}}: the
// modules the check worker tried to load; absent before it needed one.
void checkModules(MetricSet& m, const json& snap) {
  auto modules = snap.find("modules");
  if (modules == snap.end() || !modules->is_object()) return;
  for (const auto& [file, module] : modules->items()) {
    if (!module.is_object()) continue;
    if (auto loaded = number(module, "loaded")) {
      m.set(CheckModuleLoadFailed, {file}, *loaded != 0 ? 0 : 1);
    }
  }
}

void checkWorker(MetricSet& m, const json& snap, const RealServerSink& onRealServer) {
  auto services = snap.find("virtual_servers");
  if (services == snap.end() || !services->is_array()) return;
  for (const json& vs : *services) {
    if (!vs.is_object()) continue;
    const std::string name = text(vs, "name");
    setIf(m, VirtualServerQuorumUp, {name}, number(vs, "quorum_up"));
    setIf(m, VirtualServerSorryServerActive, {name}, number(vs, "sorry_server_active"));
    auto servers = vs.find("real_servers");
    if (servers == vs.end() || !servers->is_array()) continue;
    double up = 0;
    Durations durations;
    for (const json& rs : *servers) {
      if (!rs.is_object()) continue;
      const RealServerSummary summary = onRealServer(name, rs);
      up += summary.up;
      mergeDurations(durations, summary.durations);
    }
    m.set(VirtualServerRealServersUp, {name}, up);
    m.set(VirtualServerRealServers, {name}, static_cast<double>(servers->size()));
    for (auto& [type, h] : durations) {
      m.setHistogram(VirtualServerCheckDuration, {name, type},
                     keepCheckDurationBounds(std::move(h)));
    }
  }
  checkPacing(m, snap);
  checkSynProber(m, snap);
  checkModules(m, snap);
  if (auto dataplane = snap.find("dataplane"); dataplane != snap.end()) ipvsStats(m, *dataplane);
}

void httpMetrics(MetricSet& m, const HttpServer::Stats& stats) {
  m.set(HttpConnectionsAccepted, {}, static_cast<double>(stats.accepted));
  const std::array<uint64_t, kHttpRejectReasons.size()> counts = {stats.badRequests, stats.timedOut,
                                                                  stats.evicted, stats.refused};
  for (size_t i = 0; i < counts.size(); ++i) {
    m.set(HttpRejected, {std::string(kHttpRejectReasons[i])}, static_cast<double>(counts[i]));
  }
}

static_assert(std::tuple_size_v<decltype(SmtpMailStats::failed)> == kSmtpFailReasons.size());

void smtpMetrics(MetricSet& m, const SmtpMailStats& stats) {
  m.set(SmtpAlertsSent, {}, static_cast<double>(stats.sent));
  for (size_t i = 0; i < kSmtpFailReasons.size(); ++i) {
    m.set(SmtpAlertsFailed, {std::string(kSmtpFailReasons[i])},
          static_cast<double>(stats.failed[i]));
  }
  m.set(SmtpAlertsDropped, {}, static_cast<double>(stats.dropped));
}

void addWorkerMetrics(MetricSet& m, const MonitorView& view) {
  m.set(ConfigGeneration, {}, static_cast<double>(view.generation));
  for (const WorkerStatus& worker : view.workers) {
    m.set(WorkerUp, {worker.name}, worker.running ? 1 : 0);
    m.set(WorkerRestarts, {worker.name}, worker.restarts);
    if (worker.lastSnapshotAt) {
      m.set(WorkerSnapshotAge, {worker.name}, snapshotAgeSeconds(worker, view));
    }
    m.set(WorkerSnapshotPatchesRefused, {worker.name}, worker.patchesRefused);
    m.set(WorkerSnapshotResyncs, {worker.name}, worker.resyncsAsked);
  }
  if (view.snmpModuleFailed) m.set(SnmpModuleLoadFailed, {}, *view.snmpModuleFailed ? 1 : 0);
  if (view.http) httpMetrics(m, *view.http);
  if (view.smtp) smtpMetrics(m, *view.smtp);
}

void addSnapshotMetrics(MetricSet& m, const MonitorView& view) {
  for (const WorkerStatus& worker : view.workers) {
    // A dead or restarted worker's last snapshot describes a process that
    // is gone (its VIPs were removed with it): show nothing rather than that.
    if (!hasCurrentSnapshot(worker)) continue;
    json snap = json::parse(worker.lastSnapshot.str(), nullptr, false);
    if (!snap.is_object()) continue;
    collectParsedSnapshot(m, snap, snapshotWallSeconds(worker, view),
                          [&m, &view](const std::string& vs, const json& rs) {
                            collectRealServer(m, vs, rs, view.checkDuration);
                            return summarizeRealServer(rs, view.checkDuration);
                          });
  }
}

}  // namespace

void appendRealServerName(std::string& out, std::string_view address, std::optional<double> port) {
  const bool bracket = address.find(':') != std::string_view::npos;
  if (bracket) out += '[';
  out += address;
  if (bracket) out += ']';
  if (!port) return;
  out += ':';
  // static_cast<long> of a double beyond long's range is undefined: such a
  // port (nonsense anyway) is written rounded instead.
  constexpr double kLongRange = 9.2e18;
  if (std::fabs(*port) < kLongRange) {
    out += std::to_string(static_cast<long>(*port));
  } else {
    out += fmt::format("{:.0f}", *port);
  }
}

std::string realServerName(const json& rs) {
  std::string name;
  appendRealServerName(name, text(rs, "address"), number(rs, "port"));
  return name;
}

void collectRealServer(MetricSet& m, const std::string& vs, const json& rs,
                       config::CheckDurationMetrics mode) {
  const std::string name = realServerName(rs);
  setIf(m, RealServerUp, {vs, name}, number(rs, "up"));
  setIf(m, RealServerWeight, {vs, name}, number(rs, "weight"));
  auto checkers = rs.find("checkers");
  if (checkers == rs.end() || !checkers->is_array()) return;
  for (const json& checker : *checkers) {
    if (!checker.is_object()) continue;
    const std::string type = text(checker, "type");
    if (auto attempts = number(checker, "attempts")) {
      m.add(RealServerCheckAttempts, {vs, name, type}, *attempts);
    }
    auto outcomes = checker.find("outcomes");
    if (outcomes == checker.end() || !outcomes->is_object()) continue;
    for (const auto& [reason, count] : outcomes->items()) {
      if (reason == "up" || !count.is_number()) continue;
      m.add(RealServerCheckFailures, {vs, name, type, reason}, count.get<double>());
    }
  }
  if (mode != config::CheckDurationMetrics::PerServer) return;
  for (auto& [type, h] : checkerDurations(*checkers)) {
    m.setHistogram(CheckDuration, {vs, name, type}, keepCheckDurationBounds(std::move(h)));
  }
}

RealServerSummary summarizeRealServer(const json& rs, config::CheckDurationMetrics mode) {
  RealServerSummary summary;
  summary.up = number(rs, "up").value_or(0);
  auto checkers = rs.find("checkers");
  if (checkers == rs.end() || !checkers->is_array()) return summary;
  if (mode == config::CheckDurationMetrics::PerService) {
    summary.durations = checkerDurations(*checkers);
  }
  return summary;
}

void collectParsedSnapshot(MetricSet& m, const json& snap, double snapshotWall,
                           const RealServerSink& onRealServer) {
  vrrpWorker(m, snap, snapshotWall);
  checkWorker(m, snap, onRealServer);
}

void collectDataplane(MetricSet& m, const json& dataplane) { ipvsStats(m, dataplane); }

double snapshotWallSeconds(const WorkerStatus& worker, const MonitorView& view) {
  return view.wallNowSeconds - snapshotAgeSeconds(worker, view);
}

MetricSet collectMetrics(const MonitorView& view) {
  MetricSet m;
  addWorkerMetrics(m, view);
  addSnapshotMetrics(m, view);
  return m;
}

MetricSet collectWorkerMetrics(const MonitorView& view) {
  MetricSet m;
  addWorkerMetrics(m, view);
  return m;
}

MetricSet collectSnapshotMetrics(const MonitorView& view) {
  MetricSet m;
  addSnapshotMetrics(m, view);
  return m;
}

}  // namespace vigil::monitor
