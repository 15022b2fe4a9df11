#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "check/check_pacer.h"
#include "check/checker.h"
#include "check/dataplane_sync.h"
#include "check/ha_suspension.h"
#include "check/lvs_notify.h"
#include "check/probe.h"
#include "check/probe_registry.h"
#include "check/service_state.h"
#include "check/stats_poller.h"
#include "config/config.h"
#include "core/event_loop.h"
#include "core/ip_address.h"
#include "core/netlink/address_monitor.h"
#include "core/process_spawner.h"
#include "core/worker_host.h"
#include "ipvs/dataplane.h"

namespace vigil::check {

class TcpSynProber;

// The probe of one checker and how long one attempt may take.
struct ProbeSpec {
  std::unique_ptr<Probe> probe;  // null: vigil cannot run this checker type
  Duration attemptTimeout{};
  std::string why;  // with a null probe: the reason, for the log and snapshot
};

// Builds the probe for a checker. Identical checkers (probeKey) share one
// probe, so it depends on the checker alone.
using ProbeFactory = std::function<ProbeSpec(const config::Checker& checker)>;

// What the check worker does to the world, chosen by vigild (or a test).
struct CheckWorkerIo {
  ProbeFactory makeProbe;
  // Runs notify scripts; null: they are not run.
  std::unique_ptr<ProcessSpawner> spawner;
  ScriptPreparer prepareScript;
  // The table backend; null with `dataplane none`: health drives notify
  // scripts, FIFO lines and the snapshot only.
  std::unique_ptr<ipvs::Dataplane> dataplane;
  // Where the services vigil owns beyond its configuration are kept across
  // worker restarts (OwnedServicesFile); empty: for this worker's life only.
  std::string ownedServicesFile;
  // Warmup jitter; empty: Checker's default engine.
  Checker::RandomSource random;
  // Start notify_fifo_script too (the VRRP worker does when it runs).
  bool startGenericFifoScript = false;
  // The half-open TCP_CHECK prober makeProbe's probes share; its counters
  // go in the snapshot ("tcp_syn"). Null: none published.
  std::shared_ptr<const TcpSynProber> tcpSyn;
  // The local addresses, for ha_suspend (see HaSuspension). Null: no
  // service is ever suspended (a warning names those with ha_suspend).
  std::unique_ptr<netlink::AddressMonitor> addresses;
};

// The check worker: one Checker per distinct configured checker (identical
// ones under several virtual services share it, see ProbeRegistry), one
// ServiceState per virtual server, health turned into notify scripts, FIFO lines and a
// desired IPVS table synced to the dataplane after every change (only what changed:
// see DataplaneSync).
//
// Reload is a diff. Every real server whose identity (virtual service,
// address, port) is unchanged keeps its health; each of its checkers whose
// configuration is unchanged is the same Checker object afterwards (its
// schedule, counters and state untouched), a changed one starts in the
// state the server had (a down checker starts down and needs a success),
// and the quorum is re-judged against the state it had. Checkers of removed
// servers stop; new servers' checkers start as at startup. The dataplane is
// then reconciled against what the worker applied, without a read, so only
// what the new file changed becomes an op (DataplaneSync::reload). Destroying the worker
// stops every checker; virtual servers with `omega` then announce their up
// servers and quorum as down, and the dataplane is emptied of what the
// worker programmed.
class CheckWorker final : public Worker {
 public:
  using ConfigFor = std::function<std::shared_ptr<const config::Config>(uint64_t generation)>;

  CheckWorker(EventLoop& loop, std::shared_ptr<const config::Config> config, uint64_t generation,
              ConfigFor configFor, CheckWorkerIo io);
  ~CheckWorker() override;
  CheckWorker(const CheckWorker&) = delete;
  CheckWorker& operator=(const CheckWorker&) = delete;

  // The supervisor asks for this every second (the heartbeat); building the
  // JSON tree is O(checkers), so the text is cached and rebuilt only when
  // health, weights, the dataplane or the configuration changed since, or
  // when it is kSnapshotMaxAge old (per-checker counters and the notify
  // counters may lag by that much).
  std::string snapshot() const override;
  void reload(uint64_t generation) override;

  // For tests and the snapshot.
  const std::vector<ServiceState>& services() const { return services_; }
  const LvsNotifier& notifier() const { return *notifier_; }
  uint64_t syncs() const { return syncs_; }
  uint64_t syncFailures() const { return syncFailures_; }
  // Ops the backend refused plus failed reads, over every sync.
  uint64_t dataplaneFailures() const { return dataplaneFailures_; }
  // Checkers the last reload took over as they ran / had to start.
  size_t checkersKept() const { return checkersKept_; }
  size_t checkersStarted() const { return checkersStarted_; }

