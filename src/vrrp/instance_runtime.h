#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>

#include "config/model_vrrp.h"
#include "core/event_loop.h"
#include "core/log.h"
#include "vrrp/accept_filter.h"
#include "vrrp/advert_backlog.h"
#include "vrrp/advert_check.h"
#include "vrrp/garp_schedule.h"
#include "vrrp/instance_params.h"
#include "vrrp/reject_reason.h"
#include "vrrp/routine_filter.h"
#include "vrrp/runtime_io.h"
#include "vrrp/state_machine.h"
#include "vrrp/vip_refresh_schedule.h"

namespace vigil::vrrp {

struct InstanceCounters {
  uint64_t advertsSent = 0;
  uint64_t advertsReceived = 0;  // accepted by the codec and checkAdvert
  uint64_t sendErrors = 0;
  uint64_t transitions = 0;
  // Adverts from a source that is not a unicast_peer (check_unicast_src).
  uint64_t unknownUnicastSource = 0;
  // Master_Down_Timer ran out but the TakeoverGate (sync group) said wait.
  uint64_t takeoversHeld = 0;
  // RFC 6527's vrrpv3StatisticsMasterTransitions, ...SentPriZeroPackets
  // and ...RcvdPriZeroPackets.
  uint64_t becameMaster = 0;
  uint64_t priorityZeroSent = 0;
  uint64_t priorityZeroReceived = 0;  // accepted adverts with priority 0
  std::array<uint64_t, kRejectReasonCount> rejects{};
  std::optional<TimePoint> lastTransition;
  // The system clock at that transition, for display only (a monitoring
  // timestamp; no decision reads it, so the loop's clock stays the only
  // time a decision depends on).
  std::optional<std::chrono::system_clock::time_point> lastTransitionWall;

  uint64_t rejected(RejectReason reason) const { return rejects[static_cast<size_t>(reason)]; }
};

struct RuntimeIo {
  AdvertSender& sender;
  VipInstaller& vips;
  VipAnnouncer& gratuitous;
  TransitionNotifier& notifier;
  // no_accept's firewall; null: the runtime makes its own
  // (makeAcceptFilter) the first time it needs one.
  AcceptFilter* accept = nullptr;
};

class InstanceRuntime;

// Asked when a Backup's own Master_Down_Timer runs out, before it takes
// over: a vrrp_sync_group takes over as a whole or not at all. Refused, the
// instance stays Backup and waits another Master_Down_Interval (unless the
// group takes it along first).
class TakeoverGate {
 public:
  virtual ~TakeoverGate() = default;
  virtual bool mayTakeOver(const InstanceRuntime& instance) = 0;
  // The Backup accepted an advert and restarted its Master_Down_Timer: it
  // hears a master it defers to.
  virtual void masterHeard(const InstanceRuntime& instance) = 0;
};

// One vrrp_instance running: holds the state machine's state and its three
// timers on the loop, turns the machine's actions into I/O through `io`, and
// keeps the instance's counters. While Master with a VIP lifetime it renews
// the VIPs as a VipRefreshSchedule says (in its advert's loop turn when the
// advert interval allows, else on a timer of its own), so a director killed
// outright loses them when the lifetime runs out. Gratuitous ARP/NA rounds
// follow a GarpSchedule (garp_master_*, garp_lower_prio_*,
// vrrp_garp_interval) on one more timer.
// Without Accept_Mode (no_accept, vrrp_strict) the traffic to the VIPs is
// dropped by an AcceptFilter from start() to stop(): the rules are in place
// before a takeover can add the VIPs, and match nothing while the VIPs are
// elsewhere.
class InstanceRuntime {
 public:
  InstanceRuntime(EventLoop& loop, config::VrrpInstance config, InstanceParams params, RuntimeIo io,
                  std::optional<Duration> vipLifetime);
  ~InstanceRuntime();
  InstanceRuntime(const InstanceRuntime&) = delete;
  InstanceRuntime& operator=(const InstanceRuntime&) = delete;

  void start();  // Startup: Backup (or Master for the address owner)
  // Shutdown: a Master sends its priority-0 advert and removes its VIPs.
  void stop();

  // A reload that kept this instance's identity (VRID, family, interface,
  // source, destination, address ownership): the state and timers carry on
  // with the new settings. A Master removes VIPs no longer configured and
  // installs new ones; a changed priority takes effect at once.
  void reconfigure(config::VrrpInstance config, InstanceParams params,
                   std::optional<Duration> vipLifetime);

  // Events from tracking (TrackingState's PriorityChanged, FaultRaised,
  // FaultCleared), stepped in order. Also before start(): a fault raised
  // then makes Startup enter Fault.
  void track(const std::vector<Event>& events);

  // An advert that passed decode() for this VRID. `ipPacket` is the whole
  // IPv4 packet when it carried AH (for the ICV), else empty. `now` is when
  // it was received (the loop's clock, read once per receive batch): the
  // Master_Down_Timer it restarts counts from then, and the clock is not
  // read again.
  void receive(const AdvertView& advert, const IpAddress& source, bool ahPresent,
               std::span<const uint8_t> ipPacket, TimePoint now);
  // A wire-level reject the socket attributes to this instance.
  void countReject(RejectReason reason);

