#include "cli/vigild/daemon.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <nlohmann/json.hpp>
#include <optional>

#include "check/check_worker.h"
#include "check/heap_policy.h"
#include "check/owned_services_file.h"
#include "check/probe_factory.h"
#include "check/tcp_socket_pool.h"
#include "check/tcp_syn_prober.h"
#include "cli/vigild/control_socket.h"
#include "cli/vigild/http_module.h"
#include "cli/vigild/kernel_lvs_globals.h"
#include "cli/vigild/kernel_lvs_sync.h"
#include "cli/vigild/monitor_service.h"
#include "cli/vigild/scheduling_plan.h"
#include "cli/vigild/smtp_alert_service.h"
#include "cli/vigild/snmp_module.h"
#include "cli/vigild/snmp_service.h"
#include "cli/vigild/state_dump.h"
#include "cli/vigild/supervisor_view.h"
#include "cli/vigild/systemd_notify.h"
#include "core/log.h"
#include "core/netlink/netlink_address_monitor.h"
#include "core/posix_event_loop.h"
#include "core/process.h"
#include "core/supervisor.h"
#include "ipvs/kernel/kernel_dataplane.h"
#include "ipvs/memory_dataplane.h"
#include "vrrp/accept_filter_cleanup.h"
#include "vrrp/route_installer.h"
#include "vrrp/runtime_netlink.h"
#include "vrrp/script_runner.h"
#include "vrrp/script_runner_security.h"
#include "vrrp/vmac_addr_plan.h"
#include "vrrp/vmac_plan.h"
#include "vrrp/vrrp_worker.h"

