#include "vrrp/vrrp_worker.h"

#include <unistd.h>

#include <algorithm>

#include "core/json_writer.h"
#include "core/log.h"
#include "core/netlink/netlink_link_monitor.h"
#include "core/netlink/netlink_routing_dumper.h"
#include "core/netlink/nl_socket.h"
#include "vrrp/runtime_netlink.h"
#include "vrrp/runtime_notify.h"
#include "vrrp/runtime_params.h"
#include "vrrp/vmac_addr_plan.h"

namespace vigil::vrrp {

using namespace vigil::json_literals;

namespace {

// The worker's snapshot goes to the supervisor every second. It is written
// as text (core/json_writer.h) rather than built as an nlohmann::json tree:
// at one instance and advert_int 0.01, the tree and its dump were about
// half the worker's user-space instructions per advert.

// {REASON: n, ...} for the reasons with a count.
void writeRejects(JsonWriter& out, const std::array<uint64_t, kRejectReasonCount>& rejects) {
  out.object();
  for (size_t i = 0; i < kRejectReasonCount; ++i) {
    if (rejects[i] != 0) out.field(name(static_cast<RejectReason>(i)), rejects[i]);
  }
  out.end();
}

// LoopLatenessProbe::kBounds as a JSON array, rendered once.
const std::string& latenessBoundsJson() {
  static const std::string json = [] {
    JsonWriter out;
    out.array();
    for (double bound : LoopLatenessProbe::kBounds) out.value(bound);
    out.end();
    return out.take();
  }();
  return json;
}

// The instance's members that change only with `head`'s key, rendered
// when that key differs from the one `head` was rendered for.
void renderHead(InstanceSnapshotHead& head, const InstanceRuntime& runtime, uint64_t generation) {
  const config::VrrpInstance& config = runtime.config();
  const InstanceState& state = runtime.state();
  const IpAddress& source = runtime.params().primaryAddress;
  const IpAddress& master = state.state == State::Master ? source : state.masterAddress;
  if (head.generation == generation && head.state == state.state &&
      head.priority == state.priority && head.faulted == state.faulted && head.master == master) {
    return;
  }
  JsonWriter out;
  out.object();
  out.field("name"_key, config.name);
  out.field("state"_key, name(state.state));
  out.field("vrid"_key, config.vrid);
  out.field("version"_key, config.version);
  out.field("family"_key, config.family == AF_INET6 ? "inet6" : "inet");
  out.field("interface"_key, config.interface);
  if (config.useVmac) out.field("vmac"_key, runtime.params().vipDevice);
  out.field("priority"_key, config.priority);
  out.field("effective_priority"_key, state.priority);
  out.field("faulted"_key, state.faulted);  // by its own tracking or its sync group's
  if (!config.syncGroup.empty()) out.field("sync_group"_key, config.syncGroup);
  out.field("source_address"_key, source.toString());
  out.field("master_address"_key, master.toString());
  out.end();
  const std::string& text = out.text();
  head = {generation,    state.state, state.priority,
          state.faulted, master,      text.substr(1, text.size() - 2)};
}

// Opens the instance's object and leaves it open for the caller's members.
void writeInstance(JsonWriter& out, const InstanceRuntime& runtime, TimePoint now,
                   InstanceSnapshotHead& head, uint64_t generation) {
  const InstanceCounters& c = runtime.counters();
  renderHead(head, runtime, generation);
  out.object();
  out.rawMembers(head.members);
  out.key("counters"_key).object();
  out.field("adverts_sent"_key, c.advertsSent);
  out.field("adverts_received"_key, c.advertsReceived);
  out.field("send_errors"_key, c.sendErrors);
  out.field("transitions"_key, c.transitions);
  out.field("became_master"_key, c.becameMaster);
  out.field("priority_zero_sent"_key, c.priorityZeroSent);
  out.field("priority_zero_received"_key, c.priorityZeroReceived);
  out.field("takeovers_held"_key, c.takeoversHeld);
  out.field("unknown_unicast_source"_key, c.unknownUnicastSource);
  out.key("rejected"_key);
  writeRejects(out, c.rejects);
  if (c.lastTransition) {
    out.field("last_transition_ms_ago"_key,
              static_cast<int64_t>(
                  std::chrono::duration_cast<std::chrono::milliseconds>(now - *c.lastTransition)
                      .count()));
  }
  if (c.lastTransitionWall) {
    // Unix seconds to the millisecond, as the system clock read then.
    out.field("last_transition_unix"_key, std::chrono::duration_cast<std::chrono::milliseconds>(
                                              c.lastTransitionWall->time_since_epoch())
                                                  .count() /
                                              1000.0);
  }
  out.end();  // counters
}

// The configuration keywords of one owner's entries: virtual_routes and
// virtual_rules for an instance, static_ipaddress, static_routes and
// static_rules for the worker.
struct RoutingKinds {
  const char* addresses;  // null: the owner has none
  const char* routes;
  const char* rules;
};

// `key`: {"install_failures": {KEYWORD: n, ...}, "failing": [{"kind":
// KEYWORD, "entry", "error"}]}, and "restored": {KEYWORD: n, ...} of
// routes and rules with `restored`; nothing when none are configured and
// none failed.
void writeRouting(JsonWriter& out, std::string_view key, const RoutingEntries::Failures& failures,
                  const RoutingEntries::Restored* restored, size_t configured,
                  const RoutingKinds& kinds) {
  if (configured == 0 && failures.addresses == 0 && failures.routes == 0 && failures.rules == 0) {
    return;
  }
  auto keyword = [&](const std::string& kind) {
    if (kind == "address" && kinds.addresses != nullptr) return kinds.addresses;
    return kind == "rule" ? kinds.rules : kinds.routes;
  };
  out.key(key).object();
  out.key("install_failures"_key).object();
  if (kinds.addresses != nullptr) out.field(kinds.addresses, failures.addresses);
  out.field(kinds.routes, failures.routes);
  out.field(kinds.rules, failures.rules);
  out.end();
  out.key("failing"_key).array();
  for (const RoutingEntries::Failing& f : failures.current) {
    out.object()
        .field("kind"_key, keyword(f.kind))
        .field("entry"_key, f.entry)
        .field("error"_key, f.error)
        .end();
  }
  out.end();
  if (restored != nullptr) {
    out.key("restored"_key)
        .object()
        .field(kinds.routes, restored->routes)
        .field(kinds.rules, restored->rules)
        .end();
  }
  out.end();
}

// {"restored": {KEYWORD: n, ...}, "notifications_lost": n,
// "watch_failures": n, "resyncs": n, "resync_failures": n}: the static
// entries added again after the kernel reported them deleted or a reading
// of its tables after lost notifications found them missing, how often
// deletions may have gone unseen, and those readings.
void writeStaticDeletions(JsonWriter& out, const RoutingEntries::Restored& restored,
                          uint64_t notificationsLost, uint64_t watchFailures,
                          const RoutingLossResync& resync) {
  out.key("static_deletions"_key).object();
  out.key("restored"_key)
      .object()
      .field("static_ipaddress"_key, restored.addresses)
      .field("static_routes"_key, restored.routes)
      .field("static_rules"_key, restored.rules)
      .end();
  out.field("notifications_lost"_key, notificationsLost);
  out.field("watch_failures"_key, watchFailures);
  out.field("resyncs"_key, resync.done());
  out.field("resync_failures"_key, resync.failures());
  out.end();
}

using SocketKey = std::pair<std::string, int>;

// Multicast groups to join per (interface, family).
std::map<SocketKey, std::vector<IpAddress>> groupsFor(const config::Config& config) {
  std::map<SocketKey, std::vector<IpAddress>> groups;
  for (const config::VrrpInstance& instance : config.vrrp.instances) {
    const std::string interface = interfacesFor(instance, config.global.vrrp.vmacPrefix).adverts;
    auto& list = groups[{interface, instance.family}];
    if (!instance.unicast && !instance.mcastDst.empty() &&
        std::find(list.begin(), list.end(), instance.mcastDst) == list.end()) {
      list.push_back(instance.mcastDst);
    }
  }
  return groups;
}

// DESIGN.md: a reload keeps the running state of an instance whose VRID,
// family, interface, unicast source and multicast destination are
// unchanged. Address ownership and version change what the state means,
// so they count as identity too, and so does the VMAC it runs on.
bool sameIdentity(const config::VrrpInstance& a, const std::string& aVmacPrefix,
                  const config::VrrpInstance& b, const std::string& bVmacPrefix) {
  return a.vrid == b.vrid && a.family == b.family && a.interface == b.interface &&
         a.sourceAddress == b.sourceAddress && a.unicast == b.unicast && a.mcastDst == b.mcastDst &&
         a.version == b.version && a.isAddressOwner() == b.isAddressOwner() &&
         vmacFor(a, aVmacPrefix) == vmacFor(b, bVmacPrefix) &&
         interfacesFor(a, aVmacPrefix) == interfacesFor(b, bVmacPrefix);
}

SocketAdvertSender::Options senderOptions(const config::VrrpInstance& instance,
                                          const IpAddress& source) {
  SocketAdvertSender::Options options;
  options.source = source;
  options.ttl = instance.unicast ? instance.unicastTtl : kVrrpTtl;
  options.v3ChecksumAsV2 = instance.v3ChecksumAsV2;
  options.ahKey = authDataFromPassword(instance.auth.password);
  if (instance.unicast) {
    for (const config::UnicastPeer& peer : instance.unicastPeers) {
      options.destinations.push_back(peer.address);
    }
  } else {
    options.destinations.push_back(instance.mcastDst);
  }
  return options;
}

// Group transitions through the instances' notifier, so both share one set
// of FIFOs. `scripts` outlives this: both live in the same WorkerIo.
class ScriptGroupNotifier final : public GroupNotifier {
 public:
  explicit ScriptGroupNotifier(ScriptTransitionNotifier& scripts) : scripts_(scripts) {}
  void notify(const config::VrrpSyncGroup& group, State state) override {
    logged_.notify(group, state);
    scripts_.group(group, state == State::Master   ? NotifyState::Master
                          : state == State::Backup ? NotifyState::Backup
                          : state == State::Fault  ? NotifyState::Fault
                                                   : NotifyState::Stop);
  }

