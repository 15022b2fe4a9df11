#include "vrrp/instance_runtime.h"

#include <algorithm>

#include "vrrp/advert_check.h"
#include "vrrp/ip_header.h"
#include "vrrp/timers.h"

namespace vigil::vrrp {

InstanceRuntime::InstanceRuntime(EventLoop& loop, config::VrrpInstance config,
                                 InstanceParams params, RuntimeIo io,
                                 std::optional<Duration> vipLifetime)
    : loop_(loop),
      config_(std::move(config)),
      held_(heldAddresses(config_)),
      params_(std::move(params)),
      expectedAddresses_(params_.addresses),
      io_(io),
      vipLifetime_(vipLifetime),
      vipRefresh_(vipLifetime_, params_.advertInterval),
      state_(initialState(params_)),
      garp_(config_.garp, params_.gratuitousInterval) {
  buildAdvert();
  // A MASTER's advert turn steps at the time the loop read to fire the
  // timer: no second clock read per advert.
  advertTimer_ = loop_.createStampedTimer([this](TimePoint firedAt) { onAdvertTimer(firedAt); });
  masterDownTimer_ = loop_.createTimer([this] { onMasterDown(); });
  preemptTimer_ = loop_.createTimer([this] {
    drainBacklog();
    handle(PreemptDelayExpired{});
  });
  vipRefreshTimer_ = loop_.createTimer([this] {
    if (vipsInstalled_) addVips(loop_.now());
  });
  garpTimer_ = loop_.createTimer([this] { sendDueGratuitous(); });
}

InstanceRuntime::~InstanceRuntime() = default;

std::vector<config::VirtualAddress> InstanceRuntime::heldAddresses(
    const config::VrrpInstance& config) {
  std::vector<config::VirtualAddress> held = config.vips;
  held.insert(held.end(), config.excludedVips.begin(), config.excludedVips.end());
  return held;
}

void InstanceRuntime::start() {
  applyAcceptMode();
  handle(Startup{});
}

void InstanceRuntime::stop() {
  drainBacklog();
  handle(Shutdown{});
  // Whatever the state machine decided, a stopped instance holds no VIPs.
  if (vipsInstalled_) removeVips();
  stopGratuitous();
  liftAcceptFilter();
}

void InstanceRuntime::reconfigure(config::VrrpInstance config, InstanceParams params,
                                  std::optional<Duration> vipLifetime) {
  drainBacklog();  // queued adverts were sent under the old settings
  const bool installed = vipsInstalled_;
  std::vector<config::VirtualAddress> held = heldAddresses(config);
  if (installed) {
    std::vector<config::VirtualAddress> dropped;
    for (const config::VirtualAddress& vip : held_) {
      auto same = [&](const config::VirtualAddress& v) {
        return v.prefix == vip.prefix && v.dev == vip.dev;
      };
      if (std::none_of(held.begin(), held.end(), same)) dropped.push_back(vip);
    }
    if (!dropped.empty()) io_.vips.remove(dropped, vipDevice());
  }
  const uint8_t oldPriority = params_.priority;
  if (config.name != config_.name) liftAcceptFilter();  // its rules carry the old name
  config_ = std::move(config);
  held_ = std::move(held);
  params_ = std::move(params);
  expectedAddresses_ = ExpectedAddresses(params_.addresses);
  vipLifetime_ = vipLifetime;
  vipRefresh_ = VipRefreshSchedule(vipLifetime_, params_.advertInterval);
  buildAdvert();
  garp_.reconfigure(config_.garp, params_.gratuitousInterval, loop_.now());
  if (state_.state != State::Initialize) applyAcceptMode();
  sendDueGratuitous();
  if (params_.priority != oldPriority) handle(PriorityChanged{params_.priority});
  if (installed) addVips(loop_.now());
  updateRoutine();
}

void InstanceRuntime::setAdvertBacklog(AdvertBacklog* backlog) {
  const bool hadRoutine = routine_.has_value();
  routine_.reset();
  if (hadRoutine && backlog_ != nullptr) backlog_->routineChanged();
  backlog_ = backlog;
  updateRoutine();
}

void InstanceRuntime::updateRoutine() {
  std::optional<RoutineAdvert> routine;
  // A takeover its sync group holds makes each advert count at once: it
  // tells the group this member hears its master again.
  if (backlog_ != nullptr && !takeoverHeld_) routine = routineAdvertFor(state_, params_);
  if (routine == routine_) return;
  routine_ = std::move(routine);
  if (backlog_ != nullptr) backlog_->routineChanged();
}

void InstanceRuntime::track(const std::vector<Event>& events) {
  drainBacklog();  // the adverts that came before the change count first
  for (const Event& event : events) handle(event);
}

void InstanceRuntime::receive(const AdvertView& packet, const IpAddress& source, bool ahPresent,
                              std::span<const uint8_t> ipPacket, TimePoint now) {
  if (auto reason = check(packet, source, ahPresent, ipPacket)) {
    countReject(*reason);
    rejectLog_.log(now.time_since_epoch(), LogLevel::Warning,
                   "VRRP_Instance({}) dropped an advert from {}: {}", config_.name,
                   source.toString(), name(*reason));
    return;
  }
  if (config_.unicast && config_.checkUnicastSrc && !fromKnownPeer(source)) {
    ++counters_.unknownUnicastSource;
    rejectLog_.log(now.time_since_epoch(), LogLevel::Warning,
                   "VRRP_Instance({}) dropped an advert from {}: not a unicast_peer", config_.name,
                   source.toString());
    return;
  }
  ++counters_.advertsReceived;
  if (packet.priority == 0) ++counters_.priorityZeroReceived;
  // A healthy master's advert (the one a socket may queue) only restarts
  // Master_Down_Timer: what step() would do, without the step, its action
  // list and the routine's recomputation (see routineMasterDown). A held
  // takeover steps: the group must hear that the master is back.
  if (!takeoverHeld_) {
    if (auto masterDown = routineMasterDown(state_, packet, source, params_)) {
      masterDownTimer_->armAt(now + *masterDown);
      if (gate_ != nullptr) gate_->masterHeard(*this);
      return;
    }
  }
  masterDownArmed_ = false;
  takeoverHeld_ = false;
  handle(AdvertReceived{packet, source}, now);
  if (gate_ != nullptr && masterDownArmed_ && state_.state == State::Backup) {
    gate_->masterHeard(*this);
  }
}

void InstanceRuntime::onMasterDown() {
  if (backlog_ != nullptr) {
    // Adverts of a healthy master wait on the quiet socket: the newest
    // one restarts the timer from its arrival, so the master is down only
    // when none came within Master_Down_Interval, as without a backlog.
    backlog_->drain();
    if (masterDownTimer_->armed()) return;
  }
  if (state_.state == State::Backup && gate_ != nullptr && !gate_->mayTakeOver(*this)) {
    ++counters_.takeoversHeld;
    takeoverHeld_ = true;
    updateRoutine();
    masterDownTimer_->armAfter(masterDownInterval(
        params_.version, state_.priority, state_.masterAdverInterval, params_.downTimerAdverts));
    return;
  }
  handle(MasterDownTimerFired{});
}

void InstanceRuntime::onAdvertTimer(TimePoint firedAt) {
  // A Master's turn: what step() and handle() would do (send the advert,
  // re-arm Adver_Timer, renew the VIPs when due), without the step, its
  // action list and the routine's recomputation, as the state is unchanged
  // (see routineAdvertTurn).
  if (auto interval = routineAdvertTurn(state_, params_)) {
    sendAdvert(state_.priority);
    advertTimer_->armAt(firedAt + *interval);
    if (vipsInstalled_ && vipRefresh_.dueInTurn(firedAt)) addVips(firedAt);
    return;
  }
  handle(AdvertTimerFired{}, firedAt);
}

void InstanceRuntime::countReject(RejectReason reason) {
  ++counters_.rejects[static_cast<size_t>(reason)];
}

std::optional<RejectReason> InstanceRuntime::check(const AdvertView& packet,
                                                   const IpAddress& source, bool ahPresent,
                                                   std::span<const uint8_t> ipPacket) {
  const bool fromMaster = !state_.masterAddress.empty() && source == state_.masterAddress;
  // vrrp_strict keeps the RFC's address-list check for every advert.
  const bool skipAddressCheck = config_.skipCheckAdvAddr && !config_.strictMode && fromMaster;
  if (auto reason = checkAdvert(packet, params_, expectedAddresses_, skipAddressCheck)) {
    return reason;
  }
  if (params_.authType == AuthType::Ah && (!ahPresent || !verifyAh(ipPacket, params_.authData))) {
    return RejectReason::AuthMismatch;
  }
  return std::nullopt;
}

bool InstanceRuntime::fromKnownPeer(const IpAddress& source) const {
  return std::any_of(config_.unicastPeers.begin(), config_.unicastPeers.end(),
                     [&](const config::UnicastPeer& peer) { return peer.address == source; });
}

void InstanceRuntime::handle(const Event& event, TimePoint now) {
  // The previous step's action list lends its capacity (see step()). A
  // step re-entered from an action finds it taken and allocates its own.
  StepResult result = step(state_, event, params_, now, std::move(spareActions_));
  const bool priorityMoved = result.next.state == state_.state &&
                             result.next.priority != state_.priority &&
                             (state_.state == State::Master || state_.state == State::Backup);
  if (result.next.priority != state_.priority) {
    log(LogLevel::Info, "VRRP_Instance({}) Changing effective priority from {} to {}", config_.name,
        state_.priority, result.next.priority);
  }
  if (result.next.state != state_.state) {
    ++counters_.transitions;
    if (result.next.state == State::Master) ++counters_.becameMaster;
    counters_.lastTransition = now;
    counters_.lastTransitionWall = std::chrono::system_clock::now();
  }
  state_ = std::move(result.next);
  for (const Action& action : result.actions) apply(action, now);
  // The VIPs' renewal rides this turn when it is due: no wake-up of its own.
  if (vipsInstalled_ && vipRefresh_.dueInTurn(now)) addVips(now);
  if (priorityMoved) {
    io_.notifier.priorityChanged(
        config_, state_.state == State::Master ? NotifyKind::Master : NotifyKind::Backup,
        state_.priority);
  }
  spareActions_ = std::move(result.actions);
  updateRoutine();
}

void InstanceRuntime::apply(const Action& action, TimePoint now) {
  if (auto* a = std::get_if<SendAdvert>(&action)) {
    sendAdvert(a->priority);
  } else if (auto* a = std::get_if<ArmAdvertTimer>(&action)) {
    advertTimer_->armAt(now + a->after);
  } else if (auto* a = std::get_if<ArmMasterDownTimer>(&action)) {
    masterDownTimer_->armAt(now + a->after);
    masterDownArmed_ = true;
  } else if (auto* a = std::get_if<ArmPreemptDelayTimer>(&action)) {
    preemptTimer_->armAt(now + a->after);
  } else if (std::holds_alternative<CancelTimers>(action)) {
    advertTimer_->cancel();
    masterDownTimer_->cancel();
    preemptTimer_->cancel();
  } else if (std::holds_alternative<AddVips>(action)) {
    addVips(now);
  } else if (std::holds_alternative<RemoveVips>(action)) {
    removeVips();
  } else if (auto* a = std::get_if<SendGratuitous>(&action)) {
    scheduleGratuitous(a->reason);
  } else if (auto* a = std::get_if<Notify>(&action)) {
    io_.notifier.notify(config_, a->kind, state_.priority);
  }
}

void InstanceRuntime::buildAdvert() {
  advert_ = VrrpPacket{};
  advert_.version = params_.version;
  advert_.vrid = params_.vrid;
  advert_.priority = params_.priority;
  advert_.advertInterval = params_.advertInterval;
  advert_.authType = params_.authType;
  // AH carries the key in the ICV, never in the message.
  if (params_.authType == AuthType::Pass) advert_.authData = params_.authData;
  advert_.addresses = params_.addresses;
  io_.sender.prepare(advert_);
}

void InstanceRuntime::advertiseIfMaster() {
  if (state_.state == State::Master) sendAdvert(state_.priority);
}

void InstanceRuntime::sendAdvert(uint8_t priority) {
  if (advert_.priority != priority) {
    advert_.priority = priority;
    io_.sender.prepare(advert_);
  }
  Status sent = io_.sender.send();
  if (!sent) {
    ++counters_.sendErrors;
    rejectLog_.log(loop_.now().time_since_epoch(), LogLevel::Warning,
                   "VRRP_Instance({}) cannot send an advert: {}", config_.name,
                   sent.error().describe());
    return;
  }
  ++counters_.advertsSent;
  if (priority == 0) ++counters_.priorityZeroSent;
}

void InstanceRuntime::addVips(TimePoint now) {
  // Accept_Mode is applied by applyAcceptMode() for the whole run, not per
  // takeover: see the class comment.
  io_.vips.add(held_, vipDevice(), vipLifetime_);
  vipsInstalled_ = true;
  vipRefresh_.renewed(now);
  if (auto deadline = vipRefresh_.timerDeadline()) {
    vipRefreshTimer_->armAt(*deadline);
  } else {
    vipRefreshTimer_->cancel();
  }
}

void InstanceRuntime::removeVips() {
  // Also when none are installed: entering Backup at start-up clears VIPs
  // a previous run left behind (removing absent ones is a no-op). Without
  // its VIPs the instance has nothing left to announce.
  stopGratuitous();
  vipRefreshTimer_->cancel();
  io_.vips.remove(held_, vipDevice());
  vipsInstalled_ = false;
}

void InstanceRuntime::scheduleGratuitous(GratuitousReason reason) {
  garpReason_ = reason;
  if (reason == GratuitousReason::BecameMaster) {
    garp_.becomeMaster(loop_.now());
  } else {
    garp_.lowerPriorityAdvert(loop_.now());
  }
  // The first round goes out now, right after the VIPs: it is what moves
  // the neighbours' caches at a takeover.
  sendDueGratuitous();
}

void InstanceRuntime::sendDueGratuitous() {
  const uint32_t rounds = garp_.takeDue(loop_.now());
  for (uint32_t i = 0; i < rounds; ++i) {
    io_.gratuitous.announce(held_, vipDevice(), garpReason_);
  }
  if (auto next = garp_.nextDue()) {
    garpTimer_->armAt(*next);
  } else {
    garpTimer_->cancel();
  }
}

void InstanceRuntime::stopGratuitous() {
  garp_.stop();
  garpTimer_->cancel();
}

void InstanceRuntime::applyAcceptMode() {
  if (params_.accept || params_.isAddressOwner()) {
    liftAcceptFilter();
    return;
  }
  std::vector<IpAddress> vips;
  for (const config::VirtualAddress& vip : held_) vips.push_back(vip.prefix.address);
  if (blockedVips_ == vips) return;
  acceptFilter().block(config_.name, vips);
  blockedVips_ = std::move(vips);
}

void InstanceRuntime::liftAcceptFilter() {
  if (!blockedVips_) return;
  acceptFilter().unblock(config_.name);
  blockedVips_.reset();
}

AcceptFilter& InstanceRuntime::acceptFilter() {
  if (io_.accept != nullptr) return *io_.accept;
  if (!ownAcceptFilter_) ownAcceptFilter_ = makeAcceptFilter(loop_);
  return *ownAcceptFilter_;
}

}  // namespace vigil::vrrp
