#pragma once

#include <cstdint>
#include <string_view>
#include <variant>
#include <vector>

#include "core/clock.h"
#include "core/ip_address.h"
#include "vrrp/instance_params.h"
#include "vrrp/packet.h"

// The VRRP state machine of RFC 5798 §6.4 (and RFC 3768 §6.4), with
// keepalived's behaviour where the RFCs leave room. Pure: step() reads a
// state, an event and the instance's parameters and returns the next state
// and the effects as values; the runtime owns sockets, timers and scripts.
namespace vigil::vrrp {

enum class State : uint8_t { Initialize, Backup, Master, Fault };

// keepalived's names: "INIT", "BACKUP", "MASTER", "FAULT".
std::string_view name(State state);

// preempt_delay: a Backup that hears a lower-priority master keeps
// treating it as master for preempt_delay (Waiting), then lets
// Master_Down_Timer run out as RFC preemption does (Elapsed).
enum class PreemptPhase : uint8_t { Idle, Waiting, Elapsed };

struct InstanceState {
  State state = State::Initialize;
  // Priority: the effective priority, base plus tracking weights; fixed at
  // 255 for the address owner.
  uint8_t priority = 0;
  // Master_Adver_Interval: the master's advertisement interval as learnt
  // from its v3 adverts (v2: always our Advertisement_Interval).
  Centiseconds masterAdverInterval{100};
  PreemptPhase preempt = PreemptPhase::Idle;
  // A tracker reports a fault. Kept outside Fault so a fault raised before
  // Startup, or cleared while stopped, is remembered.
  bool faulted = false;
  // The master a Backup last accepted an advert from (empty when none).
  IpAddress masterAddress;
  uint8_t masterPriority = 0;
  // Split-brain heal: a Master that yields to a higher-priority advert may
  // be the one whose GARPs hosts followed last. It answers that master's
  // adverts with one at its own priority (the first as it leaves Master),
  // so the master hears a lower priority and re-announces the VIPs, until
  // the master shows it heard (it answers at once, keepalived and vigil
  // alike) or kSplitBrainAnswers have gone unanswered. No timer: answers
  // ride on the master's own adverts, so they also cross a link that heals
  // one direction at a time. v3: only while the master's interval equals
  // ours (Backups that follow an answer adopt its interval). See
  // doc/vips.md, "After a split brain heals".
  uint8_t yieldAnswersLeft = 0;
  TimePoint lastYieldAnswer{};  // when the last answer was sent
  TimePoint since{};            // when `state` was entered

  bool operator==(const InstanceState&) const = default;
};

// The most adverts a yielded Master sends in answer (see yieldAnswersLeft):
// 16 Advertisement_Intervals for one direction of a link to heal after the
// other, while bounding the GARPs a peer that never answers sends.
inline constexpr uint8_t kSplitBrainAnswers = 16;

// Initialize, at the configured priority, with Master_Adver_Interval =
// Advertisement_Interval.
InstanceState initialState(const InstanceParams& params);

// ---- Events -------------------------------------------------------------

struct Startup {};
struct Shutdown {};
struct MasterDownTimerFired {};
struct AdvertTimerFired {};
// An advert that passed decode() and checkAdvert() (and verifyAh()).
struct AdvertReceived {
  AdvertFields packet;  // the address list is checkAdvert()'s alone
  IpAddress source;
};
// Tracking moved the effective priority. Clamped to 1..254; ignored for
// the address owner, whose priority tracking cannot change (keepalived).
struct PriorityChanged {
  uint8_t priority = 0;
};
struct FaultRaised {};
struct FaultCleared {};
struct PreemptDelayExpired {};
// vrrp_sync_group: another member fell back from Master to Backup, so a
// Master member gives up mastership too (keepalived): it removes its VIPs,
// runs notify_backup and waits Master_Down_Interval as a Backup. No
// priority-0 advert: the peer's own sync group, or its Master_Down_Timer,
// moves it. Like a Master yielding to an advert, it then answers the router
// that outranks it (see yieldAnswersLeft). Ignored in any other state.
struct StepDown {};

using Event =
    std::variant<Startup, Shutdown, MasterDownTimerFired, AdvertTimerFired, AdvertReceived,
                 PriorityChanged, FaultRaised, FaultCleared, PreemptDelayExpired, StepDown>;

// ---- Actions ------------------------------------------------------------
// Each Arm* (re)arms the one timer of that kind, replacing its deadline;
// a timer that fires in a state that no longer expects it is ignored.

struct SendAdvert {
  uint8_t priority = 0;
  bool operator==(const SendAdvert&) const = default;
};
struct ArmAdvertTimer {
  Duration after{};  // Adver_Timer = Advertisement_Interval
  bool operator==(const ArmAdvertTimer&) const = default;
};
struct ArmMasterDownTimer {
  Duration
      after{};  // Master_Down_Timer = Master_Down_Interval, or Skew_Time after a priority-0 advert
  bool operator==(const ArmMasterDownTimer&) const = default;
};
struct ArmPreemptDelayTimer {
  Duration after{};  // preempt_delay
  bool operator==(const ArmPreemptDelayTimer&) const = default;
};
struct CancelTimers {  // all three timers
  bool operator==(const CancelTimers&) const = default;
};
struct AddVips {
  // Accept_Mode as the runtime must apply it: with it false (no_accept) the
  // VIPs only route, traffic to them is dropped. The owner always accepts.
  bool acceptMode = true;
  bool operator==(const AddVips&) const = default;
};
// Removing VIPs that are not there is a no-op for the runtime; entering
// Backup at start-up removes any a previous run left behind.
struct RemoveVips {
  bool operator==(const RemoveVips&) const = default;
};
enum class GratuitousReason : uint8_t {
  BecameMaster,         // garp_master_delay / garp_master_repeat
  LowerPriorityAdvert,  // garp_lower_prio_delay / garp_lower_prio_repeat
};
struct SendGratuitous {  // gratuitous ARP (IPv4) / unsolicited NA (IPv6) for the VIPs
  GratuitousReason reason = GratuitousReason::BecameMaster;
  bool operator==(const SendGratuitous&) const = default;
};
enum class NotifyKind : uint8_t {
  Master,
  Backup,
  Fault,
  Stop,
  MasterRxLowerPriority,  // notify_master_rx_lower_pri
};
struct Notify {
  NotifyKind kind = NotifyKind::Master;
  bool operator==(const Notify&) const = default;
};

using Action = std::variant<SendAdvert, ArmAdvertTimer, ArmMasterDownTimer, ArmPreemptDelayTimer,
                            CancelTimers, AddVips, RemoveVips, SendGratuitous, Notify>;

struct StepResult {
  InstanceState next;
  std::vector<Action> actions;  // to perform in order
};

StepResult step(const InstanceState& state, const Event& event, const InstanceParams& params,
                TimePoint now);
// The same, with the actions put in `actions` (cleared first): a caller that
// steps often hands back the previous result's list and reuses its capacity,
// so a step allocates nothing (the runtime steps on every advert sent or
// received).
StepResult step(const InstanceState& state, const Event& event, const InstanceParams& params,
                TimePoint now, std::vector<Action> actions);

}  // namespace vigil::vrrp