  // A MASTER sends one advert now, outside its timer (whose phase is
  // kept): the VRRP worker does this before it reloads, so every backup's
  // Master_Down_Interval starts from a fresh advert. Others do nothing.
  void advertiseIfMaster();

  // null: takes over alone, as RFC 5798 says. `gate` must outlive this
  // runtime or be replaced first.
  void setTakeoverGate(TakeoverGate* gate) { gate_ = gate; }
  // The socket's quiet path (null: every advert is prompt). Drained when
  // Master_Down_Timer runs out and before tracking events and reloads;
  // told when routineAdvert() changes. Must outlive this runtime or be
  // replaced first.
  void setAdvertBacklog(AdvertBacklog* backlog);
  // What this instance's socket may queue for it (kept only with a backlog).
  const std::optional<RoutineAdvert>& routineAdvert() const { return routine_; }

  const config::VrrpInstance& config() const { return config_; }
  const InstanceParams& params() const { return params_; }
  const InstanceState& state() const { return state_; }
  const InstanceCounters& counters() const { return counters_; }

 private:
  // The default device of the VIPs (params_.vipDevice, else the interface).
  const std::string& vipDevice() const {
    return params_.vipDevice.empty() ? config_.interface : params_.vipDevice;
  }
  // What a MASTER holds: virtual_ipaddress then virtual_ipaddress_excluded
  // (installed and announced alike; only the first are advertised).
  static std::vector<config::VirtualAddress> heldAddresses(const config::VrrpInstance& config);
  // Steps the machine at `now` (read once per event: the timers its
  // actions arm count from it too).
  void handle(const Event& event) { handle(event, loop_.now()); }
  void handle(const Event& event, TimePoint now);
  // Master_Down_Timer ran out: the gate decides whether it is a takeover.
  void onMasterDown();
  void onAdvertTimer(TimePoint firedAt);
  void apply(const Action& action, TimePoint now);
  void sendAdvert(uint8_t priority);
  // The advert as params_ describe it, built and handed to the sender once
  // per (re)configuration; sendAdvert() hands it over again when its
  // priority differs from the last one sent.
  void buildAdvert();
  // Installs (or renews) the VIPs at `now` and schedules the next renewal.
  void addVips(TimePoint now);
  void removeVips();
  void scheduleGratuitous(GratuitousReason reason);
  // Sends the rounds due now and arms garpTimer_ for the next.
  void sendDueGratuitous();
  void stopGratuitous();
  // Blocks or unblocks the VIPs' traffic as Accept_Mode now says.
  void applyAcceptMode();
  void liftAcceptFilter();
  AcceptFilter& acceptFilter();
  std::optional<RejectReason> check(const AdvertView& advert, const IpAddress& source,
                                    bool ahPresent, std::span<const uint8_t> ipPacket);
  bool fromKnownPeer(const IpAddress& source) const;
  void drainBacklog() {
    if (backlog_ != nullptr) backlog_->drain();
  }
  // Recomputes routine_ after a step or a reload; tells the backlog.
  void updateRoutine();

  EventLoop& loop_;
  config::VrrpInstance config_;
  std::vector<config::VirtualAddress> held_;  // heldAddresses(config_)
  InstanceParams params_;
  ExpectedAddresses expectedAddresses_;  // params_.addresses, for checkAdvert
  RuntimeIo io_;
  TakeoverGate* gate_ = nullptr;
  AdvertBacklog* backlog_ = nullptr;
  std::optional<RoutineAdvert> routine_;
  // The TakeoverGate refused the last Master_Down_Timer and no advert was
  // accepted since.
  bool takeoverHeld_ = false;
  bool masterDownArmed_ = false;  // by the step in progress
  std::optional<Duration> vipLifetime_;
  VipRefreshSchedule vipRefresh_;  // of vipLifetime_ at params_.advertInterval
  InstanceState state_;
  std::vector<Action> spareActions_;  // the last step's, for its capacity
  VrrpPacket advert_;
  InstanceCounters counters_;
  bool vipsInstalled_ = false;
  std::unique_ptr<Timer> advertTimer_;
  std::unique_ptr<Timer> masterDownTimer_;
  std::unique_ptr<Timer> preemptTimer_;
  std::unique_ptr<Timer> vipRefreshTimer_;
  GarpSchedule garp_;
  GratuitousReason garpReason_ = GratuitousReason::BecameMaster;  // of the latest burst
  std::unique_ptr<Timer> garpTimer_;
  std::unique_ptr<AcceptFilter> ownAcceptFilter_;
  std::optional<std::vector<IpAddress>> blockedVips_;  // what the filter drops now
  RateLimitedLog rejectLog_{5, std::chrono::seconds(10)};
};

}  // namespace vigil::vrrp
