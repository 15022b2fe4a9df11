#pragma once

#include <linux/filter.h>
#include <sys/socket.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <vector>

#include "core/ip_address.h"
#include "core/result.h"
#include "vrrp/instance_params.h"
#include "vrrp/state_machine.h"

namespace vigil::vrrp {

// An advert a Backup expects from the master it follows, which changes
// nothing but the Master_Down_Timer's start: same VRID, version and
// source, the priority of that master's last accepted advert (strictly
// above ours) and, v3, its Master_Adver_Interval. Such adverts may queue
// on the quiet socket until Master_Down_Timer runs out (see
// doc/vips.md, "Quiet backups"); every other advert wakes vigil at once.
struct RoutineAdvert {
  IpAddress source;  // IPv4 or IPv6, the socket's family
  uint8_t version = 3;
  uint8_t vrid = 0;
  uint8_t priority = 0;
  uint16_t advertInterval = 0;  // v3: Master_Adver_Interval in centiseconds

  bool operator==(const RoutineAdvert&) const = default;
};

// What a Backup in `state` with `params` may leave queued, or nothing:
// not Backup, no master yet, a master at or below our priority (preemption
// and equal-priority ties are decided per advert), a split-brain answer
// owed (yieldAnswersLeft), a preempt_delay running or AH (its own socket).
std::optional<RoutineAdvert> routineAdvertFor(const InstanceState& state,
                                              const InstanceParams& params);

// What a Backup's step does with the advert routineAdvertFor(state, params)
// describes, received from `source`: it restarts Master_Down_Timer and
// changes nothing else. Returns that timer's Master_Down_Interval, or
// nullopt when `advert` is not that advert in `state`. For every advert it
// returns a value for, step() returns `state` unchanged and exactly
// ArmMasterDownTimer{value} (RoutineMasterDownTest pins the two together),
// so the runtime restarts the timer without a step: a healthy master's
// every advert at a Backup.
std::optional<Duration> routineMasterDown(const InstanceState& state, const AdvertFields& advert,
                                          const IpAddress& source, const InstanceParams& params);

// What a step does when a Master's Adver_Timer fires (RFC 5798 §6.4.3:
// send an ADVERTISEMENT, reset the Adver_Timer to Advertisement_Interval):
// returns that interval when `state` is Master, nullopt otherwise. For
// every state it returns a value for, step(state, AdvertTimerFired{})
// returns `state` unchanged and exactly SendAdvert{state.priority},
// ArmAdvertTimer{value} (RoutineAdvertTurnTest pins the two together), so
// the runtime sends and re-arms without a step on a master's every turn.
std::optional<Duration> routineAdvertTurn(const InstanceState& state, const InstanceParams& params);

enum class FilterSide {
  Quiet,   // accepts the routine adverts only
  Prompt,  // accepts everything else
};

// Adverts of more instances than this stay prompt: the classic BPF
// program of that many rules fits the kernel's 4096-instruction limit.
// IPv4: 9 instructions a rule at most; IPv6: 15 (its source is four words).
// The socket's option memory usually allows fewer (see RoutineFilterPair).
inline constexpr size_t kMaxRoutineAdverts = 400;
inline constexpr size_t kMaxRoutineAdvertsIpv6 = 270;
constexpr size_t maxRoutineAdverts(int family) {
  return family == AF_INET6 ? kMaxRoutineAdvertsIpv6 : kMaxRoutineAdverts;
}

// A classic BPF socket filter for a raw IPPROTO_VRRP socket of `family`
// (AF_INET or AF_INET6): accepts a packet whole or drops it by whether it
// matches one of `routine` (only the first maxRoutineAdverts(family)
// count; rules of the other family are left out). Pure, so tests run the
// program on crafted packets.
//
// An IPv4 raw socket's filter sees the packet from the IP header on; an
// IPv6 one sees the VRRP message (the transport payload) and reads the
// IPv6 header's source through the network-header offset SKF_NET_OFF.
std::vector<sock_filter> routineFilter(std::span<const RoutineAdvert> routine, FilterSide side,
                                       int family);

// The two filters of one (interface, family): the prompt socket's and the
// quiet socket's, moved together so that no advert is ever dropped by
// both (additions reach the quiet side first, removals the prompt side;
// in between an advert may reach both and is handled twice).
//
// Each filter is charged against the socket's option memory
// (net.core.optmem_max, per socket), and while one is replaced the old
// and the new are charged together, so far fewer rules than
// maxRoutineAdverts may fit. When attaching fails for lack of room
// (ENOMEM, or EINVAL for a program too long), update() retries with half
// the rules, down to none, and keeps the size that fitted as a cap for
// the pair's life: later updates never try more, so a full socket costs
// one failed attach per halving, not one per change. The rules installed
// are the first `cap` of `wanted` in its order; the others' adverts stay
// prompt (they only wake the worker).
class RoutineFilterPair {
 public:
  // Attaches `program` as `side`'s filter (SO_ATTACH_FILTER).
  using Attach = std::function<Status(FilterSide side, const std::vector<sock_filter>& program)>;

  RoutineFilterPair(int family, Attach attach) : family_(family), attach_(std::move(attach)) {}

  // Routes the first cap() of `wanted` to the quiet side. An error other
  // than lack of room, or one even without rules, leaves both filters
  // accepting what they accepted before or more on the prompt side.
  Status update(std::span<const RoutineAdvert> wanted);
  // Both filters back to none: every advert prompt.
  void reset();

  // What the quiet side takes, and the prompt side drops.
  const std::vector<RoutineAdvert>& installed() const { return quiet_; }
  // How many rules fit (maxRoutineAdverts(family) until an attach ran out
  // of room).
  size_t cap() const { return cap_; }

 private:
  Status moveTo(const std::vector<RoutineAdvert>& target);

  int family_;
  Attach attach_;
  size_t cap_ = maxRoutineAdverts(family_);
  std::vector<RoutineAdvert> prompt_;  // the prompt filter drops these
  std::vector<RoutineAdvert> quiet_;   // the quiet filter takes these (prompt_ ⊆ quiet_)
};

}  // namespace vigil::vrrp
