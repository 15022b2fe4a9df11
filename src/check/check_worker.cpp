#include "check/check_worker.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cassert>
#include <functional>
#include <map>
#include <set>
#include <tuple>
#include <variant>

#include "check/probe_factory.h"
#include "check/tcp_syn_prober.h"
#include "core/json_writer.h"
#include "core/log.h"
#include "ipvs/model.h"

namespace vigil::check {
namespace {

// If a sync fails (a backend refusing an op), it is retried after
// kSyncRetry, doubling up to kSyncRetryMax until one succeeds: a transient
// netlink error heals within a second, while a service the kernel keeps
// refusing (a scheduler module absent) costs one full read a minute, not one
// a second. Every health change and reload syncs (and so retries) at once.
constexpr Duration kSyncRetry = std::chrono::seconds(1);
constexpr Duration kSyncRetryMax = std::chrono::seconds(60);

// How many distinct failures are remembered as already logged; past it a
// new one is still counted but logged only after the next success.
constexpr size_t kLoggedFailuresMax = 1024;

// DESIGN.md: a real server keeps its state across a reload when its
// virtual service, address and port are unchanged.
using ServiceIdentity = std::tuple<std::string, int>;  // describe(), family
using ServerIdentity = std::pair<IpAddress, uint16_t>;

ServiceIdentity identityOf(const config::VirtualServer& vs) { return {vs.describe(), vs.family}; }

// Whether `checker` probes what the running Checker keyed `running` does.
// The key holds alpha, which a first subscriber may have flipped to start
// from the state a reload kept (CheckWorker::subscribe): either value
// matches.
bool sameProbe(const std::string& running, const config::Checker& checker) {
  return running == probeKey(checker, false) || running == probeKey(checker, true);
}

void writeChecker(JsonWriter& out, const config::Checker& config, const Checker* checker,
                  const std::string& why) {
  out.object().field("type", config::toString(config.base.type)).field("id", checkerId(config));
  if (checker == nullptr) {
    out.field("running", false).field("error", why).end();
    return;
  }
  const CheckerCounters& c = checker->counters();
  out.field("running", checker->running()).field("up", checker->up());
  if (checker->weight()) out.field("dynamic_weight", *checker->weight());
  out.field("attempts", c.attempts())
      .field("up_transitions", c.upTransitions())
      .field("down_transitions", c.downTransitions());
  if (c.lateTimeouts() != 0) out.field("late_timeouts", c.lateTimeouts());
  out.key("outcomes").object();
  for (size_t i = 0; i < kOutcomeCount; ++i) {
    const auto outcome = static_cast<Outcome>(i);
    if (c.count(outcome) != 0) out.field(toString(outcome), c.count(outcome));
  }
  out.end();
  if (checker->lastOutcome()) out.field("last", checker->lastDetail());
  out.key("duration");
  c.durations().write(out);
  out.end();
}

}  // namespace

CheckWorker::CheckWorker(EventLoop& loop, std::shared_ptr<const config::Config> config,
                         uint64_t generation, ConfigFor configFor, CheckWorkerIo io)
    : loop_(loop),
      config_(std::move(config)),
      generation_(generation),
      configFor_(std::move(configFor)),
      io_(std::move(io)),
      syncTimer_(loop.createTimer([this] { syncNow(); })) {
  pacer_ = std::make_unique<CheckPacer>(loop_);
  registry_ = std::make_unique<ProbeRegistry>(
      loop_, [this](const config::Checker& checker) -> Result<std::unique_ptr<Checker>> {
        ProbeSpec spec =
            io_.makeProbe ? io_.makeProbe(checker) : ProbeSpec{nullptr, {}, "no probe factory"};
        if (!spec.probe) return Error{0, spec.why};
        // Unnamed: the registry names it after its configuration.
        return std::make_unique<Checker>(loop_, checker.base, spec.attemptTimeout,
                                         std::move(spec.probe), io_.random, std::string{},
                                         pacer_.get());
      });
  notifier_ =
      std::make_unique<LvsNotifier>(loop_, io_.spawner.get(), io_.prepareScript, config_->global);
  notifier_->start(io_.startGenericFifoScript);
  if (io_.dataplane) {
    std::optional<OwnedServicesFile> ownedFile;
    if (!io_.ownedServicesFile.empty()) ownedFile.emplace(io_.ownedServicesFile);
    dataplaneSync_ = std::make_unique<DataplaneSync>(*io_.dataplane, std::move(ownedFile));
    dataplaneSync_->reset(config_->lvs);
    statsPoller_ = std::make_unique<StatsPoller>(loop_, *io_.dataplane, std::function<void()>{});
  }
  for (const config::VirtualServer& vs : config_->lvs.virtualServers) {
    services_.emplace_back(vs);
  }
  if (config_->global.rsInitNotifies) {
    for (size_t i = 0; i < services_.size(); ++i) announce(i, services_[i].currentEvents());
  }
  if (io_.addresses) {
    for (const netlink::LocalAddress& address : io_.addresses->addresses()) {
      (void)haSuspension_.addressAdded(address);
    }
    io_.addresses->setListener([this](const netlink::LocalAddress& address, bool removed) {
      onAddress(address, removed);
    });
  }
  (void)startCheckers({});  // fresh: every checker is new, nothing to announce
  layOutSlots();
  configureSuspension();
  syncNow();
}

CheckWorker::~CheckWorker() {
  *alive_ = false;
  checkers_.clear();
  for (size_t i = 0; i < services_.size(); ++i) {
    if (config_->lvs.virtualServers[i].omega) announce(i, services_[i].shutdownEvents());
  }
  // No read: one delete per service vigil installed, so stopping fits well
  // inside the supervisor's stop timeout even with thousands of services.
  if (dataplaneSync_) {
    ipvs::ApplyReport report = dataplaneSync_->clear();
    if (!report.ok()) {
      log(LogLevel::Error, "check worker: clearing the {} dataplane: {}", io_.dataplane->name(),
          report.status().error().describe());
    }
  }
}

std::vector<std::vector<HealthEvent>> CheckWorker::startCheckers(KeptCheckers kept) {
  std::vector<std::vector<HealthEvent>> events(services_.size());
  const auto& services = config_->lvs.virtualServers;
  // Sized once: grown by doubling, checkers_ held up to twice its entries
  // (0.7 MB unused at 20,000 checkers).
  size_t count = 0;
  for (const config::VirtualServer& vs : services) {
    for (const config::RealServer& rs : vs.realServers) count += rs.checkers.size();
  }
  checkers_.reserve(count);
  for (size_t s = 0; s < services.size(); ++s) {
    const auto [name, family] = identityOf(services[s]);
    for (size_t r = 0; r < services[s].realServers.size(); ++r) {
      const config::RealServer& rs = services[s].realServers[r];
      for (size_t c = 0; c < rs.checkers.size(); ++c) {
        auto it = kept.find({name, family, rs.address, rs.port, c});
        if (it != kept.end() && sameProbe(it->second.subscription.key(), rs.checkers[c])) {
          // The registry lets go of the previous load's configuration.
          it->second.subscription.rebind(checkerConfig(s, r, c));
          it->second.subscription.setListener(listenerAt(checkers_.size()));
          it->second.at = positionOf(s, r, c);
          attach(std::move(it->second), events);
          kept.erase(it);
          ++checkersKept_;
          continue;
        }
        subscribe(s, r, c, events);
        ++checkersStarted_;
      }
    }
  }
  // What is left of `kept` goes now, after every new subscription was made:
  // a checker it shares with a new one keeps running.
  return events;
}

CheckWorker::KeptCheckers CheckWorker::takeCheckers() {
  KeptCheckers kept;
  const auto& services = config_->lvs.virtualServers;
  for (RunningChecker& running : checkers_) {
    if (!running.subscription) continue;
    const Position& at = running.at;
    const config::VirtualServer& vs = services[at.service];
    const config::RealServer& rs = vs.realServers[at.realServer];
    const auto [name, family] = identityOf(vs);
    kept.try_emplace({name, family, rs.address, rs.port, at.index}, std::move(running));
  }
  checkers_.clear();
  return kept;
}

void CheckWorker::subscribe(size_t s, size_t r, size_t c,
                            std::vector<std::vector<HealthEvent>>& events) {
  const config::VirtualServer& vs = config_->lvs.virtualServers[s];
  const config::RealServer& rs = vs.realServers[r];
  // A checker nobody runs yet starts in the state the service holds for it
  // (alpha from the configuration, or what a reload kept); one already
  // running (shared) is joined as it is.
  const config::Checker& checker = rs.checkers[c];
  const bool held = services_[s].realServers()[r].checkerUp(c);
  const bool alpha = registry_->subscriberCount(checker) == 0 ? !held : checker.base.alpha;
  // Pushed at checkers_.size() below, whether it runs or not.
  RunningChecker running{positionOf(s, r, c), {}, {}};
  auto subscription =
      registry_->subscribe(checkerConfig(s, r, c), alpha, listenerAt(checkers_.size()));
  if (!subscription) {
    running.why = std::make_unique<const std::string>(subscription.error().describe());
    log(LogLevel::Warning, "{} of {} not run: {}", describe(checker), vs.describe(), *running.why);
    checkers_.push_back(std::move(running));
    return;
  }
  running.subscription = std::move(*subscription);
  attach(std::move(running), events);
}

// Shares config_'s ownership: the registry holds the checker's configuration
// this way instead of a copy, and it cannot outlive the load it points into.
std::shared_ptr<const config::Checker> CheckWorker::checkerConfig(size_t s, size_t r,
                                                                  size_t c) const {
  return {config_, &config_->lvs.virtualServers[s].realServers[r].checkers[c]};
}

void CheckWorker::attach(RunningChecker running, std::vector<std::vector<HealthEvent>>& events) {
  const Position at = running.at;
  ServiceState& service = services_[at.service];
  for (const HealthEvent& e :
       service.setDynamicWeight(at.realServer, at.index, running.subscription.weight())) {
    events[at.service].push_back(e);
  }
  for (const HealthEvent& e :
       service.setChecker(at.realServer, at.index, running.subscription.up())) {
    events[at.service].push_back(e);
  }
  checkers_.push_back(std::move(running));
}

// Indexes fit 32 bits: a configuration holds far fewer services, servers
// and checkers.
CheckWorker::Position CheckWorker::positionOf(size_t service, size_t realServer, size_t index) {
  return {static_cast<uint32_t>(service), static_cast<uint32_t>(realServer),
          static_cast<uint32_t>(index)};
}

Checker::Listener CheckWorker::listenerAt(size_t index) {
  // Two words: the listener fits in std::function's own storage.
  return [this, index](const CheckerEvent& event) { onCheckerEvent(index, event); };
}

void CheckWorker::onCheckerEvent(size_t index, const CheckerEvent& event) {
  const Position at = checkers_.at(index).at;
  const size_t s = at.service;
  const size_t r = at.realServer;
  ServiceState& service = services_.at(s);
  markBodyDirty(s, r);
  std::vector<HealthEvent> events = service.setDynamicWeight(r, at.index, event.weight);
  for (const HealthEvent& e : service.setChecker(r, at.index, event.up)) {
    events.push_back(e);
  }
  announce(s, events);
  if (dataplaneSync_) dataplaneSync_->markServer(s, r);
  scheduleSync();
}

void CheckWorker::configureSuspension() {
  haSuspension_.configure(config_->lvs);
  const auto& services = config_->lvs.virtualServers;
  for (size_t s = 0; s < services.size(); ++s) {
    if (!services[s].haSuspend) continue;
    if (!io_.addresses) {
      log(LogLevel::Warning, "{}: ha_suspend ignored: no address monitor", services[s].describe());
    } else if (haSuspension_.suspended(s)) {
      log(LogLevel::Info, "{}: address not local, checkers suspended (ha_suspend)",
          services[s].describe());
    }
  }
  applySuspension();
}

void CheckWorker::onAddress(const netlink::LocalAddress& address, bool removed) {
  const std::vector<size_t> flipped =
      removed ? haSuspension_.addressRemoved(address) : haSuspension_.addressAdded(address);
  if (flipped.empty()) return;
  for (size_t s : flipped) {
    log(LogLevel::Info, "{}: address {} {}, checkers {} (ha_suspend)",
        config_->lvs.virtualServers[s].describe(), address.address.toString(),
        removed ? "removed" : "added", haSuspension_.suspended(s) ? "suspended" : "resumed");
  }
  applySuspension();
}

// Idempotent: a subscription already in the wanted state is left alone, so
// only the checkers of services that flipped stop or start. A checker shared
// with a service that is not suspended keeps running (ProbeRegistry).
void CheckWorker::applySuspension() {
  for (RunningChecker& running : checkers_) {
    if (running.subscription) {
      running.subscription.setSuspended(haSuspension_.suspended(running.at.service));
    }
  }
  for (uint32_t slot = 1; slot < tailSlot_; ++slot) markDirty(slot);
}

void CheckWorker::announce(size_t service, const std::vector<HealthEvent>& events) {
  const config::VirtualServer& vs = config_->lvs.virtualServers.at(service);
  for (const HealthEvent& e : events) {
    switch (e.kind) {
      case HealthEvent::Kind::RealServerUp:
      case HealthEvent::Kind::RealServerDown: {
        const bool up = e.kind == HealthEvent::Kind::RealServerUp;
        const config::RealServer& rs = vs.realServers.at(e.realServer);
        log(LogLevel::Notice, "{} real server {} of {}", up ? "enabling" : "disabling",
            describeRealServer(vs, rs), vs.describe());
        notifier_->realServer(vs, rs, up);
        break;
      }
      case HealthEvent::Kind::QuorumUp:
      case HealthEvent::Kind::QuorumDown: {
        const bool up = e.kind == HealthEvent::Kind::QuorumUp;
        log(LogLevel::Notice, "{} quorum {} (live weight {}, quorum {} hysteresis {}){}",
            vs.describe(), up ? "gained" : "lost", services_[service].liveWeight(),
            services_[service].quorum(), services_[service].hysteresis(),
            vs.sorryServer ? (up ? ": sorry server out" : ": sorry server in") : "");
        notifier_->quorum(vs, up);
        break;
      }
    }
  }
}

void CheckWorker::scheduleSync() {
  if (syncPending_) return;
  syncPending_ = true;
  std::weak_ptr<bool> alive = alive_;
  loop_.post([this, alive] {
    if (!alive.expired()) syncNow();
  });
}

void CheckWorker::syncNow() {
  syncPending_ = false;
  syncTimer_->cancel();
  if (!dataplaneSync_) return;
  ++syncs_;
  const uint64_t membership = dataplaneSync_->membershipChanges();
  ipvs::SyncReport report = dataplaneSync_->sync(config_->lvs, services_);
  opsIssued_ += report.opsIssued;
  // The counters' services and destinations follow the table at once, in
  // the rebuild this change causes anyway. Only when that set changed: a
  // kernel read is a dump per service (seconds at 1,000 services in a slow
  // guest), and a weight edit shows in the snapshot from applied() anyway.
  if (dataplaneSync_->membershipChanges() != membership) statsPoller_->readNow();
  if (report.ok()) {
    lastSyncError_.clear();
    loggedFailures_.clear();
    retryDelay_ = kSyncRetry;
    return;
  }
  ++syncFailures_;
  lastSyncError_ = report.status().error().describe();
  if (!report.readStatus.ok()) logFailure(report.readStatus.error().describe());
  // A destination op fails only because its service was refused just before:
  // counted, but the service's refusal is the one line worth logging.
  std::set<ipvs::ServiceKey> refused;
  for (const ipvs::OpFailure& failure : report.failures) {
    const ipvs::ServiceKey& key = ipvs::serviceOf(failure.op);
    if (std::holds_alternative<ipvs::AddService>(failure.op)) refused.insert(key);
    if (refused.contains(key) && !std::holds_alternative<ipvs::AddService>(failure.op)) {
      ++dataplaneFailures_;
      continue;
    }
    logFailure(failure.error.describe());
  }
  syncTimer_->armAfter(retryDelay_);
  retryDelay_ = std::min(retryDelay_ * 2, kSyncRetryMax);
}

void CheckWorker::logFailure(const std::string& what) {
  ++dataplaneFailures_;
  if (loggedFailures_.size() >= kLoggedFailuresMax || !loggedFailures_.insert(what).second) return;
  log(LogLevel::Error,
      "check worker: {} dataplane: {} (retried on every change and reload; "
      "logged once until a sync succeeds)",
      io_.dataplane->name(), what);
}

void CheckWorker::reload(uint64_t generation) {
  auto config = configFor_(generation);
  if (!config) {
    log(LogLevel::Error, "check worker: reload failed; keeping generation {}", generation_);
    return;
  }
  // Taken by identity while the old file still names them; they run on
  // until startCheckers() has taken over or replaced each one.
  KeptCheckers kept = takeCheckers();
  std::vector<ServiceState> old = std::move(services_);
  std::shared_ptr<const config::Config> oldConfig = std::move(config_);
  config_ = std::move(config);
  generation_ = generation;
  if (!notifier_->sameFifos(config_->global)) {
    notifier_.reset();  // its FIFO scripts stop before the new ones start
    notifier_ =
        std::make_unique<LvsNotifier>(loop_, io_.spawner.get(), io_.prepareScript, config_->global);
    notifier_->start(io_.startGenericFifoScript);
  }
  services_.clear();
  for (const config::VirtualServer& vs : config_->lvs.virtualServers) services_.emplace_back(vs);
  size_t keptServers = 0;
  std::vector<std::vector<HealthEvent>> pending = adoptHealth(*oldConfig, old, keptServers);
  checkersKept_ = 0;
  checkersStarted_ = 0;
  std::vector<std::vector<HealthEvent>> joined = startCheckers(std::move(kept));
  layOutSlots();
  configureSuspension();
  if (dataplaneSync_) dataplaneSync_->reload(config_->lvs);
  for (size_t s = 0; s < pending.size(); ++s) {
    announce(s, pending[s]);
    announce(s, joined[s]);
  }
  syncNow();
  log(LogLevel::Info,
      "check worker: running configuration generation {} ({} real servers kept their health, "
      "{} checkers kept running, {} started)",
      generation, keptServers, checkersKept_, checkersStarted_);
}

std::vector<std::vector<HealthEvent>> CheckWorker::adoptHealth(const config::Config& oldConfig,
                                                               const std::vector<ServiceState>& old,
                                                               size_t& keptServers) {
  std::map<ServiceIdentity, size_t> oldIndex;
  for (size_t i = 0; i < old.size(); ++i) {
    oldIndex.emplace(identityOf(oldConfig.lvs.virtualServers[i]), i);
  }
  std::vector<std::vector<HealthEvent>> pending(services_.size());
  for (size_t s = 0; s < services_.size(); ++s) {
    const config::VirtualServer& vs = config_->lvs.virtualServers[s];
    auto found = oldIndex.find(identityOf(vs));
    if (found == oldIndex.end()) continue;
    const config::VirtualServer& oldVs = oldConfig.lvs.virtualServers[found->second];
    std::map<ServerIdentity, size_t> oldServers;
    for (size_t r = 0; r < oldVs.realServers.size(); ++r) {
      oldServers.emplace(ServerIdentity{oldVs.realServers[r].address, oldVs.realServers[r].port},
                         r);
    }
    for (size_t r = 0; r < vs.realServers.size(); ++r) {
      auto kept = oldServers.find({vs.realServers[r].address, vs.realServers[r].port});
      if (kept == oldServers.end()) continue;
      services_[s].adoptHealth(r, old[found->second].realServers()[kept->second]);
      ++keptServers;
    }
    pending[s] = services_[s].reevaluateQuorum(old[found->second].quorumUp());
  }
  return pending;
}

void CheckWorker::layOutSlots() {
  serviceSlot_.clear();
  checkerBegin_.clear();
  uint32_t slot = 1;  // slot 0 is the head
  size_t k = 0;
  for (size_t s = 0; s < services_.size(); ++s) {
    serviceSlot_.push_back(slot);
    const size_t count = config_->lvs.virtualServers[s].realServers.size();
    for (size_t r = 0; r < count; ++r) {
      checkerBegin_.push_back(static_cast<uint32_t>(k));
      while (k < checkers_.size() && checkers_[k].at.service == s &&
             checkers_[k].at.realServer == r) {
        ++k;
      }
    }
    slot += static_cast<uint32_t>(1 + count);
  }
  // startCheckers() made one RunningChecker per configured checker, in order.
  assert(k == checkers_.size());
  checkerBegin_.push_back(static_cast<uint32_t>(k));
  tailSlot_ = slot;
  dirty_.clear();
  isDirty_.assign(tailSlot_, false);
  refreshCursor_ = 1;
  layoutChanged_ = true;
}

void CheckWorker::markDirty(uint32_t slot) {
  // An event during a reload, before layOutSlots(): the full patch after
  // the reload renders everything anyway.
  if (slot >= isDirty_.size() || isDirty_[slot]) return;
  isDirty_[slot] = true;
  dirty_.push_back(slot);
}

void CheckWorker::markBodyDirty(size_t service, size_t realServer) {
  if (service >= serviceSlot_.size()) return;
  markDirty(serviceSlot_[service]);
  markDirty(static_cast<uint32_t>(serviceSlot_[service] + 1 + realServer));
}

std::string CheckWorker::snapshot() const {
  JsonWriter out;
  std::string text;
  for (uint32_t slot = 0; slot < slotCount(); ++slot) {
    out.clear();
    renderSlot(slot, out);
    text += out.text();
  }
  return text;
}

std::optional<SnapshotPatchBuilder> CheckWorker::snapshotPatch(bool full) {
  full = full || layoutChanged_;
  const uint32_t count = slotCount();
  SnapshotPatchBuilder patch(full, count);
  std::vector<uint32_t> slots;
  if (full) {
    sentHash_.assign(count, 0);
    slots.resize(count);
    for (uint32_t i = 0; i < count; ++i) slots[i] = i;
  } else {
    // Slots whose text can have changed: those an event touched, a rolling
    // share of the body (checker counters move with every attempt), the
    // head and the tail; each goes out only if its text did change.
    slots = std::move(dirty_);
    const uint32_t body = tailSlot_ - 1;
    const uint32_t share = (body + kRefreshPatches - 1) / kRefreshPatches;
    for (uint32_t n = 0; n < share; ++n) {
      if (refreshCursor_ >= tailSlot_) refreshCursor_ = 1;
      if (!isDirty_[refreshCursor_]) slots.push_back(refreshCursor_);
      ++refreshCursor_;
    }
    std::sort(slots.begin(), slots.end());
    slots.insert(slots.begin(), 0);
    for (uint32_t i = tailSlot_; i < count; ++i) slots.push_back(i);
  }
  for (uint32_t slot : dirty_) isDirty_[slot] = false;
  for (uint32_t slot : slots) {
    if (slot < isDirty_.size()) isDirty_[slot] = false;
  }
  dirty_.clear();
  layoutChanged_ = false;
  JsonWriter out;
  for (uint32_t slot : slots) {
    // The table and the counters are megabytes on a large dataplane: their
    // versions, not their text, say whether they changed.
    if (dataplaneSync_ && slot == tailSlot_ + 1) {
      (void)tableJson();
      if (!full && tableSent_ == tableJsonFrom_) continue;
      tableSent_ = tableJsonFrom_;
      patch.add(slot, tableJson_);
      continue;
    }
    if (dataplaneSync_ && slot == tailSlot_ + 3) {
      const std::string& services =
          statsPoller_->services(dataplaneSync_->applied(), dataplaneSync_->appliedChanges());
      if (!full && statsRendersSent_ == statsPoller_->renders()) continue;
      statsRendersSent_ = statsPoller_->renders();
      patch.add(slot, services);
      continue;
    }
    out.clear();
    renderSlot(slot, out);
    const size_t hash = std::hash<std::string_view>{}(out.text());
    if (!full && sentHash_[slot] == hash) continue;
    sentHash_[slot] = hash;
    patch.add(slot, out.text());
  }
  return patch;
}

void CheckWorker::renderSlot(uint32_t slot, JsonWriter& out) const {
  if (slot == 0) return renderHead(out);
  if (slot == tailSlot_) return renderTail(out);
  if (slot > tailSlot_) {
    switch (slot - tailSlot_) {
      case 1:
        out.raw(tableJson());
        return;
      case 2:
        return renderDataplaneCounters(out);
      case 3:
        out.raw(
            statsPoller_->services(dataplaneSync_->applied(), dataplaneSync_->appliedChanges()));
        return;
      default:
        // stats, dataplane, the snapshot
        out.insideObject(true).insideObject(true).insideObject(true).end().end().end();
        return;
    }
  }
  auto next = std::upper_bound(serviceSlot_.begin(), serviceSlot_.end(), slot);
  const auto s = static_cast<size_t>(next - serviceSlot_.begin() - 1);
  if (slot == serviceSlot_[s]) return renderService(s, out);
  renderRealServer(s, slot - serviceSlot_[s] - 1, out);
}

void CheckWorker::renderHead(JsonWriter& out) const {
  out.object()
      .field("worker", "check")
      .field("pid", static_cast<int64_t>(::getpid()))
      .field("generation", generation_)
      .field("config", config_->path)
      .key("virtual_servers")
      .array();
}

// Closes the previous service (its real_servers array and object), then
// opens this one's, up to its real_servers array.
void CheckWorker::renderService(size_t s, JsonWriter& out) const {
  out.insideArray(s > 0);  // virtual_servers
  if (s > 0) out.insideObject(true).insideArray(true).end().end();
  const config::VirtualServer& vs = config_->lvs.virtualServers[s];
  const ServiceState& state = services_[s];
  out.object()
      .field("name", vs.describe())
      .field("quorum_up", state.quorumUp())
      .field("live_weight", state.liveWeight())
      .field("quorum", state.quorum())
      .field("hysteresis", state.hysteresis())
      .field("sorry_server_active", vs.sorryServer.has_value() && !state.quorumUp());
  if (vs.haSuspend) out.field("suspended", haSuspension_.suspended(s));
  out.key("real_servers").array();
}

void CheckWorker::renderRealServer(size_t s, size_t r, JsonWriter& out) const {
  const config::VirtualServer& vs = config_->lvs.virtualServers[s];
  const config::RealServer& rs = vs.realServers[r];
  const RealServerState& rsState = services_[s].realServers()[r];
  out.insideArray(r > 0)
      .object()
      .field("address", rs.address.toString())
      .field("port", static_cast<uint32_t>(rs.port))
      .field("up", rsState.up())
      .field("weight", rsState.weight())
      .field("configured_weight", rsState.configuredWeight());
  if (vs.haSuspend) out.field("suspended", haSuspension_.suspended(s));
  out.key("checkers").array();
  const size_t flat = serviceSlot_[s] - s + r - 1;
  for (size_t k = checkerBegin_[flat]; k < checkerBegin_[flat + 1]; ++k) {
    const RunningChecker& running = checkers_[k];
    const Checker* checker = running.subscription ? &running.subscription.checker() : nullptr;
    writeChecker(out, rs.checkers[running.at.index], checker,
                 running.why ? *running.why : std::string());
  }
  out.end().end();
}

// Closes the last service and the virtual_servers array, then writes the
// worker-wide parts; without a dataplane it closes the snapshot too.
void CheckWorker::renderTail(JsonWriter& out) const {
  out.insideObject(true).insideArray(!services_.empty());  // the snapshot, virtual_servers
  if (!services_.empty()) out.insideObject(true).insideArray(true).end().end();
  out.end();
  const LvsNotifier::Counters& n = notifier_->counters();
  out.key("notify")
      .object()
      .field("scripts_started", n.scriptsStarted)
      .field("scripts_failed", n.scriptsFailed)
      .field("spawn_errors", n.spawnErrors)
      .field("refused", n.refused)
      .field("fifo_lines", n.fifoLines)
      .end();
  out.key("pacing")
      .object()
      .field("starts_per_tick_limit", static_cast<uint64_t>(pacer_->startsPerTickLimit()))
      .field("deferred_starts", pacer_->deferredStarts())
      .field("late_timeouts", pacer_->lateTimeouts())
      .end();
  if (io_.tcpSyn) writeSynCounters(out, io_.tcpSyn->counters());
  if (const std::vector<ModuleLoad> modules =
          io_.modules ? io_.modules() : std::vector<ModuleLoad>{};
      !modules.empty()) {
    out.key("modules").object();
    for (const ModuleLoad& module : modules) {
      out.key(module.file).object().field("loaded", module.loaded);
      if (!module.loaded) out.field("error", module.error);
      out.end();
    }
    out.end();
  }
  out.key("dataplane").object();
  out.field("backend", io_.dataplane ? io_.dataplane->name() : std::string_view("none"));
  if (!dataplaneSync_) {
    out.end().end();
    return;
  }
  // What the backend accepted, never a read: a kernel dump of a large table
  // costs a netlink request per service. The table follows in a slot of its
  // own, rendered again only when it changed.
  out.key("table");
}

void CheckWorker::renderDataplaneCounters(JsonWriter& out) const {
  out.insideObject(true)
      .field("syncs", syncs_)
      .field("ops_issued", opsIssued_)
      .field("sync_failures", syncFailures_)
      .field("dataplane_failures", dataplaneFailures_);
  if (!lastSyncError_.empty()) out.field("last_error", lastSyncError_);
  out.key("stats").object();
  statsPoller_->writeFields(out);
  out.key("services");
}

const std::string& CheckWorker::tableJson() const {
  if (tableJsonFrom_ != dataplaneSync_->appliedChanges()) {
    JsonWriter out;
    out.value(ipvs::toText(dataplaneSync_->applied()));
    tableJson_ = out.take();
    tableJsonFrom_ = dataplaneSync_->appliedChanges();
  }
  return tableJson_;
}

}  // namespace vigil::check
