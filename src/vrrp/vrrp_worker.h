#pragma once

#include <unistd.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "config/config.h"
#include "core/event_loop.h"
#include "core/netlink/address_manager.h"
#include "core/netlink/deletion_monitor.h"
#include "core/netlink/link_monitor.h"
#include "core/netlink/macvlan_manager.h"
#include "core/netlink/routing_dump.h"
#include "core/posix_event_loop.h"
#include "core/process_spawner.h"
#include "core/worker_host.h"
#include "vrrp/accept_filter.h"
#include "vrrp/deletion_watch.h"
#include "vrrp/instance_runtime.h"
#include "vrrp/link_tracking.h"
#include "vrrp/loop_lateness_probe.h"
#include "vrrp/lvs_sync_role.h"
#include "vrrp/route_installer.h"
#include "vrrp/routing_entries.h"
#include "vrrp/routing_loss_resync.h"
#include "vrrp/runtime_io.h"
#include "vrrp/script_runner.h"
#include "vrrp/socket.h"
#include "vrrp/sync_coordinator.h"
#include "vrrp/track_process_monitor.h"
#include "vrrp/tracking.h"
#include "vrrp/tracking_file.h"
#include "vrrp/vmac_plan.h"
#include "vrrp/vmac_sysctls.h"

namespace vigil::vrrp {

// The effects shared by every instance of the worker.
struct WorkerIo {
  std::unique_ptr<VipInstaller> vips;
  std::unique_ptr<VipAnnouncer> gratuitous;
  std::unique_ptr<TransitionNotifier> notifier;
  // Runs vrrp_script checks; null: scripts are not run (they keep their
  // assumed state).
  std::unique_ptr<ProcessSpawner> spawner;
  // vrrp_sync_group notify scripts and FIFO lines; null: logged only.
  std::unique_ptr<GroupNotifier> groups;
  // Link states for track_interface and each instance's own interface;
  // null: every interface is assumed up.
  std::unique_ptr<netlink::LinkMonitor> links;
  // Processes for vrrp_track_process; null: processes are assumed running.
  std::unique_ptr<ProcessTable> processes;
  // One no_accept firewall for every instance, so their nft runs queue one
  // after another; null: each instance makes its own.
  std::unique_ptr<AcceptFilter> accept;
  // Creates and removes the macvlans of use_vmac; null: none are created
  // (use_vmac instances then find no interface to run on).
  std::unique_ptr<netlink::MacvlanManager> macvlans;
  // The ARP settings of VMACs and their base interfaces; null: untouched.
  std::unique_ptr<SysctlStore> sysctls;
  // Starts and stops the kernel's IPVS sync daemons for lvs_sync_daemon;
  // null: they are never started (a configured daemon is logged as such).
  std::unique_ptr<LvsSyncControl> lvsSync;
  // Sets (an empty function: removes) the loop's observer of each timer's
  // lateness; null: the loop cannot report it, and the lateness probe runs
  // its own 250 ms timer instead.
  std::function<void(std::function<void(Duration)>)> observeTimerLateness;
  // Adds and removes each instance's virtual_routes with its VIPs, and the
  // static_routes; null: they are only logged.
  std::unique_ptr<netlink::RouteManager> routes;
  // The same for virtual_rules and static_rules.
  std::unique_ptr<netlink::RuleManager> rules;
  // Adds and removes the static_ipaddress entries; null: they are only
  // logged.
  std::unique_ptr<netlink::AddressManager> addresses;
  // Addresses, routes and rules deleted in the kernel, so a static one is
  // added again; null: a deleted one stays deleted until its interface
  // comes up or the next reload adds it.
  std::unique_ptr<netlink::DeletionMonitor> deletions;
  // Reads the kernel's addresses, routes and rules after `deletions` lost
  // notifications, so a static entry deleted unseen is added again; null:
  // it is not (the loss is only counted).
  std::unique_ptr<netlink::RoutingDumper> routingDumps;
};

// VIPs through netlink, GARP/NA on raw sockets, transitions to the log,
// notify scripts and FIFOs (as `config`'s global_defs say), link events
// from rtnetlink and processes from /proc.
WorkerIo systemWorkerIo(PosixEventLoop& loop, std::shared_ptr<const config::Config> config);
// Everything logged, nothing touched.
WorkerIo loggingWorkerIo();

// The members of an instance's snapshot object that change only with
// the configuration, its state, effective priority, fault or master
// (name to master_address): rendered again when one of those changed,
// not every second.
struct InstanceSnapshotHead {
  uint64_t generation = UINT64_MAX;
  State state = State::Initialize;
  uint8_t priority = 0;
  bool faulted = false;
  IpAddress master;
  std::string members;  // JsonWriter::rawMembers text
};

// The VRRP worker: one InstanceRuntime per vrrp_instance, on raw sockets
// shared per (interface, family). A use_vmac instance's VMAC is created
// before the sockets, and its socket is on the VMAC (on the base interface
// with vmac_xmit_base). Destroying it (SIGTERM, Stop) stops every instance:
// a Master sends its priority-0 advert and removes its VIPs; then the VMACs
// go and the base interfaces' ARP settings are restored. The IPVS sync
// daemons of lvs_sync_daemon follow the named instance's role (backup from
// the start, master while it is Master) and stop with the worker. The
// static_routes and static_rules are added when it starts, diffed on each
// reload, and removed when it is destroyed; so is static_ipaddress. A
// static entry deleted behind the worker's back is added again, and those
// on an interface that comes up too (keepalived's "restoring deleted"), and
// so is a MASTER's virtual route or rule (keepalived instead leaves MASTER
// and takes over again); when the kernel dropped the deletion
// notifications, the kernel's tables are read again and what they lack is
// added (RoutingLossResync).
class VrrpWorker final : public Worker {
 public:
  // The configuration of a generation; nullptr when it cannot be loaded.
  using ConfigFor = std::function<std::shared_ptr<const config::Config>(uint64_t generation)>;

