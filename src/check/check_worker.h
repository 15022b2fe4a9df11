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
#include "core/json_writer.h"
#include "core/netlink/address_monitor.h"
#include "core/process_spawner.h"
#include "core/snapshot_patch.h"
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
// A loadable module a probe needed (vigil-http.so), and whether it loaded.
struct ModuleLoad {
  std::string file;
  bool loaded = false;
  std::string error;  // why not, when not loaded
};

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
  // The modules the probes tried to load, for the snapshot ("modules");
  // empty: none reported.
  std::function<std::vector<ModuleLoad>()> modules;
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

  // The whole snapshot text: every slot of snapshotPatch() rendered now.
  // O(checkers); the heartbeat uses snapshotPatch().
  std::string snapshot() const override;
  // The snapshot as slots (core/snapshot_patch.h): one for the head, one per
  // virtual server, one per real server (with its checkers), then the tail
  // (notify, pacing, dataplane; with a dataplane its table and counters have
  // slots of their own). A patch carries the slots whose text changed among
  // those rendered: the real servers and services a checker event touched
  // since the last patch, a rolling 1/kRefreshPatches of every real server
  // (so per-checker counters are at most kRefreshPatches patches old), the
  // head and tail, and the table and counters only when they changed. Full
  // when asked and after a reload (the layout changed).
  std::optional<SnapshotPatchBuilder> snapshotPatch(bool full) override;
  static constexpr uint32_t kRefreshPatches = 10;
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
    uint32_t service = 0;
    uint32_t realServer = 0;
    uint32_t index = 0;  // within the real server
  };
  struct RunningChecker {
    // Inline, not a block of its own (issue 4: 20,000 checkers): the
    // listener finds it by the RunningChecker's index in checkers_, and a
    // reload that moves the checker gives the subscription a new listener.
    Position at;
    ProbeRegistry::Subscription subscription;  // empty: not runnable
    // Why not, then: by pointer, as most checkers run (24 bytes each).
    std::unique_ptr<const std::string> why;
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
  std::shared_ptr<const config::Checker> checkerConfig(size_t service, size_t rs,
                                                       size_t index) const;
  void attach(RunningChecker running, std::vector<std::vector<HealthEvent>>& events);
  KeptCheckers takeCheckers();
  // Carries the health of every real server whose identity is unchanged
  // from `old` (of `oldConfig`) into services_; returns quorum events.
  std::vector<std::vector<HealthEvent>> adoptHealth(const config::Config& oldConfig,
                                                    const std::vector<ServiceState>& old,
                                                    size_t& keptServers);
  static Position positionOf(size_t service, size_t realServer, size_t index);
  // The listener of checkers_[index] (the RunningChecker that goes there).
  Checker::Listener listenerAt(size_t index);
  void onCheckerEvent(size_t index, const CheckerEvent& event);
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
  // The snapshot's slots (see snapshotPatch()).
  void layOutSlots();
  uint32_t slotCount() const { return tailSlot_ + (dataplaneSync_ ? 5 : 1); }
  void markDirty(uint32_t slot);
  void markBodyDirty(size_t service, size_t realServer);
  // Appends slot `slot`'s text to `out`.
  void renderSlot(uint32_t slot, JsonWriter& out) const;
  void renderHead(JsonWriter& out) const;
  void renderService(size_t service, JsonWriter& out) const;
  void renderRealServer(size_t service, size_t realServer, JsonWriter& out) const;
  void renderTail(JsonWriter& out) const;
  void renderDataplaneCounters(JsonWriter& out) const;
  const std::string& tableJson() const;

  EventLoop& loop_;
  std::shared_ptr<const config::Config> config_;
  uint64_t generation_;
  ConfigFor configFor_;
  CheckWorkerIo io_;
  std::unique_ptr<LvsNotifier> notifier_;
  // Spreads first attempts and caps starts per tick for every checker, and
  // counts their late timeouts; declared before the registry, so it
  // outlives the checkers.
  std::unique_ptr<CheckPacer> pacer_;
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
  // serviceSlot_[s]: the slot of virtual server s; its real servers follow.
  std::vector<uint32_t> serviceSlot_;
  uint32_t tailSlot_ = 1;
  // checkerBegin_[serviceSlot_[s] - 1 - s + r]: where real server r of service s
  // starts in checkers_ (which is in service, real server, checker order);
  // one past the last real server: checkers_.size().
  std::vector<uint32_t> checkerBegin_;
  // What the last patch carried: a hash of each slot's text, and for the
  // table and counter slots the versions they were rendered from.
  std::vector<size_t> sentHash_;
  std::optional<uint64_t> tableSent_;
  std::optional<uint64_t> statsRendersSent_;
  std::vector<uint32_t> dirty_;  // body slots to render in the next patch
  std::vector<bool> isDirty_;
  uint32_t refreshCursor_ = 0;  // the rolling refresh's next body slot
  bool layoutChanged_ = true;   // the next patch is full
  // ipvs::toText of the applied table as a JSON string, and the
  // DataplaneSync::appliedChanges() it was made at: 11,000 lines at 1,000 x
  // 10, the same between most patches.
  mutable std::string tableJson_;
  mutable std::optional<uint64_t> tableJsonFrom_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace vigil::check