namespace vigil::cli {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitFatal = 3;
constexpr int kExitConfig = 4;

using ConfigLoader = std::function<std::shared_ptr<const config::Config>()>;

// The configuration a process works from. In --single-process mode the
// supervisor and workers share one; a worker process has its own copy.
struct ConfigState {
  std::shared_ptr<const config::Config> config;
  uint64_t generation = 1;
};

// The VRRP worker reads the generation the supervisor accepted: in-process
// the shared state already holds it; a worker process loads its own copy.
std::function<std::shared_ptr<const config::Config>(uint64_t)> configFor(
    std::shared_ptr<ConfigState> state, ConfigLoader loadConfig) {
  return [state, loadConfig](uint64_t generation) -> std::shared_ptr<const config::Config> {
    if (state->generation < generation) {
      auto config = loadConfig();
      // A forked worker parses the file itself: what the parse freed goes
      // back here too, not only in the supervisor.
      check::returnFreeHeap();
      if (!config) return nullptr;
      state->config = std::move(config);
      state->generation = generation;
    }
    return state->config;
  };
}

std::unique_ptr<Worker> makeVrrpWorker(EventLoop& loop, std::shared_ptr<ConfigState> state,
                                       ConfigLoader loadConfig) {
  // Workers always run on a PosixEventLoop (their own, or the supervisor's
  // with --single-process); notify scripts need its child reaping.
  auto* posix = dynamic_cast<PosixEventLoop*>(&loop);
  vrrp::WorkerIo io =
      posix != nullptr ? vrrp::systemWorkerIo(*posix, state->config) : vrrp::loggingWorkerIo();
  // lvs_sync_daemon follows VRRP roles in the process that sees them.
  if (state->config->global.dataplane == config::Dataplane::Kernel) {
    io.lvsSync = makeKernelLvsSyncControl();
  }
  return std::make_unique<vrrp::VrrpWorker>(loop, state->config, state->generation,
                                            configFor(state, std::move(loadConfig)), std::move(io));
}

// Notify scripts of the check worker follow the VRRP worker's rules:
// keepalived's argv splitting, script_user, enable_script_security.
Result<SpawnRequest> prepareCheckScript(const config::ScriptCommand& command,
                                        const config::GlobalDefs& global) {
  SpawnRequest request;
  request.argv = vrrp::splitCommand(command.command);
  if (request.argv.empty()) return Error{EINVAL, "empty command"};
  std::optional<config::ScriptAccount> own;
  if (!command.user.empty()) own = config::ScriptAccount{command.user, command.group, command.pos};
  auto account = vrrp::scriptAccount(own, global);
  if (!account) return account.error();
  if (global.enableScriptSecurity) {
    auto path = vrrp::resolveExecutable(request.argv[0]);
    if (!path) return path.error();
    if (Status safe = vrrp::checkScriptSecurity(*path, *account); !safe) return safe.error();
  }
  request.runAs = *account;
  return request;
}

// `dataplane none`: no table at all. `dataplane kernel` without IPVS in the
// kernel, and `dataplane userspace` (no engine yet), keep the table in
// memory so health, notifies and status still work, and VRRP is never taken
// down for it.
std::unique_ptr<ipvs::Dataplane> makeDataplane(const config::GlobalDefs& global) {
  switch (global.dataplane) {
    case config::Dataplane::None:
      log(LogLevel::Info, "check worker: dataplane none: checkers drive notifies and status only");
      return nullptr;
    case config::Dataplane::Kernel: {
      auto kernel = ipvs::kernel::openKernelDataplane();
      if (kernel) return withLvsGlobals(std::move(*kernel), global);
      // Never fatal: VRRP keeps running and the checkers keep reporting.
      log(LogLevel::Error, "check worker: {}; keeping the IPVS table in memory only",
          kernel.error().describe());
      break;
    }
    case config::Dataplane::Userspace:
      log(LogLevel::Warning,
          "check worker: the userspace dataplane is not available in this vigil yet; keeping the "
          "IPVS table in memory");
      break;
  }
  return std::make_unique<ipvs::MemoryDataplane>();
}

// Probes as check/probe_factory.h builds them. The spawner, the HTTP
// module (loaded at the first HTTP_GET / SSL_GET) and the TCP_CHECK socket
// pool live as long as the factory, which the worker destroys after its
// checkers; SSL_GET reads the SSL { } block of the generation running.
check::ProbeFactory makeCheckProbe(EventLoop& loop, std::shared_ptr<ConfigState> state,
                                   std::shared_ptr<check::TcpSynProber> tcpSyn,
                                   std::shared_ptr<LazyHttpModule> http) {
  auto* posix = dynamic_cast<PosixEventLoop*>(&loop);
  std::shared_ptr<ProcessSpawner> spawner;
  if (posix != nullptr) spawner = std::make_shared<PosixProcessSpawner>(*posix);
  // Its idle budget follows the descriptor limit raiseDescriptorLimit() set.
  auto tcpPool =
      std::make_shared<check::TcpSocketPool>(loop, check::TcpSocketPool::idleBudgetOfThisProcess());
  return [&loop, state, spawner, http, tcpPool, tcpSyn](const config::Checker& checker) {
    check::ProbeDeps deps;
    deps.spawner = spawner.get();
    deps.tcpPool = tcpPool.get();
    deps.tcpSyn = tcpSyn.get();
    deps.prepareScript = [state](const config::ScriptCommand& command) {
      return prepareCheckScript(command, state->config->global);
    };
    deps.http = http.get();
    deps.config = state->config;  // FILE_CHECK: its track_file and real server
    if (state->config->lvs.ssl) {
      deps.ssl = std::make_shared<const config::SslContext>(*state->config->lvs.ssl);
    }
    auto probe = check::makeProbe(loop, checker, deps);
    if (!probe) return check::ProbeSpec{nullptr, {}, probe.error().describe()};
    return check::ProbeSpec{std::move(*probe), check::attemptTimeout(checker), {}};
  };
}

// Every running checker holds a socket (or a pipe) while it probes: with
// thousands of real servers the usual soft limit of 1024 descriptors runs
// out. The hard limit is the operator's ceiling; take all of it. Runs in the
// check worker process (the factory is called after the fork).
void raiseDescriptorLimit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= limit.rlim_max) return;
  const rlim_t previous = limit.rlim_cur;
  limit.rlim_cur = limit.rlim_max;
  if (::setrlimit(RLIMIT_NOFILE, &limit) != 0) {
    log(LogLevel::Warning, "check worker: cannot raise RLIMIT_NOFILE from {}: {}", previous,
        std::strerror(errno));
  }
}