 private:
  // Where a checker's events go: a reload that keeps the checker moves it
  // (indexes into the new file) without resubscribing.
  struct Position {
    size_t service = 0;
    size_t realServer = 0;
    size_t index = 0;  // within the real server
  };
  struct RunningChecker {
    std::shared_ptr<Position> at;
    std::unique_ptr<ProbeRegistry::Subscription> subscription;  // null: not runnable
    std::string why;
  };
  // Running checkers of the previous generation by identity: (virtual
  // service, real server address and port, checker index).
  using CheckerIdentity = std::tuple<std::string, int, IpAddress, uint16_t, size_t>;
  using KeptCheckers = std::map<CheckerIdentity, RunningChecker>;

  // Subscribes every configured checker, each starting from the state its
  // ServiceState holds; one in `kept` whose configuration is unchanged is
  // taken over as it runs instead (alpha aside: it only sets the state a
  // checker starts in, and a kept one has started). Returns what the checkers changed.
  std::vector<std::vector<HealthEvent>> startCheckers(KeptCheckers kept);
  void subscribe(size_t service, size_t rs, size_t index,
                 std::vector<std::vector<HealthEvent>>& events);
  void attach(RunningChecker running, std::vector<std::vector<HealthEvent>>& events);
  KeptCheckers takeCheckers();
  // Carries the health of every real server whose identity is unchanged
  // from `old` (of `oldConfig`) into services_; returns quorum events.
  std::vector<std::vector<HealthEvent>> adoptHealth(const config::Config& oldConfig,
                                                    const std::vector<ServiceState>& old,
                                                    size_t& keptServers);
  void onCheckerEvent(const Position& at, const CheckerEvent& event);
  // ha_suspend: (re)configures HaSuspension for config_ and suspends or
  // resumes every checker to match; onAddress applies an address event.
  void configureSuspension();
  void onAddress(const netlink::LocalAddress& address, bool removed);
  void applySuspension();
  void announce(size_t service, const std::vector<HealthEvent>& events);
  void scheduleSync();
  void syncNow();
  // Counts one failure; logs it unless this text was logged since the last
  // successful sync (a refusal repeats on every retry).
  void logFailure(const std::string& what);
  std::string buildSnapshot() const;

  EventLoop& loop_;
  std::shared_ptr<const config::Config> config_;
  uint64_t generation_;
  ConfigFor configFor_;
  CheckWorkerIo io_;
  std::unique_ptr<LvsNotifier> notifier_;
  // Spreads first attempts and caps starts per tick for every checker;
  // declared before the registry, so it outlives the checkers.
  std::unique_ptr<CheckPacer> pacer_;
  // Late timeouts of every checker this worker ran (Checker::
  // countLateTimeoutsInto), once per shared checker; never goes down, so a
  // reload that drops checkers does not look like a counter reset.
  uint64_t lateTimeouts_ = 0;
  std::unique_ptr<ProbeRegistry> registry_;
  std::vector<ServiceState> services_;
  std::vector<RunningChecker> checkers_;
  HaSuspension haSuspension_;
  std::unique_ptr<DataplaneSync> dataplaneSync_;  // null without a dataplane
  std::unique_ptr<StatsPoller> statsPoller_;      // null without a dataplane
  std::unique_ptr<Timer> syncTimer_;
  bool syncPending_ = false;
  uint64_t syncs_ = 0;
  uint64_t opsIssued_ = 0;
  uint64_t syncFailures_ = 0;
  uint64_t dataplaneFailures_ = 0;
  size_t checkersKept_ = 0;
  size_t checkersStarted_ = 0;
  Duration retryDelay_ = std::chrono::seconds(1);  // the next retry's delay (backs off)
  std::set<std::string> loggedFailures_;
  std::string lastSyncError_;
  mutable std::string snapshotCache_;
  mutable TimePoint snapshotBuiltAt_{};
  mutable bool snapshotDirty_ = true;
  // ipvs::toText of the applied table and the DataplaneSync::appliedChanges()
  // it was made at: 11,000 lines at 1,000 x 10, the same between most snapshots.
  mutable std::string tableText_;
  mutable std::optional<uint64_t> tableTextFrom_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace vigil::check