  VrrpWorker(EventLoop& loop, std::shared_ptr<const config::Config> config, uint64_t generation,
             ConfigFor configFor, WorkerIo io);
  ~VrrpWorker() override;

  std::string snapshot() const override;
  // Instances whose identity (VRID, family, interface, source, destination,
  // VMAC) is unchanged keep their state and take the new settings; removed
  // or re-identified ones stop (a Master sends priority 0) and new ones
  // start. Unchanged VMACs stay; those no longer wanted are removed.
  void reload(uint64_t generation) override;

 private:
  struct Running {
    std::unique_ptr<VipRouteInstaller> vips;  // outlives the runtime that uses it
    std::unique_ptr<SocketAdvertSender> sender;
    std::unique_ptr<InstanceRuntime> runtime;
    VrrpSocket* socket = nullptr;
    std::unique_ptr<TrackingState> tracking;
    mutable InstanceSnapshotHead snapshotHead;
  };
  using SocketKey = std::pair<std::string, int>;  // interface, family
  struct RunningVmac {
    WantedVmac wanted;
    VmacInterface interface;
  };

  void build();
  void stopAll();
  // Adds (after a reload: diffs) static_ipaddress, static_routes and
  // static_rules.
  void installStaticRouting();
  // Adds back what the kernel reports deleted of the static entries and of
  // each instance's installed (a MASTER's) virtual routes and rules.
  void onDeleted(netlink::DeletedEntry deleted);
  // staticRouting_ and each instance's virtual routes and rules.
  std::vector<RoutingEntries*> routingOwners();
  // The interface's index in the link monitor (the kernel's without one); 0
  // when there is none.
  int interfaceIndexOf(const std::string& name) const;
  void stopRunning(Running& running);
  // (Re)starts the vrrp_script runner for the current configuration.
  void startScripts();
  void startTrackFiles();
  void onTrackFileChange(const std::string& name, int64_t value);
  // (Re)starts the vrrp_track_process scanner for the current configuration.
  void startProcesses();
  void onProcessChange(const std::string& name, bool up);
  void onLinkChange(const std::string& name, bool up);
  // Tracking events of one instance, through its sync group if it has one.
  void deliver(Running& running, const std::vector<Event>& events);
  // Starts every instance still in Initialize (created by build or reload).
  void startNewInstances();
  void onScriptChange(const std::string& name, bool ok);
  // Tracking from scratch for `running`'s configuration, its assumed state
  // handed to the runtime.
  void resetTracking(Running& running);
  // Removes and creates VMACs as `plan` says (`wanted`: the new ones).
  void applyVmacs(const VmacPlan& plan, const std::map<std::string, WantedVmac>& wanted);
  void removeVmac(const std::string& name);
  std::map<std::string, WantedVmac> existingVmacs() const;
  void openSockets();
  // Joins and leaves groups on the sockets a reload kept so that each has
  // `wanted`'s; a group that cannot be joined goes to groupErrors_.
  void updateGroups(const std::map<SocketKey, std::vector<IpAddress>>& wanted);
  void updateGroups(const SocketKey& key, const std::vector<IpAddress>& wanted);
  // Whether lvs_sync_daemon's instance runs and is Master.
  bool syncInstanceIsMaster() const;
  // Creates the instance's runtime (started later by startNewInstances).
  Status startInstance(const config::VrrpInstance& instance);