std::unique_ptr<Worker> makeCheckWorker(EventLoop& loop, std::shared_ptr<ConfigState> state,
                                        ConfigLoader loadConfig) {
  raiseDescriptorLimit();
  check::CheckWorkerIo io;
  auto tcpSyn = std::make_shared<check::TcpSynProber>(loop);  // opens its sockets on first use
  auto http = std::make_shared<LazyHttpModule>(loop, [&loop] { return loadHttpModule(loop); });
  io.makeProbe = makeCheckProbe(loop, state, tcpSyn, http);
  io.modules = [http] {
    std::optional<check::ModuleLoad> load = http->load();
    return load ? std::vector<check::ModuleLoad>{*load} : std::vector<check::ModuleLoad>{};
  };
  io.tcpSyn = tcpSyn;
  auto* posix = dynamic_cast<PosixEventLoop*>(&loop);
  if (posix != nullptr) io.spawner = std::make_unique<PosixProcessSpawner>(*posix);
  // The global_defs of the generation running; ConfigState moves on reload.
  io.prepareScript = [state](const config::ScriptCommand& command) {
    return prepareCheckScript(command, state->config->global);
  };
  io.dataplane = makeDataplane(state->config->global);
  // The kernel table outlives this worker: so must what vigil owns in it.
  if (io.dataplane && io.dataplane->name() == "kernel") {
    io.ownedServicesFile = check::ownedServicesPathForThisNamespace();
  }
  io.startGenericFifoScript = state->config->vrrp.instances.empty();
  // ha_suspend follows the local addresses; without the monitor nothing is suspended.
  if (auto addresses = netlink::NetlinkAddressMonitor::start(loop)) {
    io.addresses = std::move(*addresses);
  } else {
    log(LogLevel::Warning, "check worker: no address monitor: {}", addresses.error().describe());
  }
  return std::make_unique<check::CheckWorker>(loop, state->config, state->generation,
                                              configFor(state, std::move(loadConfig)),
                                              std::move(io));
}

enum class ForkSide { Parent, Daemon, Failed };

// Detaches from the terminal: fork, new session, stdio on /dev/null.
ForkSide daemonise() {
  pid_t pid = ::fork();
  if (pid < 0) {
    log(LogLevel::Error, "cannot fork into the background: {}", errnoError("fork").describe());
    return ForkSide::Failed;
  }
  if (pid > 0) {
    return ForkSide::Parent;
  }
  ::setsid();
  if (::chdir("/") != 0) {
    log(LogLevel::Warning, "chdir /: {}", errnoError("").describe());
  }
  int null = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  if (null >= 0) {
    ::dup2(null, STDIN_FILENO);
    ::dup2(null, STDOUT_FILENO);
    ::dup2(null, STDERR_FILENO);
    if (null > STDERR_FILENO) {
      ::close(null);
    }
  }
  return ForkSide::Daemon;
}

void writePid(const std::string& path, pid_t pid) {
  if (path.empty()) {
    return;
  }
  Status written = writePidFile(path, pid);
  if (!written) {
    log(LogLevel::Error, "{}", written.error().describe());
  }
}

void removePid(const std::string& path) {
  if (!path.empty()) {
    ::unlink(path.c_str());
  }
}

class Daemon {
 public:
  Daemon(const DaemonOptions& options, std::shared_ptr<const config::Config> config)
      : options_(options), state_(std::make_shared<ConfigState>()) {
    state_->config = std::move(config);
  }

