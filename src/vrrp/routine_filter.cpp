#include "vrrp/routine_filter.h"

#include <algorithm>
#include <cstring>

namespace vigil::vrrp {
namespace {

constexpr uint32_t kAccept = 0xffffffffU;  // the whole packet
constexpr uint32_t kDrop = 0;
constexpr uint32_t kIpv4SourceOffset = 12;
// The VRRP header's first word: version/type, VRID, priority, address
// count; the count is not compared (a changed address list is rejected
// or accepted per advert all the same, and changes no timer).
constexpr uint32_t kFirstWordMask = 0xffffff00U;
// v3's second 16 bits: 4 reserved bits and Max Adver Int.
constexpr uint32_t kIntervalOffset = 4;
constexpr uint32_t kIntervalMask = 0x0fffU;
constexpr uint8_t kAdvertisementType = 1;
constexpr uint32_t kVrrpFieldsRead = 8;

sock_filter statement(uint16_t code, uint32_t k) { return sock_filter{code, 0, 0, k}; }
sock_filter jumpIfEqual(uint32_t k, uint8_t ifFalse) {
  return sock_filter{BPF_JMP | BPF_JEQ | BPF_K, 0, ifFalse, k};
}

uint32_t sourceWord(const IpAddress& source) {
  const uint8_t* b = source.bytes();
  return (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | b[3];
}

// One rule: falls through to the next rule when any field differs, returns
// `onMatch` when all agree. X holds the IP header length.
void appendRule(std::vector<sock_filter>& program, const RoutineAdvert& r, uint32_t onMatch) {
  const bool v3 = r.version == 3;
  // Instructions after each compare up to the next rule.
  const uint8_t afterSource = v3 ? 7 : 4;
  const uint8_t afterFirst = v3 ? 4 : 1;
  program.push_back(statement(BPF_LD | BPF_W | BPF_ABS, kIpv4SourceOffset));
  program.push_back(jumpIfEqual(sourceWord(r.source), afterSource));
  program.push_back(statement(BPF_LD | BPF_W | BPF_IND, 0));
  program.push_back(statement(BPF_ALU | BPF_AND | BPF_K, kFirstWordMask));
  const uint32_t first =
      (uint32_t{static_cast<uint8_t>(r.version << 4 | kAdvertisementType)} << 24) |
      (uint32_t{r.vrid} << 16) | (uint32_t{r.priority} << 8);
  program.push_back(jumpIfEqual(first, afterFirst));
  if (v3) {
    program.push_back(statement(BPF_LD | BPF_H | BPF_IND, kIntervalOffset));
    program.push_back(statement(BPF_ALU | BPF_AND | BPF_K, kIntervalMask));
    program.push_back(jumpIfEqual(r.advertInterval & kIntervalMask, 1));
  }
  program.push_back(statement(BPF_RET | BPF_K, onMatch));
}

}  // namespace

std::optional<RoutineAdvert> routineAdvertFor(const InstanceState& state,
                                              const InstanceParams& params) {
  if (state.state != State::Backup || state.masterAddress.empty() || !state.masterAddress.isV4() ||
      state.masterPriority <= state.priority || state.yieldAnswersLeft > 0 ||
      state.preempt != PreemptPhase::Idle || params.authType == AuthType::Ah) {
    return std::nullopt;
  }
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

std::vector<sock_filter> routineFilter(std::span<const RoutineAdvert> routine, FilterSide side) {
  const uint32_t onMatch = side == FilterSide::Quiet ? kAccept : kDrop;
  const uint32_t onNone = side == FilterSide::Quiet ? kDrop : kAccept;
  std::vector<sock_filter> program;
  const size_t rules = std::min(routine.size(), kMaxRoutineAdverts);
  if (rules > 0) {
    program.reserve(8 + rules * 9 + 1);
    // A packet too short for the VRRP fields the rules read goes to the
    // prompt side (whose decoder rejects and counts it): a load past the
    // end would end the program with "drop".
    program.push_back(statement(BPF_LDX | BPF_B | BPF_MSH, 0));
    program.push_back(statement(BPF_MISC | BPF_TXA, 0));
    program.push_back(statement(BPF_ALU | BPF_ADD | BPF_K, kVrrpFieldsRead));
    program.push_back(statement(BPF_MISC | BPF_TAX, 0));
    program.push_back(statement(BPF_LD | BPF_W | BPF_LEN, 0));
    program.push_back(sock_filter{BPF_JMP | BPF_JGE | BPF_X, 1, 0, 0});
    program.push_back(statement(BPF_RET | BPF_K, onNone));
    // X = the IP header's length (4 * IHL), where the VRRP header starts.
    program.push_back(statement(BPF_LDX | BPF_B | BPF_MSH, 0));
    for (size_t i = 0; i < rules; ++i) appendRule(program, routine[i], onMatch);
  }
  program.push_back(statement(BPF_RET | BPF_K, onNone));
  return program;
}

}  // namespace vigil::vrrp
