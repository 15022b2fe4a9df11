#include "vrrp/state_machine.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "support/vrrp_params.h"
#include "vrrp/timers.h"

namespace vigil::vrrp {
namespace {

using std::chrono::microseconds;
using std::chrono::seconds;

IpAddress ip(const char* text) { return *IpAddress::parse(text); }

const TimePoint kT0{std::chrono::hours(1)};

using test::params;

InstanceState inState(State state, const InstanceParams& p) {
  InstanceState s = initialState(p);
  s.state = state;
  return s;
}

AdvertReceived advert(uint8_t priority, const char* source = "10.0.0.9",
                      Centiseconds interval = Centiseconds(100)) {
  VrrpPacket packet;
  packet.version = 3;
  packet.vrid = 51;
  packet.priority = priority;
  packet.advertInterval = interval;
  packet.addresses = {ip("10.0.0.100")};
  return AdvertReceived{packet, ip(source)};
}

using Actions = std::vector<Action>;

// Master_Down_Interval for priority 100 at 1 s: 3 s + 156/256 s.
const Duration kMdi100 = microseconds(3609375);
const Duration kSkew100 = microseconds(609375);

// ---- Initialize -----------------------------------------------------------

TEST(StateMachineTest, StartupGoesToBackupAndArmsMasterDown) {
  const InstanceParams p = params();
  auto r = step(initialState(p), Startup{}, p, kT0);
  EXPECT_EQ(r.next.state, State::Backup);
  EXPECT_EQ(r.next.since, kT0);
  EXPECT_EQ(r.next.masterAdverInterval, Centiseconds(100));
  EXPECT_EQ(r.actions,
            (Actions{RemoveVips{}, ArmMasterDownTimer{kMdi100}, Notify{NotifyKind::Backup}}));
}

TEST(StateMachineTest, AddressOwnerStartsAsMaster) {
  InstanceParams p = params();
  p.priority = kPriorityOwner;
  p.accept = false;  // the owner accepts regardless
  auto r = step(initialState(p), Startup{}, p, kT0);
  EXPECT_EQ(r.next.state, State::Master);
  EXPECT_EQ(r.actions,
            (Actions{AddVips{true}, SendAdvert{255}, SendGratuitous{GratuitousReason::BecameMaster},
                     ArmAdvertTimer{seconds(1)}, Notify{NotifyKind::Master}}));
}

TEST(StateMachineTest, PreemptDelayLengthensTheFirstMasterDown) {
  InstanceParams p = params();
  p.preemptDelay = seconds(5);
  auto r = step(initialState(p), Startup{}, p, kT0);
  EXPECT_EQ(r.actions.at(1), Action{ArmMasterDownTimer{kMdi100 + seconds(5)}});
  p.preempt = false;  // nopreempt: the delay does not apply
  r = step(initialState(p), Startup{}, p, kT0);
  EXPECT_EQ(r.actions.at(1), Action{ArmMasterDownTimer{kMdi100}});
}

TEST(StateMachineTest, FaultBeforeStartupStartsInFault) {
  const InstanceParams p = params();
  auto r = step(initialState(p), FaultRaised{}, p, kT0);
  EXPECT_EQ(r.next.state, State::Initialize);
  EXPECT_TRUE(r.actions.empty());
  r = step(r.next, Startup{}, p, kT0);
  EXPECT_EQ(r.next.state, State::Fault);
  EXPECT_EQ(r.actions, (Actions{Notify{NotifyKind::Fault}}));
}

TEST(StateMachineTest, InitializeIgnoresEverythingButStartupAndFaults) {
  const InstanceParams p = params();
  const InstanceState s = initialState(p);
  for (const Event& e : std::vector<Event>{Shutdown{}, MasterDownTimerFired{}, AdvertTimerFired{},
                                           advert(200), PreemptDelayExpired{}}) {
    auto r = step(s, e, p, kT0);
    EXPECT_EQ(r.next, s);
    EXPECT_TRUE(r.actions.empty());
  }
}

// ---- Backup ---------------------------------------------------------------

TEST(StateMachineTest, BackupBecomesMasterWhenMasterDownFires) {
  InstanceParams p = params();
  p.accept = false;
  auto r = step(inState(State::Backup, p), MasterDownTimerFired{}, p, kT0 + seconds(4));
  EXPECT_EQ(r.next.state, State::Master);
  EXPECT_EQ(r.next.since, kT0 + seconds(4));
  EXPECT_EQ(r.actions, (Actions{CancelTimers{}, AddVips{false}, SendAdvert{100},
                                SendGratuitous{GratuitousReason::BecameMaster},
                                ArmAdvertTimer{seconds(1)}, Notify{NotifyKind::Master}}));
}

TEST(StateMachineTest, BackupFollowsAHigherOrEqualMaster) {
  const InstanceParams p = params();
  for (uint8_t theirs : {100, 101, 254, 255}) {
    auto r = step(inState(State::Backup, p), advert(theirs), p, kT0);
    EXPECT_EQ(r.next.state, State::Backup);
    EXPECT_EQ(r.next.masterAddress, ip("10.0.0.9"));
    EXPECT_EQ(r.next.masterPriority, theirs);
    EXPECT_EQ(r.actions, (Actions{ArmMasterDownTimer{kMdi100}})) << int(theirs);
  }
}

TEST(StateMachineTest, V3BackupLearnsMasterAdverInterval) {
  const InstanceParams p = params();
  auto r = step(inState(State::Backup, p), advert(200, "10.0.0.9", Centiseconds(50)), p, kT0);
  EXPECT_EQ(r.next.masterAdverInterval, Centiseconds(50));
  // 3 * 0.5 s + 156 * 0.5 s / 256
  EXPECT_EQ(r.actions, (Actions{ArmMasterDownTimer{microseconds(1500000 + 304687)}}));
}

TEST(StateMachineTest, V2BackupKeepsItsOwnInterval) {
  const InstanceParams p = params(2);
  AdvertReceived a = advert(200, "10.0.0.9", Centiseconds(300));
  a.packet.version = 2;
  auto r = step(inState(State::Backup, p), a, p, kT0);
  EXPECT_EQ(r.next.masterAdverInterval, Centiseconds(100));
  EXPECT_EQ(r.actions, (Actions{ArmMasterDownTimer{kMdi100}}));
}

TEST(StateMachineTest, BackupAnswersPriorityZeroWithSkewTime) {
  const InstanceParams p = params();
  auto r = step(inState(State::Backup, p), advert(kPriorityStop), p, kT0);
  EXPECT_EQ(r.next.state, State::Backup);
  EXPECT_EQ(r.actions, (Actions{ArmMasterDownTimer{kSkew100}}));

  InstanceParams high = params();
  high.priority = 250;
  r = step(inState(State::Backup, high), advert(kPriorityStop), high, kT0);
  EXPECT_EQ(r.actions, (Actions{ArmMasterDownTimer{microseconds(23437)}}))
      << "6/256 s: the best backup goes first";
}

TEST(StateMachineTest, PreemptingBackupDiscardsALowerMaster) {
  const InstanceParams p = params();
  auto r = step(inState(State::Backup, p), advert(99), p, kT0);
  EXPECT_TRUE(r.actions.empty()) << "Master_Down_Timer keeps running out";
  EXPECT_EQ(r.next.masterAddress, IpAddress{});
}

TEST(StateMachineTest, NopreemptBackupFollowsALowerMaster) {
  InstanceParams p = params();
  p.preempt = false;
  auto r = step(inState(State::Backup, p), advert(20), p, kT0);
  EXPECT_EQ(r.actions, (Actions{ArmMasterDownTimer{kMdi100}}));
  EXPECT_EQ(r.next.masterPriority, 20);
}

TEST(StateMachineTest, PreemptDelayFollowsALowerMasterForTheDelayThenLetsGo) {
  InstanceParams p = params();
  p.preemptDelay = seconds(30);
  InstanceState s = inState(State::Backup, p);

  auto r = step(s, advert(50), p, kT0);
  EXPECT_EQ(r.next.preempt, PreemptPhase::Waiting);
  EXPECT_EQ(r.actions, (Actions{ArmPreemptDelayTimer{seconds(30)}, ArmMasterDownTimer{kMdi100}}));

  r = step(r.next, advert(50), p, kT0 + seconds(1));
  EXPECT_EQ(r.actions, (Actions{ArmMasterDownTimer{kMdi100}})) << "still waiting: no new delay";

  r = step(r.next, PreemptDelayExpired{}, p, kT0 + seconds(30));
  EXPECT_EQ(r.next.preempt, PreemptPhase::Elapsed);
  EXPECT_TRUE(r.actions.empty());

  r = step(r.next, advert(50), p, kT0 + seconds(31));
  EXPECT_TRUE(r.actions.empty()) << "now preempting: discard";
  r = step(r.next, MasterDownTimerFired{}, p, kT0 + seconds(34));
  EXPECT_EQ(r.next.state, State::Master);
  EXPECT_EQ(r.next.preempt, PreemptPhase::Idle);
}

TEST(StateMachineTest, AHigherMasterCancelsAPendingPreemption) {
  InstanceParams p = params();
  p.preemptDelay = seconds(30);
  auto r = step(inState(State::Backup, p), advert(50), p, kT0);
  r = step(r.next, advert(150), p, kT0 + seconds(1));
  EXPECT_EQ(r.next.preempt, PreemptPhase::Idle);
  r = step(r.next, PreemptDelayExpired{}, p, kT0 + seconds(30));
  EXPECT_EQ(r.next.preempt, PreemptPhase::Idle) << "a stale expiry changes nothing";
}

TEST(StateMachineTest, BackupIgnoresAdvertTimer) {
  const InstanceParams p = params();
  auto r = step(inState(State::Backup, p), AdvertTimerFired{}, p, kT0);
  EXPECT_TRUE(r.actions.empty());
  EXPECT_EQ(r.next.state, State::Backup);
}

// ---- Master ---------------------------------------------------------------

TEST(StateMachineTest, MasterAdvertisesEveryInterval) {
  InstanceParams p = params();
  p.advertInterval = Centiseconds(2);
  auto r = step(inState(State::Master, p), AdvertTimerFired{}, p, kT0);
  EXPECT_EQ(r.actions, (Actions{SendAdvert{100}, ArmAdvertTimer{std::chrono::milliseconds(20)}}));
}

TEST(StateMachineTest, MasterStepsDownForAHigherPriorityAndAnswersIt) {
  const InstanceParams p = params();
  auto r = step(inState(State::Master, p), advert(101), p, kT0);
  EXPECT_EQ(r.next.state, State::Backup);
  EXPECT_EQ(r.next.masterAddress, ip("10.0.0.9"));
  // The answer at our own priority goes first, so the winner hears a lower
  // priority and re-sends its GARPs (we may have been a split-brain master).
  EXPECT_EQ(r.actions, (Actions{SendAdvert{100}, CancelTimers{}, RemoveVips{},
                                ArmMasterDownTimer{kMdi100}, Notify{NotifyKind::Backup}}));
  EXPECT_EQ(r.next.yieldAnswersLeft, kSplitBrainAnswers - 1);
}

// A v3 answer carries our interval, which Backups following it would adopt:
// a winner advertising at another interval gets no answers.
TEST(StateMachineTest, MasterStepsDownSilentlyForAWinnerAtAnotherInterval) {
  const InstanceParams p = params();
  auto r = step(inState(State::Master, p), advert(101, "10.0.0.9", Centiseconds(200)), p, kT0);
  EXPECT_EQ(r.next.state, State::Backup);
  EXPECT_EQ(r.next.masterAdverInterval, Centiseconds(200));
  EXPECT_EQ(r.actions, (Actions{CancelTimers{}, RemoveVips{},
                                ArmMasterDownTimer{microseconds(6000000 + 1218750)},
                                Notify{NotifyKind::Backup}}));
  EXPECT_EQ(r.next.yieldAnswersLeft, 0);
}

TEST(StateMachineTest, LowerPrioNoAdvertStepsDownSilentlyAsTheRfcSays) {
  InstanceParams p = params();
  p.lowerPrioNoAdvert = true;  // what vrrp_strict sets
  auto r = step(inState(State::Master, p), advert(200), p, kT0);
  EXPECT_EQ(r.next.state, State::Backup);
  EXPECT_EQ(r.actions, (Actions{CancelTimers{}, RemoveVips{}, ArmMasterDownTimer{kMdi100},
                                Notify{NotifyKind::Backup}}));
  EXPECT_EQ(r.next.yieldAnswersLeft, 0);
}

TEST(StateMachineTest, UseVmacStepsDownWithoutAnswering) {
  InstanceParams p = params();
  p.useVmac = true;  // both routers announce the virtual MAC: nothing to heal
  auto r = step(inState(State::Master, p), advert(200), p, kT0);
  EXPECT_EQ(r.next.state, State::Backup);
  EXPECT_EQ(r.actions, (Actions{CancelTimers{}, RemoveVips{}, ArmMasterDownTimer{kMdi100},
                                Notify{NotifyKind::Backup}}));
  EXPECT_EQ(r.next.yieldAnswersLeft, 0);
}

TEST(StateMachineTest, HigherPrioSendAdvertSendsOneLastAdvertEvenWithLowerPrioNoAdvert) {
  InstanceParams p = params();
  p.lowerPrioNoAdvert = true;
  p.higherPrioSendAdvert = true;
  auto r = step(inState(State::Master, p), advert(200), p, kT0);
  EXPECT_EQ(r.next.state, State::Backup);
  EXPECT_EQ(r.actions.front(), Action{SendAdvert{100}});
  EXPECT_EQ(r.actions.size(), 5u);
  EXPECT_EQ(r.next.yieldAnswersLeft, 0) << "keepalived's option is one advert, no more";
}

// A Backup that yielded Master: `answers` still owed, the last sent at kT0.
InstanceState yielded(const InstanceParams& p, uint8_t answers) {
  InstanceState s = inState(State::Backup, p);
  s.yieldAnswersLeft = answers;
  s.lastYieldAnswer = kT0;
  return s;
}

TEST(StateMachineTest, YieldedBackupAnswersTheMastersNextAdvert) {
  const InstanceParams p = params();
  const TimePoint next = kT0 + seconds(1);  // the master's next periodic advert
  auto r = step(yielded(p, 3), advert(200), p, next);
  EXPECT_EQ(r.actions, (Actions{ArmMasterDownTimer{kMdi100}, SendAdvert{100}}));
  EXPECT_EQ(r.next.yieldAnswersLeft, 2);
  EXPECT_EQ(r.next.lastYieldAnswer, next);
}

TEST(StateMachineTest, YieldedBackupStopsWhenTheMastersIntervalDiffersFromOurs) {
  const InstanceParams p = params();
  auto r = step(yielded(p, 3), advert(200, "10.0.0.9", Centiseconds(200)), p, kT0 + seconds(2));
  EXPECT_EQ(r.actions, (Actions{ArmMasterDownTimer{microseconds(6000000 + 1218750)}}));
  EXPECT_EQ(r.next.yieldAnswersLeft, 0);
}

TEST(StateMachineTest, YieldedBackupStopsWhenTheMasterReplies) {
  const InstanceParams p = params();
  // Within half Master_Adver_Interval of our answer: the master's reply.
  auto r = step(yielded(p, 3), advert(200), p, kT0 + std::chrono::milliseconds(2));
  EXPECT_EQ(r.actions, (Actions{ArmMasterDownTimer{kMdi100}}));
  EXPECT_EQ(r.next.yieldAnswersLeft, 0);
}

TEST(StateMachineTest, YieldedBackupStopsAfterTheLastAnswer) {
  const InstanceParams p = params();
  InstanceState s = yielded(p, 1);
  auto r = step(s, advert(200), p, kT0 + seconds(1));
  EXPECT_EQ(r.actions.back(), Action{SendAdvert{100}});
  r = step(r.next, advert(200), p, kT0 + seconds(2));
  EXPECT_EQ(r.actions, (Actions{ArmMasterDownTimer{kMdi100}}));
}

TEST(StateMachineTest, YieldedBackupAnswersOnlyARouterThatOutranksIt) {
  const InstanceParams p = params();
  // A lower advert (another split-brain master) and a priority-0 advert
  // get the Backup's usual handling and no answer.
  auto r = step(yielded(p, 3), advert(50), p, kT0 + seconds(1));
  EXPECT_EQ(r.next.yieldAnswersLeft, 3);
  EXPECT_TRUE(std::none_of(r.actions.begin(), r.actions.end(),
                           [](const Action& a) { return std::holds_alternative<SendAdvert>(a); }));
  r = step(yielded(p, 3), advert(kPriorityStop), p, kT0 + seconds(1));
  EXPECT_EQ(r.actions, (Actions{ArmMasterDownTimer{kSkew100}}));
}

TEST(StateMachineTest, LeavingBackupForgetsTheAnswersOwed) {
  const InstanceParams p = params();
  auto r = step(yielded(p, 3), MasterDownTimerFired{}, p, kT0 + seconds(4));
  EXPECT_EQ(r.next.state, State::Master);
  EXPECT_EQ(r.next.yieldAnswersLeft, 0);
}

TEST(StateMachineTest, EqualPriorityGoesToTheHigherAddress) {
  const InstanceParams p = params();  // we are 10.0.0.2
  auto r = step(inState(State::Master, p), advert(100, "10.0.0.3"), p, kT0);
  EXPECT_EQ(r.next.state, State::Backup);
  r = step(inState(State::Master, p), advert(100, "10.0.0.1"), p, kT0);
  EXPECT_EQ(r.next.state, State::Master);
}

TEST(StateMachineTest, MasterReassertsItselfAgainstALowerMaster) {
  const InstanceParams p = params();
  auto r = step(inState(State::Master, p), advert(50), p, kT0);
  EXPECT_EQ(r.next.state, State::Master);
  EXPECT_EQ(r.actions,
            (Actions{SendAdvert{100}, SendGratuitous{GratuitousReason::LowerPriorityAdvert},
                     Notify{NotifyKind::MasterRxLowerPriority}}));
}

TEST(StateMachineTest, LowerPrioNoAdvertKeepsTheRfcSilence) {
  InstanceParams p = params();
  p.lowerPrioNoAdvert = true;
  auto r = step(inState(State::Master, p), advert(50), p, kT0);
  EXPECT_EQ(r.actions, (Actions{SendGratuitous{GratuitousReason::LowerPriorityAdvert},
                                Notify{NotifyKind::MasterRxLowerPriority}}));
}

TEST(StateMachineTest, MasterAnswersPriorityZeroAtOnce) {
  const InstanceParams p = params();
  auto r = step(inState(State::Master, p), advert(kPriorityStop), p, kT0);
  EXPECT_EQ(r.next.state, State::Master);
  EXPECT_EQ(r.actions, (Actions{SendAdvert{100}, ArmAdvertTimer{seconds(1)}}));
}

TEST(StateMachineTest, MasterIgnoresMasterDownAndPreemptTimers) {
  const InstanceParams p = params();
  for (const Event& e : std::vector<Event>{MasterDownTimerFired{}, PreemptDelayExpired{}}) {
    auto r = step(inState(State::Master, p), e, p, kT0);
    EXPECT_EQ(r.next.state, State::Master);
    EXPECT_TRUE(r.actions.empty());
  }
}

// ---- Shutdown -------------------------------------------------------------

TEST(StateMachineTest, MasterShutdownSendsPriorityZero) {
  const InstanceParams p = params();
  auto r = step(inState(State::Master, p), Shutdown{}, p, kT0);
  EXPECT_EQ(r.next.state, State::Initialize);
  EXPECT_EQ(r.actions,
            (Actions{CancelTimers{}, SendAdvert{0}, RemoveVips{}, Notify{NotifyKind::Stop}}));
}

TEST(StateMachineTest, BackupAndFaultShutdownQuietly) {
  const InstanceParams p = params();
  auto r = step(inState(State::Backup, p), Shutdown{}, p, kT0);
  EXPECT_EQ(r.next.state, State::Initialize);
  EXPECT_EQ(r.actions, (Actions{CancelTimers{}, Notify{NotifyKind::Stop}}));
  r = step(inState(State::Fault, p), Shutdown{}, p, kT0);
  EXPECT_EQ(r.actions, (Actions{Notify{NotifyKind::Stop}}));
}

TEST(StateMachineTest, RestartAfterShutdownStartsFresh) {
  const InstanceParams p = params();
  auto r = step(inState(State::Backup, p), advert(200, "10.0.0.9", Centiseconds(50)), p, kT0);
  r = step(r.next, Shutdown{}, p, kT0);
  r = step(r.next, Startup{}, p, kT0);
  EXPECT_EQ(r.next.state, State::Backup);
  EXPECT_EQ(r.next.masterAdverInterval, Centiseconds(100));
  EXPECT_EQ(r.actions.at(1), Action{ArmMasterDownTimer{kMdi100}});
}

// ---- Fault ----------------------------------------------------------------

TEST(StateMachineTest, MasterFaultHandsOverAtOnce) {
  const InstanceParams p = params();
  auto r = step(inState(State::Master, p), FaultRaised{}, p, kT0);
  EXPECT_EQ(r.next.state, State::Fault);
  EXPECT_TRUE(r.next.faulted);
  EXPECT_EQ(r.actions,
            (Actions{CancelTimers{}, SendAdvert{0}, RemoveVips{}, Notify{NotifyKind::Fault}}));
}

TEST(StateMachineTest, BackupFault) {
  const InstanceParams p = params();
  auto r = step(inState(State::Backup, p), FaultRaised{}, p, kT0);
  EXPECT_EQ(r.next.state, State::Fault);
  EXPECT_EQ(r.actions, (Actions{CancelTimers{}, Notify{NotifyKind::Fault}}));
}

TEST(StateMachineTest, FaultIgnoresAdvertsAndTimers) {
  const InstanceParams p = params();
  InstanceState s = inState(State::Fault, p);
  s.faulted = true;
  for (const Event& e :
       std::vector<Event>{advert(200), advert(0), MasterDownTimerFired{}, AdvertTimerFired{},
                          FaultRaised{}, PreemptDelayExpired{}}) {
    auto r = step(s, e, p, kT0);
    EXPECT_EQ(r.next, s);
    EXPECT_TRUE(r.actions.empty());
  }
}

TEST(StateMachineTest, FaultClearedReturnsToBackup) {
  const InstanceParams p = params();
  InstanceState s = inState(State::Fault, p);
  s.faulted = true;
  auto r = step(s, FaultCleared{}, p, kT0);
  EXPECT_EQ(r.next.state, State::Backup);
  EXPECT_FALSE(r.next.faulted);
  EXPECT_EQ(r.actions, (Actions{ArmMasterDownTimer{kMdi100}, Notify{NotifyKind::Backup}}));
}

TEST(StateMachineTest, OwnerLeavesFaultAsMaster) {
  InstanceParams p = params();
  p.priority = kPriorityOwner;
  auto r = step(inState(State::Fault, p), FaultCleared{}, p, kT0);
  EXPECT_EQ(r.next.state, State::Master);
  EXPECT_EQ(r.actions.back(), Action{Notify{NotifyKind::Master}});
}

// ---- Priority changes (tracking) ------------------------------------------

TEST(StateMachineTest, MasterAdvertisesANewPriorityAtOnce) {
  const InstanceParams p = params();
  auto r = step(inState(State::Master, p), PriorityChanged{80}, p, kT0);
  EXPECT_EQ(r.next.priority, 80);
  EXPECT_EQ(r.actions, (Actions{SendAdvert{80}}));
  r = step(r.next, PriorityChanged{80}, p, kT0);
  EXPECT_TRUE(r.actions.empty()) << "no change, no advert";
}

TEST(StateMachineTest, BackupPriorityMovesItsSkew) {
  const InstanceParams p = params();
  auto r = step(inState(State::Backup, p), PriorityChanged{200}, p, kT0);
  EXPECT_TRUE(r.actions.empty());
  r = step(r.next, advert(220), p, kT0);
  EXPECT_EQ(r.actions, (Actions{ArmMasterDownTimer{microseconds(3000000 + 218750)}}));
}

TEST(StateMachineTest, PriorityIsClampedAndTheOwnerIsFixed) {
  const InstanceParams p = params();
  EXPECT_EQ(step(inState(State::Backup, p), PriorityChanged{0}, p, kT0).next.priority, 1);
  EXPECT_EQ(step(inState(State::Backup, p), PriorityChanged{255}, p, kT0).next.priority, 254);
  InstanceParams owner = params();
  owner.priority = kPriorityOwner;
  auto r = step(inState(State::Master, owner), PriorityChanged{10}, owner, kT0);
  EXPECT_EQ(r.next.priority, 255);
  EXPECT_TRUE(r.actions.empty());
}

TEST(StateMachineTest, StateNames) {
  EXPECT_EQ(name(State::Initialize), "INIT");
  EXPECT_EQ(name(State::Backup), "BACKUP");
  EXPECT_EQ(name(State::Master), "MASTER");
  EXPECT_EQ(name(State::Fault), "FAULT");
}

// ---- Sync group step-down ----------------------------------------------------

TEST(StateMachineTest, StepDownTakesAMasterToBackupWithoutAPriorityZeroAdvert) {
  const InstanceParams p = params();
  auto r = step(inState(State::Master, p), StepDown{}, p, kT0);
  EXPECT_EQ(r.next.state, State::Backup);
  EXPECT_EQ(r.next.since, kT0);
  EXPECT_EQ(r.actions, (Actions{CancelTimers{}, RemoveVips{}, ArmMasterDownTimer{kMdi100},
                                Notify{NotifyKind::Backup}}));
}

// The group left Master before this member heard its winner: it answers
// that winner's first advert, and only a router that outranks it.
TEST(StateMachineTest, SteppedDownMemberAnswersTheWinnersFirstAdvert) {
  const InstanceParams p = params();
  auto r = step(inState(State::Master, p), StepDown{}, p, kT0);
  EXPECT_EQ(r.next.yieldAnswersLeft, kSplitBrainAnswers);
  auto lower = step(r.next, advert(50), p, kT0 + std::chrono::milliseconds(1));
  EXPECT_EQ(lower.next.yieldAnswersLeft, kSplitBrainAnswers);
  auto winner = step(r.next, advert(200), p, kT0 + std::chrono::milliseconds(1));
  EXPECT_EQ(winner.actions, (Actions{ArmMasterDownTimer{kMdi100}, SendAdvert{100}}));
  EXPECT_EQ(winner.next.yieldAnswersLeft, kSplitBrainAnswers - 1);
}

TEST(StateMachineTest, StepDownIsIgnoredOutsideMaster) {
  const InstanceParams p = params();
  for (State state : {State::Initialize, State::Backup, State::Fault}) {
    const InstanceState s = inState(state, p);
    auto r = step(s, StepDown{}, p, kT0);
    EXPECT_EQ(r.next, s) << name(state);
    EXPECT_TRUE(r.actions.empty()) << name(state);
  }
}

}  // namespace
}  // namespace vigil::vrrp
