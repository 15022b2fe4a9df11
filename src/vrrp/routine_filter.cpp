#include "vrrp/routine_filter.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "vrrp/timers.h"

namespace vigil::vrrp {
namespace {

constexpr uint32_t kAccept = 0xffffffffU;  // the whole packet
constexpr uint32_t kDrop = 0;
constexpr uint32_t kIpv4SourceOffset = 12;
constexpr uint32_t kIpv6SourceOffset = 8;
// The VRRP header's first word: version/type, VRID, priority, address
// count; the count is not compared (a changed address list is rejected
// or accepted per advert all the same, and changes no timer).
constexpr uint32_t kFirstWordMask = 0xffffff00U;
// v3's second 16 bits: 4 reserved bits and Max Adver Int.
constexpr uint32_t kIntervalOffset = 4;
constexpr uint32_t kIntervalMask = 0x0fffU;
constexpr uint8_t kAdvertisementType = 1;
constexpr uint32_t kVrrpFieldsRead = 8;

// A Backup that follows a master above it, owes no answer, waits for no
// preempt_delay and receives on the plain socket (AH has its own).
bool expectsRoutineAdverts(const InstanceState& state, const InstanceParams& params) {
  return state.state == State::Backup && !state.masterAddress.empty() &&
         state.masterPriority > state.priority && state.yieldAnswersLeft == 0 &&
         state.preempt == PreemptPhase::Idle && params.authType != AuthType::Ah;
}

sock_filter statement(uint16_t code, uint32_t k) { return sock_filter{code, 0, 0, k}; }
sock_filter jumpIfEqual(uint32_t k, uint8_t ifFalse) {
  return sock_filter{BPF_JMP | BPF_JEQ | BPF_K, 0, ifFalse, k};
}

uint32_t word(const uint8_t* b) {
  return (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | b[3];
}

// The VRRP header's first word as a routine advert has it (address count
// masked off).
uint32_t firstWord(const RoutineAdvert& r) {
  return (uint32_t{static_cast<uint8_t>(r.version << 4 | kAdvertisementType)} << 24) |
         (uint32_t{r.vrid} << 16) | (uint32_t{r.priority} << 8);
}

// A rule compares fields one by one; on a difference it jumps past the
// rest of itself to the next rule, and returns `onMatch` when all agree.
// `mode` addresses the VRRP header: BPF_IND (X + k, X its offset) or
// BPF_ABS (k, the header at 0).

// Load, mask and compare of the VRRP header's first word; a difference
// skips `rest`, the rule's instructions after it.
void appendFirstWord(std::vector<sock_filter>& program, const RoutineAdvert& r, uint16_t mode,
                     uint8_t rest) {
  program.push_back(statement(BPF_LD | BPF_W | mode, 0));
  program.push_back(statement(BPF_ALU | BPF_AND | BPF_K, kFirstWordMask));
  program.push_back(jumpIfEqual(firstWord(r), rest));
}
constexpr uint8_t kFirstWordLength = 3;

// The rule's end: v3's interval compare, then the match.
void appendIntervalAndMatch(std::vector<sock_filter>& program, const RoutineAdvert& r,
                            uint16_t mode, uint32_t onMatch) {
  if (r.version == 3) {
    program.push_back(statement(BPF_LD | BPF_H | mode, kIntervalOffset));
    program.push_back(statement(BPF_ALU | BPF_AND | BPF_K, kIntervalMask));
    program.push_back(jumpIfEqual(r.advertInterval & kIntervalMask, 1));
  }
  program.push_back(statement(BPF_RET | BPF_K, onMatch));
}
uint8_t intervalAndMatchLength(const RoutineAdvert& r) { return r.version == 3 ? 4 : 1; }

// IPv4: the packet starts at the IP header; X holds its length. The
// source first (one word), then the VRRP fields.
void appendIpv4Rule(std::vector<sock_filter>& program, const RoutineAdvert& r, uint32_t onMatch) {
  const uint8_t tail = intervalAndMatchLength(r);
  program.push_back(statement(BPF_LD | BPF_W | BPF_ABS, kIpv4SourceOffset));
  program.push_back(jumpIfEqual(word(r.source.bytes()), kFirstWordLength + tail));
  appendFirstWord(program, r, BPF_IND, tail);
  appendIntervalAndMatch(program, r, BPF_IND, onMatch);
}

// IPv6: the packet starts at the VRRP header; the source is read from the
// IPv6 header through SKF_NET_OFF, one word at a time. The kernel has the
// fixed header in the socket buffer's linear part (ipv6_rcv pulled it), so
// these loads cannot fail and drop a prompt advert. The first word (VRID)
// comes first: the source's eight instructions run only for the rule of
// the advert's own VRID.
void appendIpv6Rule(std::vector<sock_filter>& program, const RoutineAdvert& r, uint32_t onMatch) {
  const uint8_t tail = intervalAndMatchLength(r);
  constexpr uint8_t kSourceLength = 8;
  appendFirstWord(program, r, BPF_ABS, kSourceLength + tail);
  const uint8_t* source = r.source.bytes();
  for (uint8_t i = 0; i < 4; ++i) {
    const auto rest = static_cast<uint8_t>(2 * (3 - i) + tail);
    program.push_back(statement(BPF_LD | BPF_W | BPF_ABS,
                                static_cast<uint32_t>(SKF_NET_OFF) + kIpv6SourceOffset + 4U * i));
    program.push_back(jumpIfEqual(word(source + 4 * i), rest));
  }
  appendIntervalAndMatch(program, r, BPF_ABS, onMatch);
}

}  // namespace

std::optional<RoutineAdvert> routineAdvertFor(const InstanceState& state,
                                              const InstanceParams& params) {
  if (!expectsRoutineAdverts(state, params)) return std::nullopt;
  RoutineAdvert routine;
  routine.source = state.masterAddress;
  routine.version = params.version;
  routine.vrid = params.vrid;
  routine.priority = state.masterPriority;
  if (params.version == 3) {
    routine.advertInterval = static_cast<uint16_t>(state.masterAdverInterval.count());
  }
  return routine;
}

std::optional<Duration> routineMasterDown(const InstanceState& state, const AdvertFields& advert,
                                          const IpAddress& source, const InstanceParams& params) {
  // The advert routineAdvertFor() describes, field by field; v2 adverts
  // carry no interval that a Backup adopts.
  if (!expectsRoutineAdverts(state, params)) return std::nullopt;
  if (advert.version != params.version || advert.vrid != params.vrid ||
      advert.priority != state.masterPriority || source != state.masterAddress) {
    return std::nullopt;
  }
  if (params.version == 3 && advert.advertInterval != state.masterAdverInterval) {
    return std::nullopt;
  }
  return masterDownInterval(params.version, state.priority, state.masterAdverInterval,
                            params.downTimerAdverts);
}

std::optional<Duration> routineAdvertTurn(const InstanceState& state,
                                          const InstanceParams& params) {
  if (state.state != State::Master) return std::nullopt;
  return params.advertInterval;
}

std::vector<sock_filter> routineFilter(std::span<const RoutineAdvert> routine, FilterSide side,
                                       int family) {
  const uint32_t onMatch = side == FilterSide::Quiet ? kAccept : kDrop;
  const uint32_t onNone = side == FilterSide::Quiet ? kDrop : kAccept;
  const bool v6 = family == AF_INET6;
  std::vector<sock_filter> program;
  std::vector<const RoutineAdvert*> rules;
  for (const RoutineAdvert& r : routine) {
    if (rules.size() == maxRoutineAdverts(family)) break;
    if (v6 ? !r.source.isV6() : !r.source.isV4()) continue;  // never on this socket
    rules.push_back(&r);
  }
  if (!rules.empty()) {
    program.reserve(8 + rules.size() * (v6 ? 15 : 9) + 1);
    // A packet too short for the VRRP fields the rules read goes to the
    // prompt side (whose decoder rejects and counts it): a load past the
    // end would end the program with "drop".
    if (v6) {
      program.push_back(statement(BPF_LD | BPF_W | BPF_LEN, 0));
      program.push_back(sock_filter{BPF_JMP | BPF_JGE | BPF_K, 1, 0, kVrrpFieldsRead});
      program.push_back(statement(BPF_RET | BPF_K, onNone));
      for (const RoutineAdvert* r : rules) appendIpv6Rule(program, *r, onMatch);
    } else {
      program.push_back(statement(BPF_LDX | BPF_B | BPF_MSH, 0));
      program.push_back(statement(BPF_MISC | BPF_TXA, 0));
      program.push_back(statement(BPF_ALU | BPF_ADD | BPF_K, kVrrpFieldsRead));
      program.push_back(statement(BPF_MISC | BPF_TAX, 0));
      program.push_back(statement(BPF_LD | BPF_W | BPF_LEN, 0));
      program.push_back(sock_filter{BPF_JMP | BPF_JGE | BPF_X, 1, 0, 0});
      program.push_back(statement(BPF_RET | BPF_K, onNone));
      // X = the IP header's length (4 * IHL), where the VRRP header starts.
      program.push_back(statement(BPF_LDX | BPF_B | BPF_MSH, 0));
      for (const RoutineAdvert* r : rules) appendIpv4Rule(program, *r, onMatch);
    }
  }
  program.push_back(statement(BPF_RET | BPF_K, onNone));
  return program;
}

namespace {

bool contains(const std::vector<RoutineAdvert>& set, const RoutineAdvert& r) {
  return std::find(set.begin(), set.end(), r) != set.end();
}

bool allIn(const std::vector<RoutineAdvert>& some, const std::vector<RoutineAdvert>& all) {
  return std::all_of(some.begin(), some.end(),
                     [&](const RoutineAdvert& r) { return contains(all, r); });
}

// SO_ATTACH_FILTER's "no room": the socket's option memory is used up
// (ENOMEM), or the program is longer than the kernel takes (EINVAL).
bool outOfRoom(const Error& e) { return e.code == ENOMEM || e.code == EINVAL; }

}  // namespace

Status RoutineFilterPair::update(std::span<const RoutineAdvert> wanted) {
  std::vector<RoutineAdvert> target;
  for (const RoutineAdvert& r : wanted) {
    if (family_ == AF_INET6 ? !r.source.isV6() : !r.source.isV4()) continue;
    target.push_back(r);
  }
  if (target.size() > cap_) target.resize(cap_);
  // Bounded: each failure halves the cap.
  while (true) {
    if (target == quiet_ && target == prompt_) return {};
    Status s = moveTo(target);
    if (s) return {};
    if (!outOfRoom(s.error()) || target.empty()) return s;
    cap_ = target.size() / 2;
    target.resize(cap_);
  }
}

void RoutineFilterPair::reset() {
  (void)attach_(FilterSide::Prompt, routineFilter({}, FilterSide::Prompt, family_));
  (void)attach_(FilterSide::Quiet, routineFilter({}, FilterSide::Quiet, family_));
  prompt_.clear();
  quiet_.clear();
}

// Each step keeps prompt_ ⊆ quiet_, and a failed step changes nothing.
Status RoutineFilterPair::moveTo(const std::vector<RoutineAdvert>& target) {
  const auto set = [&](FilterSide side, std::vector<RoutineAdvert>& now,
                       std::vector<RoutineAdvert> next) -> Status {
    if (next == now) return {};
    if (Status s = attach_(side, routineFilter(next, side, family_)); !s) return s;
    now = std::move(next);
    return {};
  };
  if (!allIn(prompt_, target)) {
    std::vector<RoutineAdvert> kept;
    for (const RoutineAdvert& r : prompt_) {
      if (contains(target, r)) kept.push_back(r);
    }
    if (Status s = set(FilterSide::Prompt, prompt_, std::move(kept)); !s) return s;
  }
  if (Status s = set(FilterSide::Quiet, quiet_, target); !s) return s;
  return set(FilterSide::Prompt, prompt_, target);
}

}  // namespace vigil::vrrp