  EventLoop& loop_;
  std::shared_ptr<const config::Config> config_;
  uint64_t generation_;
  ConfigFor configFor_;
  WorkerIo io_;
  // The groups io_.deletions listens to: the static entries' and those of
  // each instance's virtual routes and rules while it has them installed (a
  // MASTER's), but no_track ones. Before the owners, which withdraw from it
  // when destroyed.
  DeletionWatch deletionWatch_{io_.deletions.get()};
  std::map<SocketKey, std::unique_ptr<VrrpSocket>> sockets_;
  std::map<SocketKey, std::vector<IpAddress>> socketGroups_;  // joined on each socket
  std::vector<Running> instances_;
  std::map<std::string, std::string> failed_;      // instance name -> why it is not running
  std::map<SocketKey, std::string> socketErrors_;  // why a socket could not be opened
  // Why a kept socket could not join a group a reload added.
  std::map<std::pair<SocketKey, IpAddress>, std::string> groupErrors_;
  std::unique_ptr<VmacSysctls> vmacSysctls_;       // when io_.sysctls
  std::map<std::string, RunningVmac> vmacs_;       // by name
  std::map<std::string, std::string> vmacErrors_;  // VMAC name -> why it is missing
  std::unique_ptr<ScriptRunner> scripts_;
  std::unique_ptr<TrackFileWatcher> trackFiles_;
  LoggingGroupNotifier loggedGroups_;  // when io_.groups is null
  SyncCoordinator sync_;
  LvsSyncFollower lvsSync_;          // io_.lvsSync
  LvsSyncNotifier lvsNotifier_;      // lvsSync_, then io_.notifier
  SyncTransitionNotifier notifier_;  // lvsNotifier_, then sync_
  std::unique_ptr<LinkTracker> links_;
  std::unique_ptr<ProcessTracker> processes_;
  RoutingEntries staticRouting_;  // static_ipaddress, static_routes, static_rules
  // routingOwners() after io_.deletions lost notifications
  // (io_.routingDumps).
  // interfaceIndexOf, as the routing entries' matchers take it.
  const InterfaceIndexOf indexOf_{
      [this](const std::string& name) { return interfaceIndexOf(name); }};
  RoutingLossResync lossResync_{loop_, [this] { return routingOwners(); }, io_.routingDumps.get(),
                                indexOf_};
  LoopLatenessProbe lateness_{loop_};  // for snapshot()
  // For snapshot(): getpid() is a system call every second otherwise. A
  // worker process builds its worker after the fork.
  const pid_t pid_ = ::getpid();
  // The last snapshot's length: the next one reserves that much at once.
  mutable size_t snapshotBytes_ = 0;
};

}  // namespace vigil::vrrp
