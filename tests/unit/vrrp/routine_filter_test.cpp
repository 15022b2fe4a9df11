#include "vrrp/routine_filter.h"

#include <gtest/gtest.h>

#include <array>
#include <optional>
#include <vector>

#include "vrrp/ipv4_advert.h"

namespace vigil::vrrp {
namespace {

IpAddress ip(const char* text) { return *IpAddress::parse(text); }

// The classic BPF subset routineFilter emits, run as the kernel runs a
// socket filter: the packet starts at the IP header, a load past its end
// ends the program with 0 (drop), and the return value is how many bytes
// to keep (0: drop).
uint32_t runFilter(const std::vector<sock_filter>& program, std::span<const uint8_t> packet) {
  uint32_t a = 0;
  uint32_t x = 0;
  auto load = [&](uint32_t offset, uint32_t size) -> std::optional<uint32_t> {
    if (offset + size > packet.size()) return std::nullopt;
    uint32_t value = 0;
    for (uint32_t i = 0; i < size; ++i) value = value << 8 | packet[offset + i];
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
        const uint32_t offset = BPF_MODE(in.code) == BPF_IND ? x + in.k : in.k;
        auto value = load(offset, size);
        if (!value) return 0;
        a = *value;
        break;
      }
      case BPF_LDX: {
        EXPECT_EQ(BPF_MODE(in.code), BPF_MSH);
        auto value = load(in.k, 1);
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

std::vector<uint8_t> packetOf(const Advert& a) {
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
  return bytes;
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
Socket routed(const std::vector<RoutineAdvert>& set, const std::vector<uint8_t>& packet) {
  const bool quiet = runFilter(routineFilter(set, FilterSide::Quiet), packet) != 0;
  const bool prompt = runFilter(routineFilter(set, FilterSide::Prompt), packet) != 0;
  if (quiet && prompt) return Socket::Both;
  if (quiet) return Socket::Quiet;
  return prompt ? Socket::Prompt : Socket::Neither;
}

TEST(RoutineFilterTest, WithoutRulesEverythingIsPrompt) {
  EXPECT_EQ(routed({}, packetOf({})), Socket::Prompt);
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
  std::vector<uint8_t> packet = packetOf({});
  packet.resize(20 + 5);  // the IP header and part of the VRRP header
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
  const std::vector<std::vector<uint8_t>> adverts{packetOf({.vrid = 1}),
                                                  packetOf({.source = "10.0.0.2", .vrid = 2})};
  const std::vector<std::pair<std::vector<RoutineAdvert>, std::vector<RoutineAdvert>>> steps{
      {before, before}, {{}, before}, {{}, after}, {after, after}};
  for (const auto& [prompt, quiet] : steps) {
    for (const auto& packet : adverts) {
      const bool taken = runFilter(routineFilter(prompt, FilterSide::Prompt), packet) != 0 ||
                         runFilter(routineFilter(quiet, FilterSide::Quiet), packet) != 0;
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
  EXPECT_LE(routineFilter(many, FilterSide::Quiet).size(), size_t{BPF_MAXINSNS});
  // The rules past kMaxRoutineAdverts are left out: their adverts stay prompt.
  EXPECT_EQ(
      routed(many, packetOf({.vrid = static_cast<uint8_t>(kMaxRoutineAdverts % 255 + 1),
                             .priority = static_cast<uint8_t>(100 + kMaxRoutineAdverts / 255)})),
      Socket::Prompt);
  EXPECT_EQ(routed(many, packetOf({.vrid = 1, .priority = 100})), Socket::Quiet);
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

TEST(RoutineAdvertForTest, AnythingUnusualHasNone) {
  const InstanceParams p = backupParams();
  EXPECT_FALSE(routineAdvertFor(following("10.0.0.1", 100),
                                p));  // equal: ties per advert
  EXPECT_FALSE(routineAdvertFor(following("10.0.0.1", 90),
                                p));  // nopreempt follows lower
  EXPECT_FALSE(routineAdvertFor(following("fe80::1", 150),
                                p));  // IPv6: no source to match
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

}  // namespace
}  // namespace vigil::vrrp