 private:
  ScriptTransitionNotifier& scripts_;
  LoggingGroupNotifier logged_;
};

std::unique_ptr<netlink::LinkMonitor> systemLinkMonitor(EventLoop& loop) {
  auto monitor = netlink::NetlinkLinkMonitor::start(loop);
  if (!monitor) {
    log(LogLevel::Error, "track_interface: no link monitor, interfaces are assumed up: {}",
        monitor.error().describe());
    return nullptr;
  }
  return std::move(*monitor);
}

// vrrp_track_process scans /proc this often; fork_delay and
// terminate_delay count from the scan that saw the change.
constexpr Duration kProcessScanInterval = std::chrono::seconds(1);

}  // namespace

WorkerIo systemWorkerIo(PosixEventLoop& loop, std::shared_ptr<const config::Config> config) {
  auto scripts = std::make_unique<ScriptTransitionNotifier>(loop, std::move(config));
  auto groups = std::make_unique<ScriptGroupNotifier>(*scripts);
  // Its own spawner, shared with the filter so removals queued at shutdown
  // still run after the worker's other effects are gone.
  auto nftSpawner = std::make_shared<PosixProcessSpawner>(loop);
  // The VIP installer finds interfaces in the monitor's table (kept by the
  // link events it receives) instead of asking the kernel at every refresh.
  std::unique_ptr<netlink::LinkMonitor> links = systemLinkMonitor(loop);
  const netlink::LinkMonitor* knownLinks = links.get();
  return {makeVipInstaller(knownLinks),
          makeVipAnnouncer(),
          std::move(scripts),
          std::make_unique<PosixProcessSpawner>(loop),
          std::move(groups),
          std::move(links),
          std::make_unique<ProcProcessTable>(),
          std::make_unique<NftAcceptFilter>(*nftSpawner, nftSpawner),
          std::make_unique<netlink::NetlinkMacvlanManager>(),
          makeProcSysctlStore(),
          nullptr,
          [&loop](std::function<void(Duration)> observer) {
            loop.setLatenessObserver(std::move(observer));
          },
          makeRouteManager(),
          makeRuleManager(),
          makeAddressManager(),
          makeDeletionMonitor(loop),
          std::make_unique<netlink::NetlinkRoutingDumper>(loop)};
}

WorkerIo loggingWorkerIo() {
  return {std::make_unique<LoggingVipInstaller>(), std::make_unique<LoggingVipAnnouncer>(),
          std::make_unique<LoggingTransitionNotifier>()};
}

VrrpWorker::VrrpWorker(EventLoop& loop, std::shared_ptr<const config::Config> config,
                       uint64_t generation, ConfigFor configFor, WorkerIo io)
    : loop_(loop),
      config_(std::move(config)),
      generation_(generation),
      configFor_(std::move(configFor)),
      io_(std::move(io)),
      sync_(loop_, io_.groups ? *io_.groups : static_cast<GroupNotifier&>(loggedGroups_)),
      lvsSync_(io_.lvsSync.get()),
      lvsNotifier_(*io_.notifier, lvsSync_),
      notifier_(lvsNotifier_, sync_),
      staticRouting_(io_.routes.get(), io_.rules.get(), "static routing", io_.addresses.get()) {
  if (io_.sysctls) vmacSysctls_ = std::make_unique<VmacSysctls>(*io_.sysctls);
  if (io_.links) {
    links_ = std::make_unique<LinkTracker>(
        *io_.links, [this](const std::string& name, bool up) { onLinkChange(name, up); });
  }
  if (io_.deletions) {
    io_.deletions->setListener(
        [this](const netlink::DeletedEntry& deleted) { onDeleted(deleted); });
    io_.deletions->setLossListener([this] { lossResync_.onLoss(); });
  }
  staticRouting_.watchDeletionsWith(&deletionWatch_);
  if (io_.observeTimerLateness) io_.observeTimerLateness(lateness_.feedFromLoop());
  build();
}

VrrpWorker::~VrrpWorker() {
  stopAll();
  if (io_.observeTimerLateness) io_.observeTimerLateness({});
}

void VrrpWorker::build() {
  // Before any instance starts: one that becomes Master at once (an address
  // owner) must find the backup daemon to replace.
  lvsSync_.start(config_->global.lvsSyncDaemon, false);
  sync_.reset(config_->vrrp);
  if (links_) links_->setDelays(loop_, config_->vrrp.interfaceDelays);
  startScripts();
  startProcesses();
  const auto wanted = wantedVmacs(*config_);
  applyVmacs(planVmacs({}, wanted), wanted);
  openSockets();
  installStaticRouting();
  for (const config::VrrpInstance& instance : config_->vrrp.instances) {
    if (Status started = startInstance(instance); !started) {
      failed_[instance.name] = started.error().describe();
      log(LogLevel::Error, "VRRP_Instance({}) not started: {}", instance.name,
          started.error().describe());
    }
  }
  startNewInstances();
}

void VrrpWorker::applyVmacs(const VmacPlan& plan, const std::map<std::string, WantedVmac>& wanted) {
  for (const std::string& name : plan.remove) removeVmac(name);
  vmacErrors_.clear();
  for (const std::string& name : plan.create) {
    const WantedVmac& vmac = wanted.at(name);
    if (!io_.macvlans) {
      vmacErrors_[name] = "VMACs are not created by this worker";
      continue;
    }
    auto created = VmacInterface::create(*io_.macvlans, vmac.spec, vmac.base);
    if (!created) {
      vmacErrors_[name] = created.error().describe();
      log(LogLevel::Error, "use_vmac: cannot create {}: {}", name, created.error().describe());
      continue;
    }
    log(LogLevel::Info, "use_vmac: created {} on {}", name, vmac.base);
    vmacs_.emplace(name, RunningVmac{vmac, std::move(*created)});
    if (vmacSysctls_) vmacSysctls_->vmacCreated(name, vmac.base, vmac.family);
    if (vmac.baseLinkLocal) {
      auto linkLocal = interfaceSourceAddress(vmac.base, AF_INET6);
      if (linkLocal) {
        io_.vips->add({vmacLinkLocalOn(name, *linkLocal)}, name, std::nullopt);
      } else {
        log(LogLevel::Error, "use_vmac: {} has no link-local: {}", name,
            linkLocal.error().describe());
      }
    }
  }
}

void VrrpWorker::removeVmac(const std::string& name) {
  auto it = vmacs_.find(name);
  if (it == vmacs_.end()) return;
  const std::string base = it->second.wanted.base;
  vmacs_.erase(it);  // deletes the interface
  if (vmacSysctls_) vmacSysctls_->vmacRemoved(base);
}

std::map<std::string, WantedVmac> VrrpWorker::existingVmacs() const {
  std::map<std::string, WantedVmac> existing;
  for (const auto& [name, vmac] : vmacs_) existing.emplace(name, vmac.wanted);
  return existing;
}

void VrrpWorker::openSockets() {
  for (const auto& [key, list] : groupsFor(*config_)) {
    if (sockets_.contains(key)) continue;  // kept by a reload
    auto socket = VrrpSocket::open(loop_, key.first, key.second, list);
    if (!socket) {
      // Instances on this interface report the failure themselves.
      socketErrors_[key] = socket.error().describe();
      continue;
    }
    sockets_[key] = std::move(*socket);
    socketGroups_[key] = list;
  }
}

void VrrpWorker::updateGroups(const std::map<SocketKey, std::vector<IpAddress>>& wanted) {
  for (const auto& [key, socket] : sockets_) {
    auto w = wanted.find(key);
    if (w != wanted.end() && w->second != socketGroups_[key]) updateGroups(key, w->second);
  }
}

void VrrpWorker::updateGroups(const SocketKey& key, const std::vector<IpAddress>& wanted) {
  VrrpSocket& socket = *sockets_.at(key);
  std::vector<IpAddress>& joined = socketGroups_[key];
  for (const IpAddress& group : std::vector<IpAddress>(joined)) {
    if (std::find(wanted.begin(), wanted.end(), group) != wanted.end()) continue;
    // Left or not, no instance listens for it any more.
    if (Status left = socket.leaveGroup(group); !left) {
      log(LogLevel::Warning, "vrrp worker: {}: cannot leave {}: {}", key.first, group.toString(),
          left.error().describe());
    }
    std::erase(joined, group);
  }
  for (const IpAddress& group : wanted) {
    if (std::find(joined.begin(), joined.end(), group) != joined.end()) continue;
    if (Status in = socket.joinGroup(group); !in) {
      // The instances on that group report it; the next reload retries.
      log(LogLevel::Error, "vrrp worker: {}: cannot join {}: {}", key.first, group.toString(),
          in.error().describe());
      groupErrors_[{key, group}] = in.error().describe();
      continue;
    }
    joined.push_back(group);
  }
}

bool VrrpWorker::syncInstanceIsMaster() const {
  const auto& daemon = lvsSync_.daemon();
  if (!daemon) return false;
  return std::any_of(instances_.begin(), instances_.end(), [&](const Running& running) {
    return running.runtime->config().name == daemon->vrrpInstance &&
           running.runtime->state().state == State::Master;
  });
}

Status VrrpWorker::startInstance(const config::VrrpInstance& instance) {
  if (auto vmac = vmacFor(instance, config_->global.vrrp.vmacPrefix)) {
    if (auto why = vmacErrors_.find(vmac->name); why != vmacErrors_.end()) {
      return Error{0, "no VMAC " + vmac->name + ": " + why->second};
    }
  }
  const std::string interface = interfacesFor(instance, config_->global.vrrp.vmacPrefix).adverts;
  auto socket = sockets_.find({interface, instance.family});
  if (socket == sockets_.end()) {
    auto why = socketErrors_.find({interface, instance.family});
    return Error{0, "no VRRP socket: " + (why == socketErrors_.end() ? interface : why->second)};
  }
  if (!instance.unicast) {
    auto why = groupErrors_.find({{interface, instance.family}, instance.mcastDst});
    if (why != groupErrors_.end()) return Error{0, "multicast group not joined: " + why->second};
  }
  IpAddress source;
  if (instance.sourceAddress) {
    source = *instance.sourceAddress;
  } else {
    auto found = interfaceSourceAddress(instance.interface, instance.family);
    if (!found) return found.error();
    source = *found;
  }
  if (auto linkLocal = vmacLinkLocal(instance, config_->global.vrrp.vmacPrefix, source)) {
    io_.vips->add({*linkLocal}, linkLocal->dev, std::nullopt);
  }
  Running running;
  running.socket = socket->second.get();
  running.sender =
      std::make_unique<SocketAdvertSender>(*running.socket, senderOptions(instance, source));
  running.vips =
      std::make_unique<VipRouteInstaller>(*io_.vips, io_.routes.get(), io_.rules.get(), instance);
  running.vips->routing().watchDeletionsWith(&deletionWatch_);
  RuntimeIo io{*running.sender, *running.vips, *io_.gratuitous, notifier_, io_.accept.get()};
  running.runtime = std::make_unique<InstanceRuntime>(
      loop_, withPlacedAddresses(instance, config_->global.vrrp),
      paramsFor(instance, source, config_->global.vrrp), io, config_->global.vipLifetime);
  running.socket->dispatcher().add(running.runtime.get());
  running.runtime->setAdvertBacklog(running.socket->backlog());
  resetTracking(running);
  instances_.push_back(std::move(running));
  return {};
}

void VrrpWorker::startNewInstances() {
  // Track files report their current values first, so an instance whose
  // file says fault starts in Fault rather than passing through Backup.
  startTrackFiles();
  for (Running& running : instances_) {
    if (running.runtime->state().state == State::Initialize) running.runtime->start();
  }
}

void VrrpWorker::startTrackFiles() {
  trackFiles_.reset();
  if (config_->vrrp.trackFiles.empty()) return;
  trackFiles_ = std::make_unique<TrackFileWatcher>(
      loop_, config_->vrrp.trackFiles,
      [this](const std::string& name, int64_t value) { onTrackFileChange(name, value); });
  if (Status started = trackFiles_->start(); !started) {
    log(LogLevel::Error, "track_file: {}", started.error().describe());
  }
}

void VrrpWorker::onTrackFileChange(const std::string& name, int64_t value) {
  log(LogLevel::Info, "VRRP_Track_File({}) value {}", name, value);
  for (Running& running : instances_) deliver(running, running.tracking->setFile(name, value));
}

void VrrpWorker::startProcesses() {
  processes_.reset();
  if (!io_.processes || config_->vrrp.trackProcesses.empty()) return;
  processes_ = std::make_unique<ProcessTracker>(
      loop_, *io_.processes, config_->vrrp.trackProcesses, kProcessScanInterval,
      [this](const std::string& name, bool up) { onProcessChange(name, up); });
  processes_->start();
}

void VrrpWorker::onProcessChange(const std::string& name, bool up) {
  log(LogLevel::Info, "VRRP_Track_Process({}) {}", name, up ? "up" : "down");
  for (Running& running : instances_) deliver(running, running.tracking->setProcess(name, up));
}

void VrrpWorker::onLinkChange(const std::string& name, bool up) {
  if (up) staticRouting_.reinstateOn(name);
  for (Running& running : instances_) {
    if (!running.tracking->tracks(TrackKind::Interface, name)) continue;
    log(LogLevel::Info, "VRRP_Instance({}) tracked interface {} is {}",
        running.runtime->config().name, name, up ? "up" : "down");
    deliver(running, running.tracking->setInterface(name, up));
  }
}

void VrrpWorker::deliver(Running& running, const std::vector<Event>& events) {
  sync_.track(*running.runtime, events);
}

void VrrpWorker::startScripts() {
  scripts_.reset();
  if (!io_.spawner) return;
  PreparedScripts prepared = prepareTrackedScripts(config_->vrrp, config_->global);
  for (const Error& refused : prepared.refused) {
    log(LogLevel::Error, "vrrp_script not run: {}", refused.describe());
  }
  if (prepared.specs.empty()) return;
  scripts_ = std::make_unique<ScriptRunner>(
      loop_, *io_.spawner, std::move(prepared.specs),
      [this](const std::string& name, bool ok) { onScriptChange(name, ok); });
  scripts_->start();
}

void VrrpWorker::onScriptChange(const std::string& name, bool ok) {
  log(LogLevel::Info, "VRRP_Script({}) {}", name, ok ? "succeeded" : "failed");
  for (Running& running : instances_) deliver(running, running.tracking->setScript(name, ok));
}

void VrrpWorker::resetTracking(Running& running) {
  running.tracking = std::make_unique<TrackingState>(TrackingState::forInstance(
      running.runtime->config(), config_->vrrp, config_->global.defaultInterface));
  TrackingState& tracking = *running.tracking;
  // Interfaces and processes as they are now; scripts and files report
  // through their runners.
  for (const TrackedObject& object : std::vector<TrackedObject>(tracking.objects())) {
    if (object.kind == TrackKind::Interface && links_) {
      (void)tracking.setInterface(object.name, links_->up(object.name));
    } else if (object.kind == TrackKind::Process && processes_) {
      if (auto up = processes_->up(object.name)) (void)tracking.setProcess(object.name, *up);
    }
  }
  sync_.attach(*running.runtime, tracking.fault());
  std::vector<Event> events;
  if (tracking.fault()) events.push_back(FaultRaised{});
  events.push_back(PriorityChanged{tracking.effectivePriority()});
  if (!tracking.fault()) events.push_back(FaultCleared{});
  deliver(running, events);
}

void VrrpWorker::stopRunning(Running& running) {
  running.runtime->stop();
  sync_.detach(*running.runtime);
  running.socket->dispatcher().remove(running.runtime.get());
  running.runtime->setAdvertBacklog(nullptr);
}

void VrrpWorker::stopAll() {
  lvsSync_.stop();
  scripts_.reset();
  trackFiles_.reset();
  processes_.reset();
  for (Running& running : instances_) stopRunning(running);
  instances_.clear();
  sockets_.clear();
  socketGroups_.clear();
  socketErrors_.clear();
  groupErrors_.clear();
  failed_.clear();
  // After the instances' VIPs and the sockets on them are gone.
  for (const auto& [name, vmac] : existingVmacs()) removeVmac(name);
  vmacErrors_.clear();
  staticRouting_.uninstallAll();
}

void VrrpWorker::installStaticRouting() {
  const config::VrrpModel& vrrp = config_->vrrp;
  deletionWatch_.retry();
  staticRouting_.configure(vrrp.staticAddresses, vrrp.staticRoutes, vrrp.staticRules,
                           "static routing", config_->global.defaultInterface);
  staticRouting_.installAll();
}

void VrrpWorker::onDeleted(netlink::DeletedEntry deleted) {
  if (deleted.ifindex != 0 && io_.links) {
    if (auto link = io_.links->linkState(deleted.ifindex)) deleted.interface = link->name;
  }
  for (RoutingEntries* owner : routingOwners()) owner->reinstate(deleted, indexOf_);
}

std::vector<RoutingEntries*> VrrpWorker::routingOwners() {
  std::vector<RoutingEntries*> owners{&staticRouting_};
  owners.reserve(instances_.size() + 1);
  for (Running& running : instances_) owners.push_back(&running.vips->routing());
  return owners;
}

int VrrpWorker::interfaceIndexOf(const std::string& name) const {
  if (io_.links) return io_.links->knownIndex(name);
  Result<int> index = netlink::interfaceIndex(name);
  return index ? *index : 0;
}

void VrrpWorker::reload(uint64_t generation) {
  // Before the file is parsed (the slow part): backups' Master_Down
  // intervals start from a fresh advert, not an aged one.
  for (Running& running : instances_) running.runtime->advertiseIfMaster();
  auto config = configFor_(generation);
  if (!config) {
    log(LogLevel::Error, "vrrp worker: reload failed; keeping generation {}", generation_);
    return;
  }
  // VMACs whose name, MAC and base are unchanged stay. Sockets whose
  // interface and family are still wanted (and whose VMAC stays) stay open,
  // joining and leaving groups as the instances on them changed, and so do
  // the instances on them whose identity is unchanged.
  const auto wantedMacs = wantedVmacs(*config);
  const VmacPlan vmacPlan = planVmacs(existingVmacs(), wantedMacs);
  std::map<SocketKey, std::vector<IpAddress>> wanted = groupsFor(*config);
  auto keepSocket = [&](const SocketKey& key) {
    auto w = wanted.find(key);
    const bool vmacGoes = std::find(vmacPlan.remove.begin(), vmacPlan.remove.end(), key.first) !=
                          vmacPlan.remove.end();
    return w != wanted.end() && sockets_.contains(key) && !vmacGoes;
  };
  const std::string oldPrefix = config_->global.vrrp.vmacPrefix;
  const std::string newPrefix = config->global.vrrp.vmacPrefix;
  std::vector<Running> old = std::move(instances_);
  instances_.clear();
  std::map<const config::VrrpInstance*, Running> kept;
  for (const config::VrrpInstance& instance : config->vrrp.instances) {
    if (!keepSocket({interfacesFor(instance, newPrefix).adverts, instance.family})) continue;
    auto it = std::find_if(old.begin(), old.end(), [&](const Running& r) {
      return sameIdentity(r.runtime->config(), oldPrefix, instance, newPrefix);
    });
    if (it == old.end()) continue;
    kept.emplace(&instance, std::move(*it));
    old.erase(it);
  }
  for (Running& running : old) stopRunning(running);
  old.clear();
  std::erase_if(sockets_, [&](const auto& entry) { return !keepSocket(entry.first); });
  std::erase_if(socketGroups_, [&](const auto& entry) { return !sockets_.contains(entry.first); });
  applyVmacs(vmacPlan, wantedMacs);
  config_ = std::move(config);
  generation_ = generation;
  failed_.clear();
  socketErrors_.clear();
  groupErrors_.clear();
  updateGroups(wanted);
  sync_.reset(config_->vrrp);
  if (links_) links_->setDelays(loop_, config_->vrrp.interfaceDelays);
  startScripts();
  startProcesses();
  openSockets();
  installStaticRouting();
  for (const config::VrrpInstance& instance : config_->vrrp.instances) {
    auto k = kept.find(&instance);
    if (k == kept.end()) {
      if (Status started = startInstance(instance); !started) {
        failed_[instance.name] = started.error().describe();
        log(LogLevel::Error, "VRRP_Instance({}) not started: {}", instance.name,
            started.error().describe());
      }
      continue;
    }
    Running& running = k->second;
    const IpAddress source = running.runtime->params().primaryAddress;
    running.sender->setOptions(senderOptions(instance, source));
    running.vips->reconfigure(instance);
    running.runtime->reconfigure(withPlacedAddresses(instance, config_->global.vrrp),
                                 paramsFor(instance, source, config_->global.vrrp),
                                 config_->global.vipLifetime);
    resetTracking(running);
    instances_.push_back(std::move(running));
  }
  lvsSync_.reconfigure(config_->global.lvsSyncDaemon, syncInstanceIsMaster());
  startNewInstances();
  log(LogLevel::Info, "vrrp worker: running configuration generation {} ({} instances kept)",
      generation, kept.size());
}

std::string VrrpWorker::snapshot() const {
  JsonWriter out;
  out.reserve(snapshotBytes_);
  out.object();
  out.field("worker"_key, "vrrp");
  out.field("pid"_key, pid_);
  out.field("generation"_key, generation_);
  out.field("config"_key, config_->path);
  const TimePoint now = loop_.now();
  out.key("instances"_key).array();
  for (const Running& running : instances_) {
    writeInstance(out, *running.runtime, now, running.snapshotHead, generation_);
    const config::VrrpInstance& config = running.runtime->config();
    writeRouting(out, "routing", running.vips->routing().failures(),
                 &running.vips->routing().restored(), config.routes.size() + config.rules.size(),
                 {nullptr, "virtual_routes", "virtual_rules"});
    out.end();
  }
  for (const auto& [name, why] : failed_) {
    out.object()
        .field("name"_key, name)
        .field("state"_key, "NOT_RUNNING")
        .field("error"_key, why)
        .end();
  }
  out.end();
  out.key("sync_groups"_key).array();
  for (const config::VrrpSyncGroup& group : config_->vrrp.syncGroups) {
    // Takeovers the group refused its members (the sum of theirs).
    uint64_t held = 0;
    for (const Running& running : instances_) {
      if (running.runtime->config().syncGroup == group.name) {
        held += running.runtime->counters().takeoversHeld;
      }
    }
    out.object()
        .field("name"_key, group.name)
        .field("state"_key, name(sync_.groupState(group.name)))
        .field("takeovers_held"_key, held)
        .end();
  }
  out.end();
  writeRouting(out, "static_routing", staticRouting_.failures(), nullptr,
               config_->vrrp.staticAddresses.size() + config_->vrrp.staticRoutes.size() +
                   config_->vrrp.staticRules.size(),
               {"static_ipaddress", "static_routes", "static_rules"});
  writeStaticDeletions(out, staticRouting_.restored(),
                       io_.deletions ? io_.deletions->overflows() : 0, deletionWatch_.failures(),
                       lossResync_);
  out.key("loop_lateness"_key).object();
  out.key("bounds"_key).raw(latenessBoundsJson());
  out.key("cumulative"_key).array();
  for (uint64_t n : lateness_.cumulative()) out.value(n);
  out.end();
  out.field("count"_key, lateness_.count());
  out.field("sum_seconds"_key, lateness_.sumSeconds());
  out.end();
  out.key("sockets"_key).array();
  for (const auto& [key, socket] : sockets_) {
    std::array<uint64_t, kRejectReasonCount> rejects{};
    for (size_t i = 0; i < kRejectReasonCount; ++i) {
      rejects[i] = socket->dispatcher().rejected(static_cast<RejectReason>(i));
    }
    out.object();
    out.field("interface"_key, key.first);
    out.field("family"_key, key.second == AF_INET6 ? "inet6" : "inet");
    out.key("rejected"_key);
    writeRejects(out, rejects);
    // Routine adverts a quiet backup handled in batches, and the batches.
    out.field("quiet_adverts"_key, socket->quietAdverts());
    out.field("quiet_drains"_key, socket->quietDrains());
    out.end();
  }
  out.end();
  if (const auto& daemon = lvsSync_.daemon()) {
    out.key("lvs_sync_daemon"_key).object();
    out.field("interface"_key, daemon->interface);
    out.field("instance"_key, daemon->vrrpInstance);
    out.field("master"_key, lvsSync_.running().master);
    out.field("backup"_key, lvsSync_.running().backup);
    out.field("failures"_key, lvsSync_.failures());
    out.end();
  }
  out.end();
  // The next rendering starts with room for this one's text.
  snapshotBytes_ = out.text().size();
  return out.take();
}

}  // namespace vigil::vrrp
