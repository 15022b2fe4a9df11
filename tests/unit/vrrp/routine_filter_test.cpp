#include "vrrp/routine_filter.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <optional>
#include <string_view>
#include <vector>

#include "vrrp/ipv4_advert.h"
#include "vrrp/packet.h"

namespace vigil::vrrp {
namespace {

IpAddress ip(const char* text) { return *IpAddress::parse(text); }

// What a socket filter runs on: `bytes` from the network header on, the
// filter's own offsets counting from `transport` (IPv4 raw sockets: the IP
// header, 0; IPv6 raw sockets: the VRRP message after the IPv6 header).
struct Frame {
  std::vector<uint8_t> bytes;
  size_t transport = 0;
  int family = AF_INET;
};

// The classic BPF subset routineFilter emits, run as the kernel runs a
// socket filter: plain loads count from the frame's transport offset, loads
// at SKF_NET_OFF + k from its network header, a load past the end ends the
// program with 0 (drop), and the return value is how many bytes to keep
// (0: drop).
uint32_t runFilter(const std::vector<sock_filter>& program, const Frame& frame) {
  const auto packet = std::span(frame.bytes).subspan(frame.transport);
  uint32_t a = 0;
  uint32_t x = 0;
  auto load = [&](std::span<const uint8_t> from, uint32_t offset,
                  uint32_t size) -> std::optional<uint32_t> {
    if (offset + size > from.size()) return std::nullopt;
    uint32_t value = 0;
    for (uint32_t i = 0; i < size; ++i) value = value << 8 | from[offset + i];
    return value;
  };
  for (size_t pc = 0; pc < program.size(); ++pc) {
    const sock_filter& in = program[pc];
    const uint32_t size = BPF_SIZE(in.code) == BPF_W ? 4 : BPF_SIZE(in.code) == BPF_H ? 2 : 1;
    switch (BPF_CLASS(in.code)) {
      case BPF_LD: {
        if (BPF_MODE(in.code) == BPF_LEN) {
          a = static_cast<uint32_t>(packet.size());
          break;
        }
        std::optional<uint32_t> value;
        const auto k = static_cast<int32_t>(in.k);
        if (BPF_MODE(in.code) == BPF_ABS && k < 0) {
          // Only the network-header area; link-layer (SKF_LL_OFF) and
          // ancillary (SKF_AD_OFF) loads are not emitted.
          EXPECT_TRUE(k >= SKF_NET_OFF && k < SKF_AD_OFF) << "k " << k;
          value = load(frame.bytes, static_cast<uint32_t>(k - SKF_NET_OFF), size);
        } else {
          const uint32_t offset = BPF_MODE(in.code) == BPF_IND ? x + in.k : in.k;
          value = load(packet, offset, size);
        }
        if (!value) return 0;
        a = *value;
        break;
      }
      case BPF_LDX: {
        EXPECT_EQ(BPF_MODE(in.code), BPF_MSH);
        auto value = load(packet, in.k, 1);
        if (!value) return 0;
        x = (*value & 0xf) * 4;
        break;
      }
      case BPF_ALU:
        if (BPF_OP(in.code) == BPF_AND) {
          a &= in.k;
        } else {
          EXPECT_EQ(BPF_OP(in.code), BPF_ADD);
          a += in.k;
        }
        break;
      case BPF_MISC:
        if (BPF_MISCOP(in.code) == BPF_TAX) {
          x = a;
        } else {
          a = x;
        }
        break;
      case BPF_JMP: {
        const uint32_t operand = BPF_SRC(in.code) == BPF_X ? x : in.k;
        bool taken = false;
        if (BPF_OP(in.code) == BPF_JEQ) {
          taken = a == operand;
        } else {
          EXPECT_EQ(BPF_OP(in.code), BPF_JGE);
          taken = a >= operand;
        }
        pc += taken ? in.jt : in.jf;
        break;
      }
      case BPF_RET:
        return in.k;
      default:
        ADD_FAILURE() << "unexpected BPF class " << BPF_CLASS(in.code);
        return 0;
    }
  }
  ADD_FAILURE() << "the program ran off its end";
  return 0;
}

struct Advert {
  const char* source = "10.0.0.1";
  uint8_t version = 3;
  uint8_t vrid = 51;
  uint8_t priority = 150;
  Centiseconds interval{1};
  size_t ipOptionWords = 0;  // 4-byte IP options before the VRRP header
};

Frame packetOf(const Advert& a) {
  Ipv4Header header;
  header.source = ip(a.source);
  header.destination = ip("224.0.0.18");
  header.ttl = 255;
  VrrpPacket packet;
  packet.version = a.version;
  packet.vrid = a.vrid;
  packet.priority = a.priority;
  packet.advertInterval = a.interval;
  packet.addresses = {ip("10.0.0.100"), ip("10.0.0.101")};
  std::array<uint8_t, 256> buffer{};
  auto size = encodeIpv4Advert(header, packet, buffer, {});
  EXPECT_TRUE(size);
  std::vector<uint8_t> bytes(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(*size));
  if (a.ipOptionWords > 0) {
    // NOPs as IP options: the VRRP header moves, the filter must follow IHL.
    bytes.insert(bytes.begin() + 20, a.ipOptionWords * 4, uint8_t{1});
    bytes[0] = static_cast<uint8_t>(0x40 | (5 + a.ipOptionWords));
  }
  return {std::move(bytes), 0, AF_INET};
}

struct Advert6 {
  const char* source = "fe80::1";
  uint8_t version = 3;
  uint8_t vrid = 51;
  uint8_t priority = 150;
  Centiseconds interval{1};
  uint8_t hopLimit = 255;
  bool hopByHop = false;  // an extension header before the VRRP message
};

// What an IPv6 raw socket's filter runs on: the IPv6 header (and
// extension headers), then the VRRP message its plain offsets start at.
Frame packet6Of(const Advert6& a) {
  const IpAddress source = ip(a.source);
  const IpAddress destination = ip("ff02::12");
  VrrpPacket packet;
  packet.version = 3;
  packet.vrid = a.vrid;
  packet.priority = a.priority;
  packet.advertInterval = a.interval;
  packet.addresses = {ip("2001:db8::100")};
  std::array<uint8_t, 256> vrrp{};
  auto size = encode(packet, vrrp, {source, destination});
  EXPECT_TRUE(size);
  // VRRPv2 has no IPv6 form: a stray one differs in the version nibble.
  vrrp[0] = static_cast<uint8_t>(a.version << 4 | (vrrp[0] & 0x0f));
  const size_t extension = a.hopByHop ? 8 : 0;
  std::vector<uint8_t> bytes(40 + extension);
  bytes[0] = 0x60;
  const size_t payload = *size + extension;
  bytes[4] = static_cast<uint8_t>(payload >> 8);
  bytes[5] = static_cast<uint8_t>(payload);
  bytes[6] = a.hopByHop ? 0 : kIpProtoVrrp;
  bytes[7] = a.hopLimit;
  std::copy(source.bytes(), source.bytes() + 16, bytes.begin() + 8);
  std::copy(destination.bytes(), destination.bytes() + 16, bytes.begin() + 24);
  if (a.hopByHop) {
    bytes[40] = kIpProtoVrrp;  // next header; length 0: 8 bytes with PadN
    bytes[42] = 1;
    bytes[43] = 4;
  }
  bytes.insert(bytes.end(), vrrp.begin(), vrrp.begin() + static_cast<std::ptrdiff_t>(*size));
  return {std::move(bytes), 40 + extension, AF_INET6};
}

RoutineAdvert routine(const char* source = "10.0.0.1", uint8_t version = 3, uint8_t vrid = 51,
                      uint8_t priority = 150, uint16_t interval = 1) {
  RoutineAdvert r;
  r.source = ip(source);
  r.version = version;
  r.vrid = vrid;
  r.priority = priority;
  r.advertInterval = version == 3 ? interval : 0;
  return r;
}

// Which socket would get the packet: the two programs must never both
// drop it (a lost advert) and, with the filters settled, never both take it.
enum class Socket { Quiet, Prompt, Both, Neither };
Socket routed(const std::vector<RoutineAdvert>& set, const Frame& packet) {
  const bool quiet = runFilter(routineFilter(set, FilterSide::Quiet, packet.family), packet) != 0;
  const bool prompt = runFilter(routineFilter(set, FilterSide::Prompt, packet.family), packet) != 0;
  if (quiet && prompt) return Socket::Both;
  if (quiet) return Socket::Quiet;
  return prompt ? Socket::Prompt : Socket::Neither;
}

TEST(RoutineFilterTest, WithoutRulesEverythingIsPrompt) {
  EXPECT_EQ(routed({}, packetOf({})), Socket::Prompt);
  EXPECT_EQ(routed({}, packet6Of({})), Socket::Prompt);
}

TEST(RoutineFilterTest, TheMastersUsualAdvertIsQuiet) {
  EXPECT_EQ(routed({routine()}, packetOf({})), Socket::Quiet);
  // IP options move the VRRP header; the rule still finds it.
  EXPECT_EQ(routed({routine()}, packetOf({.ipOptionWords = 2})), Socket::Quiet);
}

TEST(RoutineFilterTest, AnyDifferenceIsPrompt) {
  const std::vector<RoutineAdvert> set{routine()};
  EXPECT_EQ(routed(set, packetOf({.source = "10.0.0.2"})), Socket::Prompt);
  EXPECT_EQ(routed(set, packetOf({.vrid = 52})), Socket::Prompt);
  EXPECT_EQ(routed(set, packetOf({.priority = 0})),
            Socket::Prompt);  // the master leaves
  EXPECT_EQ(routed(set, packetOf({.priority = 151})), Socket::Prompt);
  EXPECT_EQ(routed(set, packetOf({.priority = 149})), Socket::Prompt);
  EXPECT_EQ(routed(set, packetOf({.interval = Centiseconds(2)})), Socket::Prompt);
  EXPECT_EQ(routed(set, packetOf({.version = 2, .interval = Centiseconds(100)})), Socket::Prompt);
}

TEST(RoutineFilterTest, VersionTwoRulesIgnoreTheIntervalField) {
  const std::vector<RoutineAdvert> set{routine("10.0.0.1", 2)};
  EXPECT_EQ(routed(set, packetOf({.version = 2, .interval = Centiseconds(100)})), Socket::Quiet);
  EXPECT_EQ(routed(set, packetOf({.version = 2, .interval = Centiseconds(200)})), Socket::Quiet);
  EXPECT_EQ(routed(set, packetOf({.version = 3})), Socket::Prompt);
}

TEST(RoutineFilterTest, ATruncatedPacketIsPromptSoItIsCounted) {
  Frame packet = packetOf({});
  packet.bytes.resize(20 + 5);  // the IP header and part of the VRRP header
  EXPECT_EQ(routed({routine()}, packet), Socket::Prompt);
}

TEST(RoutineFilterTest, EachRuleMatchesItsOwnMaster) {
  const std::vector<RoutineAdvert> set{routine("10.0.0.1", 3, 1), routine("10.0.0.2", 3, 2, 200),
                                       routine("10.0.0.3", 2, 3, 120)};
  EXPECT_EQ(routed(set, packetOf({.vrid = 1})), Socket::Quiet);
  EXPECT_EQ(routed(set, packetOf({.source = "10.0.0.2", .vrid = 2, .priority = 200})),
            Socket::Quiet);
  EXPECT_EQ(routed(set, packetOf({.source = "10.0.0.3",
                                  .version = 2,
                                  .vrid = 3,
                                  .priority = 120,
                                  .interval = Centiseconds(100)})),
            Socket::Quiet);
  // One master's fields with another's VRID.
  EXPECT_EQ(routed(set, packetOf({.source = "10.0.0.1", .vrid = 2, .priority = 200})),
            Socket::Prompt);
}

TEST(RoutineFilterTest, AnUpdateInStepsNeverLosesAnAdvert) {
  // VrrpSocket::installRoutine's order: prompt to old∩new, quiet to new,
  // prompt to new. Every intermediate pair takes each advert at least once.
  const std::vector<RoutineAdvert> before{routine("10.0.0.1", 3, 1)};
  const std::vector<RoutineAdvert> after{routine("10.0.0.2", 3, 2)};
  const std::vector<Frame> adverts{packetOf({.vrid = 1}),
                                   packetOf({.source = "10.0.0.2", .vrid = 2})};
  const std::vector<std::pair<std::vector<RoutineAdvert>, std::vector<RoutineAdvert>>> steps{
      {before, before}, {{}, before}, {{}, after}, {after, after}};
  for (const auto& [prompt, quiet] : steps) {
    for (const auto& packet : adverts) {
      const bool taken =
          runFilter(routineFilter(prompt, FilterSide::Prompt, AF_INET), packet) != 0 ||
          runFilter(routineFilter(quiet, FilterSide::Quiet, AF_INET), packet) != 0;
      EXPECT_TRUE(taken);
    }
  }
}

TEST(RoutineFilterTest, TheProgramStaysWithinTheKernelsLimit) {
  std::vector<RoutineAdvert> many;
  for (int i = 0; i < 600; ++i) {
    many.push_back(routine("10.0.0.1", 3, static_cast<uint8_t>(i % 255 + 1),
                           static_cast<uint8_t>(100 + i / 255)));
  }
  EXPECT_LE(routineFilter(many, FilterSide::Quiet, AF_INET).size(), size_t{BPF_MAXINSNS});
  // The rules past kMaxRoutineAdverts are left out: their adverts stay prompt.
  EXPECT_EQ(
      routed(many, packetOf({.vrid = static_cast<uint8_t>(kMaxRoutineAdverts % 255 + 1),
                             .priority = static_cast<uint8_t>(100 + kMaxRoutineAdverts / 255)})),
      Socket::Prompt);
  EXPECT_EQ(routed(many, packetOf({.vrid = 1, .priority = 100})), Socket::Quiet);
}

// IPv6: the filter reads the source from the IPv6 header (SKF_NET_OFF)
// and the VRRP fields from the start of what the socket sees.
TEST(RoutineFilterIpv6Test, TheMastersUsualAdvertIsQuiet) {
  const std::vector<RoutineAdvert> set{routine("fe80::1")};
  EXPECT_EQ(routed(set, packet6Of({})), Socket::Quiet);
  // An extension header moves the VRRP message, not the source.
  EXPECT_EQ(routed(set, packet6Of({.hopByHop = true})), Socket::Quiet);
}

TEST(RoutineFilterIpv6Test, ADifferenceInAnyWordOfTheSourceIsPrompt) {
  const std::vector<RoutineAdvert> set{routine("fe80::1")};
  for (const char* other : {"fe81::1", "fe80:0:1::1", "fe80::1:0:0:1", "fe80::2"}) {
    EXPECT_EQ(routed(set, packet6Of({.source = other})), Socket::Prompt) << other;
  }
}

TEST(RoutineFilterIpv6Test, AnyDifferenceInTheAdvertIsPrompt) {
  const std::vector<RoutineAdvert> set{routine("fe80::1")};
  EXPECT_EQ(routed(set, packet6Of({.vrid = 52})), Socket::Prompt);
  EXPECT_EQ(routed(set, packet6Of({.priority = 0})), Socket::Prompt);  // the master leaves
  EXPECT_EQ(routed(set, packet6Of({.priority = 151})), Socket::Prompt);
  EXPECT_EQ(routed(set, packet6Of({.priority = 149})), Socket::Prompt);
  EXPECT_EQ(routed(set, packet6Of({.interval = Centiseconds(2)})), Socket::Prompt);
  EXPECT_EQ(routed(set, packet6Of({.version = 2})), Socket::Prompt);
}

TEST(RoutineFilterIpv6Test, TheHopLimitIsLeftToTheInstanceAsForIpv4) {
  // As the IPv4 rules leave the TTL: a wrong one is rejected and counted
  // when the queued advert is handled (RxMeta has it from IPV6_HOPLIMIT).
  EXPECT_EQ(routed({routine("fe80::1")}, packet6Of({.hopLimit = 64})), Socket::Quiet);
}

TEST(RoutineFilterIpv6Test, ATruncatedMessageIsPromptSoItIsCounted) {
  Frame packet = packet6Of({});
  packet.bytes.resize(40 + 5);
  EXPECT_EQ(routed({routine("fe80::1")}, packet), Socket::Prompt);
}

TEST(RoutineFilterIpv6Test, EachRuleMatchesItsOwnMaster) {
  const std::vector<RoutineAdvert> set{routine("fe80::1", 3, 1), routine("fe80::2", 3, 2, 200),
                                       routine("fe80::3", 3, 3, 120, 100)};
  EXPECT_EQ(routed(set, packet6Of({.vrid = 1})), Socket::Quiet);
  EXPECT_EQ(routed(set, packet6Of({.source = "fe80::2", .vrid = 2, .priority = 200})),
            Socket::Quiet);
  EXPECT_EQ(
      routed(set,
             packet6Of(
                 {.source = "fe80::3", .vrid = 3, .priority = 120, .interval = Centiseconds(100)})),
      Socket::Quiet);
  EXPECT_EQ(routed(set, packet6Of({.source = "fe80::1", .vrid = 2, .priority = 200})),
            Socket::Prompt);
}

TEST(RoutineFilterIpv6Test, RulesOfTheOtherFamilyAreLeftOut) {
  // Such a rule could never match on this socket; leaving it out keeps
  // the other family's loads out of the program.
  const std::vector<RoutineAdvert> mixed{routine("10.0.0.1"), routine("fe80::1")};
  EXPECT_EQ(routineFilter(std::vector{routine("10.0.0.1")}, FilterSide::Quiet, AF_INET6).size(),
            1u);
  EXPECT_EQ(routineFilter(std::vector{routine("fe80::1")}, FilterSide::Quiet, AF_INET).size(), 1u);
  EXPECT_EQ(routed(mixed, packet6Of({})), Socket::Quiet);
  EXPECT_EQ(routed(mixed, packetOf({})), Socket::Quiet);
}

TEST(RoutineFilterIpv6Test, TheProgramStaysWithinTheKernelsLimit) {
  std::vector<RoutineAdvert> many;
  for (int i = 0; i < 600; ++i) {
    many.push_back(routine("fe80::1", 3, static_cast<uint8_t>(i % 255 + 1),
                           static_cast<uint8_t>(100 + i / 255)));
  }
  EXPECT_LE(routineFilter(many, FilterSide::Quiet, AF_INET6).size(), size_t{BPF_MAXINSNS});
  EXPECT_EQ(routed(many, packet6Of({.vrid = static_cast<uint8_t>(kMaxRoutineAdvertsIpv6 % 255 + 1),
                                    .priority =
                                        static_cast<uint8_t>(100 + kMaxRoutineAdvertsIpv6 / 255)})),
            Socket::Prompt);
  const size_t last = kMaxRoutineAdvertsIpv6 - 1;
  EXPECT_EQ(routed(many, packet6Of({.vrid = static_cast<uint8_t>(last % 255 + 1),
                                    .priority = static_cast<uint8_t>(100 + last / 255)})),
            Socket::Quiet);
}

InstanceParams backupParams() {
  InstanceParams p;
  p.version = 3;
  p.vrid = 51;
  p.priority = 100;
  p.advertInterval = Centiseconds(1);
  return p;
}

InstanceState following(const char* master, uint8_t masterPriority) {
  InstanceState s;
  s.state = State::Backup;
  s.priority = 100;
  s.masterAdverInterval = Centiseconds(1);
  s.masterAddress = ip(master);
  s.masterPriority = masterPriority;
  return s;
}

TEST(RoutineAdvertForTest, ABackupFollowingAHigherMasterHasOne) {
  auto r = routineAdvertFor(following("10.0.0.1", 150), backupParams());
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(*r, routine("10.0.0.1", 3, 51, 150, 1));
}

TEST(RoutineAdvertForTest, AnIpv6BackupHasOneToo) {
  auto r = routineAdvertFor(following("fe80::1", 150), backupParams());
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(*r, routine("fe80::1", 3, 51, 150, 1));
}

TEST(RoutineAdvertForTest, AnythingUnusualHasNone) {
  const InstanceParams p = backupParams();
  EXPECT_FALSE(routineAdvertFor(following("10.0.0.1", 100),
                                p));  // equal: ties per advert
  EXPECT_FALSE(routineAdvertFor(following("10.0.0.1", 90),
                                p));  // nopreempt follows lower
  InstanceState noMaster = following("10.0.0.1", 150);
  noMaster.masterAddress = IpAddress{};
  EXPECT_FALSE(routineAdvertFor(noMaster, p));
  InstanceState master = following("10.0.0.1", 150);
  master.state = State::Master;
  EXPECT_FALSE(routineAdvertFor(master, p));
  InstanceState answering = following("10.0.0.1", 150);
  answering.yieldAnswersLeft = 2;
  EXPECT_FALSE(routineAdvertFor(answering, p));
  InstanceParams ah = p;
  ah.version = 2;
  ah.authType = AuthType::Ah;
  EXPECT_FALSE(routineAdvertFor(following("10.0.0.1", 150), ah));
}

// routineMasterDown() stands in for step() on a Backup's every routine
// advert, so the two must agree wherever it answers: the state unchanged and
// one ArmMasterDownTimer of its duration. Every state below is stepped with
// every advert; the routine ones must be answered (the test is not vacuous)
// and everything else left to step().
TEST(RoutineMasterDownTest, AgreesWithTheStateMachineWhereverItAnswers) {
  std::vector<InstanceParams> params;
  for (uint8_t version : {2, 3}) {
    for (bool preempt : {true, false}) {
      InstanceParams p = backupParams();
      p.version = version;
      p.advertInterval = Centiseconds(version == 2 ? 100 : 1);
      p.preempt = preempt;
      p.preemptDelay = preempt ? std::chrono::seconds(1) : Duration{0};
      p.primaryAddress = ip("10.0.0.5");
      params.push_back(p);
    }
  }
  size_t answered = 0;
  for (const InstanceParams& p : params) {
    std::vector<InstanceState> states;
    for (uint8_t masterPriority : {90, 100, 150}) {
      InstanceState s = following("10.0.0.1", masterPriority);
      s.masterAdverInterval = p.advertInterval;
      states.push_back(s);
      for (uint8_t answers : {0, 3}) {
        for (PreemptPhase phase :
             {PreemptPhase::Idle, PreemptPhase::Waiting, PreemptPhase::Elapsed}) {
          InstanceState t = s;
          t.yieldAnswersLeft = answers;
          t.preempt = phase;
          states.push_back(t);
        }
      }
    }
    InstanceState master = following("10.0.0.1", 150);
    master.state = State::Master;
    states.push_back(master);
    InstanceState none = following("10.0.0.1", 150);
    none.masterAddress = IpAddress{};
    states.push_back(none);
    for (const InstanceState& state : states) {
      const bool routineState = routineAdvertFor(state, p).has_value();
      for (const char* source : {"10.0.0.1", "10.0.0.9"}) {
        for (uint8_t priority : {0, 90, 100, 150, 200}) {
          for (uint32_t interval : {1u, 2u, 100u}) {
            AdvertFields advert;
            advert.version = p.version;
            advert.vrid = p.vrid;
            advert.priority = priority;
            advert.advertInterval = Centiseconds(interval);
            const TimePoint now = TimePoint{} + std::chrono::seconds(10);
            const auto masterDown = routineMasterDown(state, advert, ip(source), p);
            const bool routine = routineState && source == std::string_view("10.0.0.1") &&
                                 priority == state.masterPriority &&
                                 (p.version == 2 || advert.advertInterval == p.advertInterval);
            EXPECT_EQ(masterDown.has_value(), routine);
            if (!masterDown) continue;
            ++answered;
            const StepResult stepped = step(state, AdvertReceived{advert, ip(source)}, p, now);
            EXPECT_EQ(stepped.next, state);
            EXPECT_EQ(stepped.actions, std::vector<Action>{ArmMasterDownTimer{*masterDown}});
          }
        }
      }
    }
  }
  // Per params, two routine states (master at 150, nothing owed, Idle; built
  // twice) with their one advert, v2's in all three intervals (checkAdvert
  // rejects the other two before a step).
  EXPECT_EQ(answered, 2u * (2 * 1 + 2 * 3));
}

// routineAdvertTurn() stands in for step() on a Master's every Adver_Timer
// turn, so the two must agree wherever it answers: the state unchanged,
// SendAdvert at the state's priority and ArmAdvertTimer of its interval.
// Every state of the machine is tried, with priorities, owed answers and
// preempt phases; the Master ones must be answered (not vacuous) and the
// others left to step().
TEST(RoutineAdvertTurnTest, AgreesWithTheStateMachineWhereverItAnswers) {
  size_t answered = 0;
  for (uint8_t version : {2, 3}) {
    for (uint32_t centiseconds : {1u, 100u}) {
      InstanceParams p = backupParams();
      p.version = version;
      p.advertInterval = Centiseconds(centiseconds);
      p.primaryAddress = ip("10.0.0.5");
      for (State st : {State::Initialize, State::Backup, State::Master, State::Fault}) {
        for (uint8_t priority : {0, 100, 255}) {
          for (uint8_t answers : {0, 3}) {
            for (PreemptPhase phase : {PreemptPhase::Idle, PreemptPhase::Waiting}) {
              InstanceState state = following("10.0.0.1", 150);
              state.state = st;
              state.priority = priority;
              state.yieldAnswersLeft = answers;
              state.preempt = phase;
              const TimePoint now = TimePoint{} + std::chrono::seconds(10);
              const auto turn = routineAdvertTurn(state, p);
              EXPECT_EQ(turn.has_value(), st == State::Master);
              if (!turn) continue;
              ++answered;
              const StepResult stepped = step(state, AdvertTimerFired{}, p, now);
              EXPECT_EQ(stepped.next, state);
              EXPECT_EQ(stepped.actions,
                        (std::vector<Action>{SendAdvert{priority}, ArmAdvertTimer{*turn}}));
            }
          }
        }
      }
    }
  }
  EXPECT_EQ(answered, 4u * 3 * 2 * 2);
}

// The two sockets' filters as a kernel would hold them: an attach fails
// with `failure` when the new program has more than `maxRules` IPv4 v3
// rules (as net.core.optmem_max refuses one), and after every attach that
// succeeds no advert of `adverts` is dropped by both.
struct FakeSockets {
  size_t maxRules = kMaxRoutineAdverts;
  int failure = ENOMEM;
  std::vector<sock_filter> quiet = routineFilter({}, FilterSide::Quiet, AF_INET);
  std::vector<sock_filter> prompt = routineFilter({}, FilterSide::Prompt, AF_INET);
  std::vector<Frame> adverts;
  size_t attaches = 0;
  size_t failures = 0;