  int run() {
    std::signal(SIGPIPE, SIG_IGN);
    for (int signo : {SIGTERM, SIGINT}) {
      if (!loop_.onSignal(signo, [this] { shutdown(); })) {
        return kExitFatal;
      }
    }
    if (!loop_.onSignal(SIGHUP, [this] { reload(); })) {
      return kExitFatal;
    }
    writePid(options_.pidFile, ::getpid());
    Supervisor supervisor(loop_, workerSpecs(), supervisorOptions());
    supervisor_ = &supervisor;
    supervisor.setObserver([this](const WorkerStatus& s) { onWorkerChange(s); });
    MonitorService monitor(
        loop_, supervisor,
        {options_.configPath, options_.snapshotInterval,
         [state = state_] { return state->generation; }, [this] { return lastReload_; },
         [this] { return smtp_ ? smtp_->mailStats() : std::nullopt; },
         [this] { return snmp_ ? snmp_->moduleFailed() : std::nullopt; }});
    monitor.apply(state_->config->global);
    monitor_ = &monitor;
    // vigilctl's way in (doc/vigilctl.md); vigild runs on without it.
    std::unique_ptr<ControlSocket> control = openControlSocket(monitor);
    // systemd and keepalived's SIGUSR1/SIGUSR2 dumps (doc/vigild.md).
    ViewSource view =
        supervisorView(loop_, supervisor, options_.configPath, options_.snapshotInterval,
                       [state = state_] { return state->generation; });
    if (Status dumps = installStateDumps(loop_, view); !dumps) return kExitFatal;
    SystemdNotifier notifier(loop_, view);
    notifier_ = &notifier;
    log(LogLevel::Notice, "vigild started: config {} (config id {}), {}", options_.configPath,
        options_.configId, options_.singleProcess ? "single process" : "one process per worker");
    Status started = supervisor.start();
    if (!started) {
      log(LogLevel::Error, "{}", started.error().describe());
    }
    // After start(): the agent's thread must not exist while workers fork.
    SnmpService snmp(
        loop_, {"vigil", options_.snapshotInterval, [state = state_] { return state->config; },
                [&supervisor] { return supervisor.status(); }, loadSnmpModule});
    snmp.apply(state_->config->global);
    snmp_ = &snmp;
    SmtpAlertService smtp(loop_, supervisor, options_.snapshotInterval,
                          [state = state_] { return state->config; });
    smtp.apply(state_->config->global);
    smtp_ = &smtp;
    loop_.run();
    smtp_ = nullptr;
    snmp_ = nullptr;
    notifier_ = nullptr;
    monitor_ = nullptr;
    supervisor_ = nullptr;
    removePid(options_.vrrpPidFile);
    removePid(options_.checkPidFile);
    removePid(options_.pidFile);
    log(LogLevel::Notice, "vigild stopped");
    return kExitOk;
  }

 private:
  std::vector<WorkerSpec> workerSpecs() const {
    std::vector<WorkerSpec> specs;
    const config::Config& config = *state_->config;
    if (options_.runVrrp &&
        (options_.forceVrrp || !config.vrrp.instances.empty() ||
         !config.vrrp.staticRoutes.empty() || !config.vrrp.staticRules.empty() ||
         vrrp::syncDaemonNeedsVrrpWorker(config.global.lvsSyncDaemon))) {
      specs.push_back({"vrrp", [state = state_, load = options_.loadConfig,
                                own = !options_.singleProcess](EventLoop& loop) {
                         // vrrp_priority, vrrp_rt_priority...: this worker's own process only.
                         if (own)
                           applyWorkerScheduling("vrrp", state->config->global.vrrpProcess, loop);
                         return makeVrrpWorker(loop, state, load);
                       }});
    }
    if (options_.runCheck && (options_.forceCheck || !config.lvs.virtualServers.empty())) {
      specs.push_back({"check", [state = state_, load = options_.loadConfig,
                                 own = !options_.singleProcess](EventLoop& loop) {
                         if (own)
                           applyWorkerScheduling("check", state->config->global.checkerProcess,
                                                 loop);
                         return makeCheckWorker(loop, state, load);
                       }});
    }
    if (specs.empty()) {
      log(LogLevel::Warning, "no worker to run: neither VRRP nor checkers are configured");
    }
    return specs;
  }

