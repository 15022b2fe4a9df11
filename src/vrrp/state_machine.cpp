#include "vrrp/state_machine.h"

#include <algorithm>
#include <cstring>

#include "vrrp/timers.h"

namespace vigil::vrrp {

std::string_view name(State state) {
  switch (state) {
    case State::Initialize:
      return "INIT";
    case State::Backup:
      return "BACKUP";
    case State::Master:
      return "MASTER";
    case State::Fault:
      return "FAULT";
  }
  return "UNKNOWN";
}

InstanceState initialState(const InstanceParams& params) {
  InstanceState s;
  s.priority = params.priority;
  s.masterAdverInterval = params.advertInterval;
  return s;
}

namespace {

// Numerically higher address of the same family ("primary IP address" of
// RFC 5798 §6.4.3: the tie-break for equal priorities).
bool addressAbove(const IpAddress& a, const IpAddress& b) {
  return a.family() == b.family() && std::memcmp(a.bytes(), b.bytes(), a.size()) > 0;
}

// One step: starts from the current state and accumulates the next state
// and the actions.
class Stepper {
 public:
  Stepper(const InstanceState& state, const InstanceParams& params, TimePoint now,
          std::vector<Action> actions)
      : params_(params), now_(now), result_{state, std::move(actions)} {
    result_.actions.clear();
  }

  StepResult take() && { return std::move(result_); }

  void on(const Startup&);
  void on(const Shutdown&);
  void on(const MasterDownTimerFired&);
  void on(const AdvertTimerFired&);
  void on(const AdvertReceived&);
  void on(const PriorityChanged&);
  void on(const FaultRaised&);
  void on(const FaultCleared&);
  void on(const PreemptDelayExpired&);
  void on(const StepDown&);

 private:
  InstanceState& next() { return result_.next; }
  const InstanceState& next() const { return result_.next; }
  State current() const { return result_.next.state; }
  void emit(Action action) {
    // At most one allocation per step instead of one per action (none with
    // a reused list): a master's advert timer alone emits two, and it fires
    // Advertisement_Interval apart.
    if (result_.actions.empty()) result_.actions.reserve(4);
    result_.actions.push_back(std::move(action));
  }

  Duration masterDown() const {
    return masterDownInterval(params_.version, next().priority, next().masterAdverInterval,
                              params_.downTimerAdverts);
  }
  Duration advertInterval() const { return params_.advertInterval; }

  void moveTo(State state);
  void enter(State state);
  void enterMaster();
  void enterBackup(Duration masterDownTimer);
  void enterFault();
  void onAdvertAsBackup(const AdvertReceived& advert);
  void onAdvertAsMaster(const AdvertReceived& advert);
  void followMaster(const AdvertReceived& advert);
  bool outranksUs(const AdvertReceived& advert) const;
  // lower_prio_no_advert (vrrp_strict sets it) keeps the RFC's silence,
  // and use_vmac needs no answers (and an advert from the virtual MAC would
  // move switches' entries for it to us).
  bool answersWinners() const { return !params_.lowerPrioNoAdvert && !params_.useVmac; }
  // A v3 answer carries our Advertisement_Interval, which Backups that
  // follow it adopt as Master_Adver_Interval: only one equal to the
  // winner's keeps their Master_Down_Timer in step with the winner's adverts.
  bool answerKeepsTheWinnersInterval(Centiseconds winners) const {
    return winners == params_.advertInterval;
  }
  void answerAsYielded();

