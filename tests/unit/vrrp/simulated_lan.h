#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/simulated_loop.h"
#include "vrrp/advert_check.h"
#include "vrrp/packet.h"
#include "vrrp/state_machine.h"

// A test runtime: routers whose state machines run on a SimulatedLoop and
// whose adverts cross a simulated LAN as bytes (encode -> decode ->
// checkAdvert -> step), so scenarios exercise the whole pure pipeline
// without sockets or sleeping.
namespace vigil::vrrp::testing {

class SimulatedLan;

class SimulatedRouter {
 public:
  SimulatedRouter(std::string name, SimulatedLoop& loop, SimulatedLan& lan, InstanceParams params)
      : name_(std::move(name)),
        loop_(loop),
        lan_(lan),
        params_(std::move(params)),
        state_(initialState(params_)) {
    advertTimer_ = loop_.createTimer([this] { handle(AdvertTimerFired{}); });
    masterDownTimer_ = loop_.createTimer([this] { handle(MasterDownTimerFired{}); });
    preemptTimer_ = loop_.createTimer([this] { handle(PreemptDelayExpired{}); });
  }

  void handle(const Event& event);
  void receive(const std::vector<uint8_t>& bytes, const IpAddress& source);

  const std::string& name() const { return name_; }
  State state() const { return state_.state; }
  // The master it follows, Master_Adver_Interval, preempt phase...
  const InstanceState& instance() const { return state_; }
  const InstanceParams& params() const { return params_; }
  bool holdsVips() const { return vips_; }
  // When this router last entered `state` (nullopt: never).
  std::optional<TimePoint> enteredAt(NotifyKind kind) const {
    auto it = lastNotify_.find(kind);
    return it == lastNotify_.end() ? std::nullopt : std::optional(it->second);
  }
  int gratuitousCount(GratuitousReason reason) const {
    auto it = gratuitous_.find(reason);
    return it == gratuitous_.end() ? 0 : it->second;
  }
  // When this router last sent gratuitous ARPs for `reason` (nullopt: never).
  std::optional<TimePoint> lastGratuitousAt(GratuitousReason reason) const {
    auto it = lastGratuitous_.find(reason);
    return it == lastGratuitous_.end() ? std::nullopt : std::optional(it->second);
  }
  int advertsSent() const { return advertsSent_; }
  int rejected() const { return rejected_; }

 private:
  void apply(const Action& action);
  void sendAdvert(uint8_t priority);

  std::string name_;
  SimulatedLoop& loop_;
  SimulatedLan& lan_;
  InstanceParams params_;
  InstanceState state_;
  std::unique_ptr<Timer> advertTimer_;
  std::unique_ptr<Timer> masterDownTimer_;
  std::unique_ptr<Timer> preemptTimer_;
  bool vips_ = false;
  std::map<NotifyKind, TimePoint> lastNotify_;
  std::map<GratuitousReason, int> gratuitous_;
  std::map<GratuitousReason, TimePoint> lastGratuitous_;
  int advertsSent_ = 0;
  int rejected_ = 0;
};

class SimulatedLan {
 public:
  explicit SimulatedLan(SimulatedLoop& loop) : loop_(loop) {}

  void attach(SimulatedRouter* router) { plugged_[router] = true; }
  // Unplugging stops a router's packets in both directions.
  void setPlugged(SimulatedRouter* router, bool plugged) { plugged_[router] = plugged; }
  // One direction only: a link that heals (or breaks) a side at a time.
  void setPath(SimulatedRouter* from, SimulatedRouter* to, bool open) {
    if (open) {
      blocked_.erase({from, to});
    } else {
      blocked_.insert({from, to});
    }
  }

  void broadcast(SimulatedRouter* from, std::vector<uint8_t> bytes) {
    if (!plugged_[from]) return;
    const IpAddress source = from->params().primaryAddress;
    for (auto& [router, plugged] : plugged_) {
      if (router == from || !plugged || blocked_.count({from, router})) continue;
      SimulatedRouter* to = router;
      loop_.post([to, bytes, source] { to->receive(bytes, source); });
    }
  }

 private:
  SimulatedLoop& loop_;
  std::map<SimulatedRouter*, bool> plugged_;
  std::set<std::pair<SimulatedRouter*, SimulatedRouter*>> blocked_;
};

// A v3 router of VRID 51 at `address` with VIP 10.0.0.100, advertising
// every second.
inline InstanceParams routerParams(uint8_t priority, const char* address) {
  InstanceParams p;
  p.version = 3;
  p.vrid = 51;
  p.priority = priority;
  p.advertInterval = Centiseconds(100);
  p.primaryAddress = *IpAddress::parse(address);
  p.addresses = {*IpAddress::parse("10.0.0.100")};
  return p;
}

inline const IpAddress& multicastGroup() {
  static const IpAddress group = *IpAddress::parse("224.0.0.18");
  return group;
}

inline void SimulatedRouter::handle(const Event& event) {
  StepResult r = step(state_, event, params_, loop_.now());
  state_ = r.next;
  for (const Action& action : r.actions) apply(action);
}

inline void SimulatedRouter::receive(const std::vector<uint8_t>& bytes, const IpAddress& source) {
  RxMeta meta;
  meta.source = source;
  meta.destination = multicastGroup();
  meta.ttl = kVrrpTtl;
  auto decoded = decode(bytes, meta);
  if (!decoded || checkAdvert(decoded->packet, params_)) {
    ++rejected_;
    return;
  }
  handle(AdvertReceived{decoded->packet, source});
}

inline void SimulatedRouter::sendAdvert(uint8_t priority) {
  VrrpPacket p;
  p.version = params_.version;
  p.vrid = params_.vrid;
  p.priority = priority;
  p.advertInterval = params_.advertInterval;
  p.authType = params_.authType;
  p.authData = params_.authData;
  p.addresses = params_.addresses;
  std::vector<uint8_t> out(1500);
  auto size = encode(p, out, {params_.primaryAddress, multicastGroup()});
  if (!size) return;
  out.resize(*size);
  ++advertsSent_;
  lan_.broadcast(this, std::move(out));
}

inline void SimulatedRouter::apply(const Action& action) {
  if (auto* a = std::get_if<SendAdvert>(&action)) sendAdvert(a->priority);
  if (auto* a = std::get_if<ArmAdvertTimer>(&action)) advertTimer_->armAfter(a->after);
  if (auto* a = std::get_if<ArmMasterDownTimer>(&action)) masterDownTimer_->armAfter(a->after);
  if (auto* a = std::get_if<ArmPreemptDelayTimer>(&action)) preemptTimer_->armAfter(a->after);
  if (std::holds_alternative<CancelTimers>(action)) {
    advertTimer_->cancel();
    masterDownTimer_->cancel();
    preemptTimer_->cancel();
  }
  if (std::holds_alternative<AddVips>(action)) vips_ = true;
  if (std::holds_alternative<RemoveVips>(action)) vips_ = false;
  if (auto* a = std::get_if<SendGratuitous>(&action)) {
    ++gratuitous_[a->reason];
    lastGratuitous_[a->reason] = loop_.now();
  }
  if (auto* a = std::get_if<Notify>(&action)) lastNotify_[a->kind] = loop_.now();
}

}  // namespace vigil::vrrp::testing