  SupervisorOptions supervisorOptions() const {
    SupervisorOptions o;
    o.inProcess = options_.singleProcess;
    o.snapshotInterval = options_.snapshotInterval;
    o.stopTimeout = options_.stopTimeout;
    // The VRRP worker's priority-0 advert and VIP removal come before the
    // check worker removes its IPVS services: clients still reaching this
    // director meanwhile are served, not reset.
    o.stopFirst = {"vrrp"};
    // At 20,000 TCP_CHECKs the check worker's first full patch left 13 MB
    // of freed heap resident (doc/benchmarks.md "The supervisor: ...
    // ninth round").
    o.afterFullSnapshot = [] { check::returnFreeHeap(); };
    return o;
  }

  const std::string& pidFileFor(const std::string& worker) const {
    return worker == "vrrp" ? options_.vrrpPidFile : options_.checkPidFile;
  }

  void onWorkerChange(const WorkerStatus& status) {
    if (status.running) {
      writePid(pidFileFor(status.name), status.pid);
      return;
    }
    removePid(pidFileFor(status.name));
    if (status.name == "vrrp" && !options_.singleProcess) {
      removeVipsOfDeadWorker();
      removeAcceptRulesOfDeadWorker();
    }
  }

  // Its no_accept rules too (nftables, table inet vigil): left in place they
  // would drop traffic to VIPs the peer now holds elsewhere and outlive a
  // config without no_accept. The respawned worker installs its own again;
  // this returns before it is respawned, so never deletes those.
  void removeAcceptRulesOfDeadWorker() {
    if (state_->config->vrrp.instances.empty()) return;
    Status removed = vrrp::removeAcceptFilterTable();
    if (!removed && removed.error().code != ENOENT) {
      log(LogLevel::Error, "vrrp worker gone: cannot remove its no_accept rules: {}",
          removed.error().describe());
    }
  }

  // A VRRP worker that died alone (crash, OOM kill) cannot say goodbye: its
  // VIPs would keep answering until their lifetime ran out while the peer
  // takes over. The supervisor removes them at once; the respawned worker
  // adds them again if it becomes MASTER. Addresses, virtual_routes and
  // virtual_rules that are not there (a BACKUP's) are skipped quietly by the
  // installers. static_routes and static_rules stay: the respawned worker
  // adds them again (the same route is replaced, the same rule kept).
  void removeVipsOfDeadWorker() {
    const config::Config& config = *state_->config;
    if (config.vrrp.instances.empty()) {
      return;
    }
    auto installer = vrrp::makeVipInstaller();
    auto routes = vrrp::makeRouteManager();
    auto rules = vrrp::makeRuleManager();
    for (const config::VrrpInstance& inst : config.vrrp.instances) {
      // With use_vmac the VIPs live on the instance's macvlan.
      // With use_vmac_addr / use_vmac on an address, those on theirs.
      const std::string device = vrrp::interfacesFor(inst, config.global.vrrp.vmacPrefix).vips;
      const config::VrrpInstance placed = vrrp::withPlacedAddresses(inst, config.global.vrrp);
      vrrp::VipRouteInstaller owned(*installer, routes.get(), rules.get(), placed);
      // One remove() of every address: the routes and rules go once, when
      // none is left (a second RTM_DELRULE of a rule without a preference
      // would take another matching rule).
      std::vector<config::VirtualAddress> vips = placed.vips;
      vips.insert(vips.end(), placed.excludedVips.begin(), placed.excludedVips.end());
      owned.remove(vips, device);
    }
    log(LogLevel::Notice, "vrrp worker gone: removed its virtual addresses, routes and rules");
  }

  void shutdown() {
    if (supervisor_ == nullptr || supervisor_->stopping()) {
      return;
    }
    log(LogLevel::Notice, "stopping workers");
    if (notifier_ != nullptr) notifier_->stopping();
    supervisor_->stop([this] { loop_.stop(); });
  }