  const InstanceParams& params_;
  TimePoint now_;
  StepResult result_;
};

// Sets the state and forgets what belonged to the previous one.
void Stepper::moveTo(State state) {
  next().state = state;
  next().since = now_;
  next().preempt = PreemptPhase::Idle;
  next().masterAdverInterval = params_.advertInterval;
  next().masterAddress = IpAddress{};
  next().masterPriority = 0;
  next().yieldAnswersLeft = 0;
}

// Leaves the current state for Backup or Master: stops its timers and
// drops the VIPs a Master held (or a previous run left behind).
void Stepper::enter(State state) {
  if (current() == State::Backup || current() == State::Master) emit(CancelTimers{});
  if (current() == State::Master || (current() == State::Initialize && state == State::Backup)) {
    emit(RemoveVips{});
  }
  moveTo(state);
}

// RFC 5798 §6.4.1/§6.4.2 "transition to Master": send an advert, announce
// the VIPs (gratuitous ARP / unsolicited NA), arm Adver_Timer.
void Stepper::enterMaster() {
  enter(State::Master);
  emit(AddVips{params_.accept || params_.isAddressOwner()});
  emit(SendAdvert{next().priority});
  emit(SendGratuitous{GratuitousReason::BecameMaster});
  emit(ArmAdvertTimer{advertInterval()});
  emit(Notify{NotifyKind::Master});
}

void Stepper::enterBackup(Duration masterDownTimer) {
  enter(State::Backup);
  emit(ArmMasterDownTimer{masterDownTimer});
  emit(Notify{NotifyKind::Backup});
}

void Stepper::enterFault() {
  if (current() == State::Master) {
    emit(CancelTimers{});
    // Tell the backups at once rather than after Master_Down_Interval.
    emit(SendAdvert{kPriorityStop});
    emit(RemoveVips{});
  } else if (current() == State::Backup) {
    emit(CancelTimers{});
  }
  moveTo(State::Fault);
  emit(Notify{NotifyKind::Fault});
}

void Stepper::on(const Startup&) {
  if (current() != State::Initialize) return;
  if (next().faulted) return enterFault();
  if (params_.isAddressOwner()) return enterMaster();
  next().masterAdverInterval = params_.advertInterval;
  // keepalived: preempt_delay also holds off the first takeover after start.
  const Duration delay = params_.preempt ? params_.preemptDelay : Duration{0};
  enterBackup(masterDown() + delay);
}

void Stepper::on(const Shutdown&) {
  switch (current()) {
    case State::Initialize:
      return;
    case State::Master:
      // RFC 5798 §6.4.3: cancel Adver_Timer, send an advert with priority 0.
      emit(CancelTimers{});
      emit(SendAdvert{kPriorityStop});
      emit(RemoveVips{});
      break;
    case State::Backup:
      emit(CancelTimers{});
      break;
    case State::Fault:
      break;
  }
  moveTo(State::Initialize);
  emit(Notify{NotifyKind::Stop});
}

void Stepper::on(const MasterDownTimerFired&) {
  if (current() == State::Backup) enterMaster();
}

void Stepper::on(const AdvertTimerFired&) {
  if (current() != State::Master) return;
  emit(SendAdvert{next().priority});
  emit(ArmAdvertTimer{advertInterval()});
}

void Stepper::on(const AdvertReceived& advert) {
  if (current() == State::Backup) {
    onAdvertAsBackup(advert);
  } else if (current() == State::Master) {
    onAdvertAsMaster(advert);
  }
}

// RFC 5798 §6.4.2, "If an ADVERTISEMENT is received".
void Stepper::onAdvertAsBackup(const AdvertReceived& advert) {
  const uint8_t theirs = advert.packet.priority;
  if (theirs == kPriorityStop) {
    // The master is leaving: take over after Skew_Time, the highest
    // priority backup first.
    emit(
        ArmMasterDownTimer{skewTime(params_.version, next().priority, next().masterAdverInterval)});
    return;
  }
  if (theirs < next().priority && params_.preempt) {
    // Preemption: discard, so Master_Down_Timer runs out. With
    // preempt_delay, keep following this master for the delay first.
    if (params_.preemptDelay <= Duration{0} || next().preempt == PreemptPhase::Elapsed) return;
    if (next().preempt == PreemptPhase::Idle) {
      next().preempt = PreemptPhase::Waiting;
      emit(ArmPreemptDelayTimer{params_.preemptDelay});
    }
  } else if (theirs > next().priority) {
    next().preempt = PreemptPhase::Idle;
  }
  followMaster(advert);
  // Most adverts come with no answer owed: skip the rank test for them.
  if (next().yieldAnswersLeft > 0 && outranksUs(advert)) answerAsYielded();
}

void Stepper::followMaster(const AdvertReceived& advert) {
  if (params_.version == 3) next().masterAdverInterval = advert.packet.advertInterval;
  next().masterAddress = advert.source;
  next().masterPriority = advert.packet.priority;
  emit(ArmMasterDownTimer{masterDown()});
}

// RFC 5798 §6.4.3 (and §6.4.2's preemption): a higher priority, or an
// equal one from a higher primary address, wins.
bool Stepper::outranksUs(const AdvertReceived& advert) const {
  const uint8_t theirs = advert.packet.priority;
  return theirs > next().priority ||
         (theirs == next().priority && addressAbove(advert.source, params_.primaryAddress));
}

// A Backup that yielded Master (yieldAnswersLeft) answers its master's
// advert with one at its own priority, which third routers treat as any
// lower advert sent at the same moment as the master's: a Backup above us
// with preempt and no preempt_delay discards it; any other follows it until
// the master's next advert, re-arming Master_Down_Timer to about the
// deadline the master's advert just set (hence the master's interval only,
// see answerKeepsTheWinnersInterval). A master advert less than half
// Master_Adver_Interval after our answer is its reply: it heard us. Called
// once the advert is followed, so masterAdverInterval is the master's.
void Stepper::answerAsYielded() {
  if (next().yieldAnswersLeft == 0) return;
  if (!answerKeepsTheWinnersInterval(next().masterAdverInterval) ||
      now_ - next().lastYieldAnswer < Duration{next().masterAdverInterval} / 2) {
    next().yieldAnswersLeft = 0;
    return;
  }
  emit(SendAdvert{next().priority});
  --next().yieldAnswersLeft;
  next().lastYieldAnswer = now_;
}

// RFC 5798 §6.4.3, "If an ADVERTISEMENT is received", plus keepalived's
// answers to a lower-priority master (two masters after a partition).
void Stepper::onAdvertAsMaster(const AdvertReceived& advert) {
  const uint8_t theirs = advert.packet.priority;
  if (theirs == kPriorityStop) {
    emit(SendAdvert{next().priority});
    emit(ArmAdvertTimer{advertInterval()});
    return;
  }
  if (!outranksUs(advert)) {
    // The RFC discards it; keepalived re-asserts itself so hosts that
    // followed the other master's GARPs come back.
    if (!params_.lowerPrioNoAdvert) emit(SendAdvert{next().priority});
    emit(SendGratuitous{GratuitousReason::LowerPriorityAdvert});
    emit(Notify{NotifyKind::MasterRxLowerPriority});
    return;
  }
  // Two masters (a split brain, or this master being preempted): answer
  // the winner so it re-announces the VIPs we may have announced last.
  // Without them (answersWinners), keepalived's higher_prio_send_advert
  // still sends its one. v2 adverts all carry our interval (others are
  // rejected); a v3 winner's may differ (answerKeepsTheWinnersInterval).
  const bool mayAnswer =
      params_.version != 3 || answerKeepsTheWinnersInterval(advert.packet.advertInterval);
  const uint8_t answers = answersWinners() && mayAnswer  ? kSplitBrainAnswers
                          : params_.higherPrioSendAdvert ? 1
                                                         : 0;
  if (answers > 0) emit(SendAdvert{next().priority});
  enter(State::Backup);
  followMaster(advert);
  if (answers > 0) {
    next().yieldAnswersLeft = answers - 1;
    next().lastYieldAnswer = now_;
  }
  emit(Notify{NotifyKind::Backup});
}

void Stepper::on(const PriorityChanged& change) {
  if (params_.isAddressOwner()) return;
  const uint8_t priority = std::clamp<uint8_t>(change.priority, 1, kPriorityOwner - 1);
  if (priority == next().priority) return;
  next().priority = priority;
  // Backups learn the new priority now rather than at the next Adver_Timer.
  if (current() == State::Master) emit(SendAdvert{priority});
}

void Stepper::on(const FaultRaised&) {
  next().faulted = true;
  if (current() == State::Backup || current() == State::Master) enterFault();
}

void Stepper::on(const FaultCleared&) {
  next().faulted = false;
  if (current() != State::Fault) return;
  if (params_.isAddressOwner()) return enterMaster();
  enterBackup(masterDown());
}

void Stepper::on(const PreemptDelayExpired&) {
  if (current() == State::Backup && next().preempt == PreemptPhase::Waiting) {
    next().preempt = PreemptPhase::Elapsed;
  }
}

void Stepper::on(const StepDown&) {
  if (current() != State::Master) return;
  enterBackup(masterDown());
  // A sync-group member leaves Master with its group, before hearing the
  // router that outranks it: it owes that router the same answers, the
  // first at that router's next advert.
  if (answersWinners()) {
    next().yieldAnswersLeft = kSplitBrainAnswers;
    next().lastYieldAnswer = now_ - Duration{next().masterAdverInterval};
  }
}

}  // namespace

StepResult step(const InstanceState& state, const Event& event, const InstanceParams& params,
                TimePoint now) {
  return step(state, event, params, now, {});
}

StepResult step(const InstanceState& state, const Event& event, const InstanceParams& params,
                TimePoint now, std::vector<Action> actions) {
  Stepper stepper(state, params, now, std::move(actions));
  std::visit([&](const auto& e) { stepper.on(e); }, event);
  return std::move(stepper).take();
}

}  // namespace vigil::vrrp