  Status attach(FilterSide side, const std::vector<sock_filter>& program) {
    ++attaches;
    // 8 instructions of preamble, 9 a rule, 1 final return.
    if (program.size() > 9 + 9 * maxRules) {
      ++failures;
      errno = failure;
      return errnoError("SO_ATTACH_FILTER");
    }
    (side == FilterSide::Quiet ? quiet : prompt) = program;
    for (const Frame& advert : adverts) {
      EXPECT_TRUE(runFilter(quiet, advert) != 0 || runFilter(prompt, advert) != 0)
          << "an advert dropped by both";
    }
    return {};
  }
  Socket routedNow(const Frame& packet) const {
    const bool q = runFilter(quiet, packet) != 0;
    const bool p = runFilter(prompt, packet) != 0;
    if (q && p) return Socket::Both;
    if (q) return Socket::Quiet;
    return p ? Socket::Prompt : Socket::Neither;
  }
};

// 40 backups following 10.0.0.1, VRIDs 1 to 40, and their adverts.
std::vector<RoutineAdvert> fortyRoutines() {
  std::vector<RoutineAdvert> set;
  for (uint8_t vrid = 1; vrid <= 40; ++vrid) set.push_back(routine("10.0.0.1", 3, vrid));
  return set;
}
Frame advertOf(uint8_t vrid) { return packetOf({.vrid = vrid}); }

TEST(RoutineFilterPairTest, OutOfOptionMemoryTheFirstRulesThatFitStayQuietTheRestPrompt) {
  FakeSockets kernel{.maxRules = 10};
  for (uint8_t vrid = 1; vrid <= 41; ++vrid) kernel.adverts.push_back(advertOf(vrid));
  RoutineFilterPair pair(AF_INET, [&](FilterSide side, const std::vector<sock_filter>& p) {
    return kernel.attach(side, p);
  });
  const std::vector<RoutineAdvert> wanted = fortyRoutines();
  ASSERT_TRUE(pair.update(wanted));
  // 40 and 20 rules fail, 10 fit: the first 10 in the given order.
  EXPECT_EQ(pair.cap(), 10U);
  EXPECT_EQ(kernel.failures, 2U);
  EXPECT_EQ(pair.installed(), std::vector<RoutineAdvert>(wanted.begin(), wanted.begin() + 10));
  for (uint8_t vrid = 1; vrid <= 40; ++vrid) {
    EXPECT_EQ(kernel.routedNow(advertOf(vrid)), vrid <= 10 ? Socket::Quiet : Socket::Prompt)
        << "vrid " << int{vrid};
  }

  // No retry storm: the cap holds, a change beyond it attaches nothing,
  // one within it moves only to what fits.
  const size_t attaches = kernel.attaches;
  std::vector<RoutineAdvert> more = wanted;
  more.push_back(routine("10.0.0.1", 3, 41));
  ASSERT_TRUE(pair.update(more));
  EXPECT_EQ(kernel.attaches, attaches);
  more.erase(more.begin());  // VRID 1's master went away
  ASSERT_TRUE(pair.update(more));
  EXPECT_EQ(kernel.failures, 2U);
  EXPECT_EQ(pair.cap(), 10U);
  for (uint8_t vrid = 1; vrid <= 41; ++vrid) {
    EXPECT_EQ(kernel.routedNow(advertOf(vrid)),
              vrid >= 2 && vrid <= 11 ? Socket::Quiet : Socket::Prompt)
        << "vrid " << int{vrid};
  }
}

TEST(RoutineFilterPairTest, AProgramTooLongIsRetriedShorterDownToNoRules) {
  FakeSockets kernel{.maxRules = 0, .failure = EINVAL};
  RoutineFilterPair pair(AF_INET, [&](FilterSide side, const std::vector<sock_filter>& p) {
    return kernel.attach(side, p);
  });
  ASSERT_TRUE(pair.update(fortyRoutines()));
  EXPECT_EQ(pair.cap(), 0U);
  EXPECT_TRUE(pair.installed().empty());
  EXPECT_EQ(kernel.routedNow(advertOf(1)), Socket::Prompt);
  const size_t attaches = kernel.attaches;
  ASSERT_TRUE(pair.update(fortyRoutines()));
  EXPECT_EQ(kernel.attaches, attaches);
}

TEST(RoutineFilterPairTest, AnotherErrorIsReturnedAndKeepsTheCap) {
  FakeSockets kernel{.maxRules = 0, .failure = EPERM};
  RoutineFilterPair pair(AF_INET, [&](FilterSide side, const std::vector<sock_filter>& p) {
    return kernel.attach(side, p);
  });
  const Status s = pair.update(fortyRoutines());
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, EPERM);
  EXPECT_EQ(kernel.failures, 1U);
  EXPECT_EQ(pair.cap(), kMaxRoutineAdverts);
  EXPECT_EQ(kernel.routedNow(advertOf(1)), Socket::Prompt);
}

}  // namespace
}  // namespace vigil::vrrp