  std::unique_ptr<ControlSocket> openControlSocket(const MonitorService& service) {
    const std::string path =
        controlSocketPath(options_.controlSocket, state_->config->global.controlSocket);
    if (path.empty()) return nullptr;
    auto socket = ControlSocket::open(
        loop_, path, [&service](const monitor::HttpRequest& r) { return service.handle(r); },
        [this] { return reloadForClient(); });
    if (!socket) {
      log(LogLevel::Error, "control socket: {}; vigilctl cannot reach this vigild",
          socket.error().describe());
      return nullptr;
    }
    log(LogLevel::Info, "control socket: serving vigilctl on {}", path);
    return std::move(*socket);
  }

  // vigilctl reload: the same reload as SIGHUP, with its outcome: the
  // file's errors as FILE:LINE:COL lines when it was refused.
  Result<uint64_t> reloadForClient() {
    reload();
    if (lastReload_ && lastReload_->ok) return lastReload_->generation;
    const std::string why = lastReload_ ? lastReload_->error : "vigild is stopping";
    return Error{0, "configuration " + options_.configPath + " not loaded: still running " +
                        "generation " + std::to_string(state_->generation) + "\n" + why};
  }

  void reload() {
    if (supervisor_ == nullptr || supervisor_->stopping()) {
      return;
    }
    log(LogLevel::Notice, "reloading {}", options_.configPath);
    if (notifier_ != nullptr) notifier_->reloading();
    DaemonOptions::Loaded loaded = options_.loadConfigReporting
                                       ? options_.loadConfigReporting()
                                       : DaemonOptions::Loaded{options_.loadConfig(), {}};
    if (!loaded.config) {
      check::returnFreeHeap();  // what the parse freed
      recordReload(false, loaded.errors.empty() ? "configuration not usable" : loaded.errors);
      log(LogLevel::Error, "reload aborted: keeping configuration generation {}",
          state_->generation);
      return;
    }
    state_->config = std::move(loaded.config);
    check::returnFreeHeap();  // what the parse and the old configuration freed
    ++state_->generation;
    supervisor_->reload(state_->generation);
    if (monitor_ != nullptr) monitor_->apply(state_->config->global);
    if (snmp_ != nullptr) snmp_->apply(state_->config->global);
    if (smtp_ != nullptr) smtp_->apply(state_->config->global);
    recordReload(true, {});
    log(LogLevel::Notice, "reload accepted: generation {} handed to the workers",
        state_->generation);
  }

  void recordReload(bool ok, std::string error) {
    const double now =
        std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    lastReload_ = monitor::ReloadOutcome{now, ok, state_->generation, std::move(error)};
  }

  const DaemonOptions& options_;
  std::shared_ptr<ConfigState> state_;
  PosixEventLoop loop_;
  Supervisor* supervisor_ = nullptr;
  MonitorService* monitor_ = nullptr;
  SnmpService* snmp_ = nullptr;
  SmtpAlertService* smtp_ = nullptr;
  SystemdNotifier* notifier_ = nullptr;
  std::optional<monitor::ReloadOutcome> lastReload_;  // /status last_reload
};

}  // namespace

int runDaemon(const DaemonOptions& options) {
  // The supervisor receives and keeps each worker's snapshot, multi-MB for
  // the check worker at thousands of real servers; without this every
  // received frame after the first is carved from the brk heap and its
  // freed space stays resident (22 MB at 20,000 TCP_CHECKs). The workers
  // forked later inherit the setting: the check worker, which builds that
  // snapshot, needs it as much.
  check::keepLargeBuffersOutOfHeap();
  if (!options.loadConfig) {
    log(LogLevel::Error, "runDaemon: no configuration loader");
    return kExitFatal;
  }
  auto config = options.loadConfig();
  if (!config) {
    log(LogLevel::Error, "cannot start: configuration {} is not usable", options.configPath);
    return kExitConfig;
  }
  // What parsing freed goes back before the workers are forked: each of
  // them would otherwise start with it resident too.
  check::returnFreeHeap();
  if (!options.dontFork) {
    switch (daemonise()) {
      case ForkSide::Parent:
        return kExitOk;
      case ForkSide::Failed:
        return kExitFatal;
      case ForkSide::Daemon:
        break;
    }
  }
  Daemon daemon(options, std::move(config));
  return daemon.run();
}

}  // namespace vigil::cli
