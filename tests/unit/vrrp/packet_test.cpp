#include "vrrp/packet.h"

#include <gtest/gtest.h>

#include <array>
#include <random>
#include <set>
#include <tuple>

#include "hex_vectors.h"
#include "vrrp/ip_header.h"
#include "vrrp/ipv4_advert.h"

namespace vigil::vrrp {
namespace {

using testing::bytesFromHex;
using testing::loadHexPackets;

IpAddress ip(const char* text) { return *IpAddress::parse(text); }

RxMeta metaFor(const char* src, const char* dst, uint8_t ttl = kVrrpTtl) {
  RxMeta meta;
  meta.source = ip(src);
  meta.destination = ip(dst);
  meta.ttl = ttl;
  return meta;
}

std::vector<uint8_t> encodeOrDie(const VrrpPacket& p, const ChecksumContext& ctx) {
  std::vector<uint8_t> out(1500);
  auto size = encode(p, out, ctx);
  EXPECT_TRUE(size.ok()) << size.error().describe();
  out.resize(size.ok() ? *size : 0);
  return out;
}

// ---- Hand-built vectors from the RFC layouts ------------------------------
// Checksums worked out independently (RFC 1071 sums in a short script), not
// by this codec.

// RFC 3768 §5.1: ver 2 | type 1, VRID 7, priority 100, count 1, auth type 1
// (simple text), adver int 1 s, checksum, 192.0.2.10, "vigil" zero-padded.
const char* kV2PassHex = "21 07 64 01 01 01 6e 18 c0 00 02 0a 76 69 67 69 6c 00 00 00";

VrrpPacket v2PassPacket() {
  VrrpPacket p;
  p.version = 2;
  p.vrid = 7;
  p.priority = 100;
  p.advertInterval = Centiseconds(100);
  p.authType = AuthType::Pass;
  p.authData = authDataFromPassword("vigil");
  p.addresses = {ip("192.0.2.10")};
  return p;
}

// RFC 5798 §5.1: ver 3 | type 1, VRID 9, priority 200, count 2, rsvd 0 and
// max adver int 150 cs, checksum over the IPv4 pseudo-header
// (192.0.2.100 -> 224.0.0.18, proto 112, length 16).
const char* kV3Ipv4Hex = "31 09 c8 02 00 96 df 61 c0 00 02 01 c0 00 02 02";

VrrpPacket v3Ipv4Packet() {
  VrrpPacket p;
  p.version = 3;
  p.vrid = 9;
  p.priority = 200;
  p.advertInterval = Centiseconds(150);
  p.addresses = {ip("192.0.2.1"), ip("192.0.2.2")};
  return p;
}

// RFC 5798 §5.1 over IPv6: VRID 3, owner priority 255, the largest interval
// 4095 cs, fe80::1; pseudo-header fe80::2 -> ff02::12.
const char* kV3Ipv6Hex = "31 03 ff 01 0f ff c3 59 fe 80 00 00 00 00 00 00 00 00 00 00 00 00 00 01";

VrrpPacket v3Ipv6Packet() {
  VrrpPacket p;
  p.version = 3;
  p.vrid = 3;
  p.priority = 255;
  p.advertInterval = Centiseconds(4095);
  p.addresses = {ip("fe80::1")};
  return p;
}

TEST(VrrpPacketTest, EncodesV2PassFromTheRfcLayout) {
  EXPECT_EQ(encodeOrDie(v2PassPacket(), {ip("192.0.2.100"), ip("224.0.0.18")}),
            bytesFromHex(kV2PassHex));
}

TEST(VrrpPacketTest, DecodesV2Pass) {
  auto d = decode(bytesFromHex(kV2PassHex), metaFor("192.0.2.100", "224.0.0.18"));
  ASSERT_TRUE(d.ok()) << name(d.reject());
  EXPECT_EQ(d->packet, v2PassPacket());
  EXPECT_EQ(d->checksum, ChecksumKind::V2);
}

TEST(VrrpPacketTest, V2ChecksumIgnoresTheAddressesAround) {
  EXPECT_EQ(encodeOrDie(v2PassPacket(), {ip("10.0.0.1"), ip("10.0.0.2")}),
            bytesFromHex(kV2PassHex));
}

TEST(VrrpPacketTest, EncodesV3Ipv4WithPseudoHeader) {
  EXPECT_EQ(encodeOrDie(v3Ipv4Packet(), {ip("192.0.2.100"), ip("224.0.0.18")}),
            bytesFromHex(kV3Ipv4Hex));
}

TEST(VrrpPacketTest, DecodesV3Ipv4) {
  auto d = decode(bytesFromHex(kV3Ipv4Hex), metaFor("192.0.2.100", "224.0.0.18"));
  ASSERT_TRUE(d.ok()) << name(d.reject());
  EXPECT_EQ(d->packet, v3Ipv4Packet());
  EXPECT_EQ(d->checksum, ChecksumKind::PseudoHeader);
}

TEST(VrrpPacketTest, V3ChecksumAsV2LeavesThePseudoHeaderOut) {
  auto bytes = encodeOrDie(v3Ipv4Packet(), {ip("192.0.2.100"), ip("224.0.0.18"), true});
  EXPECT_EQ(bytes[6], 0x82);
  EXPECT_EQ(bytes[7], 0x59);

  RxMeta meta = metaFor("192.0.2.100", "224.0.0.18");
  EXPECT_EQ(decode(bytes, meta).reject(), RejectReason::BadChecksum);
  meta.v3ChecksumAsV2 = true;
  auto d = decode(bytes, meta);
  ASSERT_TRUE(d.ok()) << name(d.reject());
  EXPECT_EQ(d->checksum, ChecksumKind::NoPseudoHeader);
}

TEST(VrrpPacketTest, EncodesAndDecodesV3Ipv6) {
  EXPECT_EQ(encodeOrDie(v3Ipv6Packet(), {ip("fe80::2"), ip("ff02::12")}), bytesFromHex(kV3Ipv6Hex));
  auto d = decode(bytesFromHex(kV3Ipv6Hex), metaFor("fe80::2", "ff02::12"));
  ASSERT_TRUE(d.ok()) << name(d.reject());
  EXPECT_EQ(d->packet, v3Ipv6Packet());
}

TEST(VrrpPacketTest, Ipv6AlwaysUsesThePseudoHeader) {
  // v3_checksum_as_v2 applies to IPv4 only.
  EXPECT_EQ(encodeOrDie(v3Ipv6Packet(), {ip("fe80::2"), ip("ff02::12"), true}),
            bytesFromHex(kV3Ipv6Hex));
}

TEST(VrrpPacketTest, AcceptsLegacyUnicastChecksumOnlyWhenAsked) {
  // keepalived < 1.3.6 summed the multicast group even when sending unicast.
  auto bytes = encodeOrDie(v3Ipv4Packet(), {ip("192.0.2.100"), ip("224.0.0.18")});
  RxMeta meta = metaFor("192.0.2.100", "192.0.2.200");
  EXPECT_EQ(decode(bytes, meta).reject(), RejectReason::BadChecksum);
  meta.legacyPseudoDestination = ip("224.0.0.18");
  auto d = decode(bytes, meta);
  ASSERT_TRUE(d.ok()) << name(d.reject());
  EXPECT_EQ(d->checksum, ChecksumKind::LegacyPseudoHeader);
}

// An independent RFC 1071 sum over the IPv4 pseudo-header and `msg`,
// written into msg's checksum field.
std::vector<uint8_t> withV3Ipv4Checksum(std::vector<uint8_t> msg, const char* src,
                                        const char* dst) {
  msg[6] = msg[7] = 0;
  const IpAddress source = ip(src);
  const IpAddress destination = ip(dst);
  std::vector<uint8_t> all(source.bytes(), source.bytes() + 4);
  all.insert(all.end(), destination.bytes(), destination.bytes() + 4);
  all.insert(all.end(), {0, 112, 0, static_cast<uint8_t>(msg.size())});
  all.insert(all.end(), msg.begin(), msg.end());
  uint32_t sum = 0;
  for (size_t i = 0; i + 1 < all.size(); i += 2)
    sum += static_cast<uint32_t>((all[i] << 8) | all[i + 1]);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  msg[6] = static_cast<uint8_t>(~sum >> 8);
  msg[7] = static_cast<uint8_t>(~sum);
  return msg;
}

TEST(VrrpPacketTest, V3IgnoresReservedBitsOnReceive) {
  auto bytes = bytesFromHex(kV3Ipv4Hex);
  ASSERT_EQ(withV3Ipv4Checksum(bytes, "192.0.2.100", "224.0.0.18"), bytes) << "the helper agrees";
  bytes[4] |= 0xf0;  // rsvd: "MUST be ignored on reception"
  auto d = decode(withV3Ipv4Checksum(bytes, "192.0.2.100", "224.0.0.18"),
                  metaFor("192.0.2.100", "224.0.0.18"));
  ASSERT_TRUE(d.ok()) << name(d.reject());
  EXPECT_EQ(d->packet.advertInterval, Centiseconds(150));
}

// decodeInPlace() leaves the address list in the message; copied out it
// is decode()'s packet.
TEST(VrrpPacketTest, DecodingInPlaceReadsTheListWhereItLies) {
  for (const auto& [packet, src, dst] : {std::tuple{v2PassPacket(), "10.0.0.1", "224.0.0.18"},
                                         std::tuple{v3Ipv4Packet(), "10.0.0.1", "224.0.0.18"},
                                         std::tuple{v3Ipv6Packet(), "fe80::1", "ff02::12"}}) {
    const std::vector<uint8_t> bytes = encodeOrDie(packet, {ip(src), ip(dst)});
    auto view = decodeInPlace(bytes, metaFor(src, dst));
    ASSERT_TRUE(view);
    const AdvertAddresses& list = view->advert.addresses;
    EXPECT_EQ(list.size(), packet.addresses.size());
    EXPECT_EQ(list.bytes().data(), bytes.data() + kVrrpHeaderSize);
    EXPECT_EQ(list.toVector(), packet.addresses);
    EXPECT_EQ(view->advert.toPacket(), packet);
    auto whole = decode(bytes, metaFor(src, dst));
    ASSERT_TRUE(whole);
    EXPECT_EQ(whole->packet, packet);
    EXPECT_EQ(whole->checksum, view->checksum);
  }
}

// The checksum memo answers only for the message that passed, from the
// same source to the same destinations under the same rules, and then as
// the sum would. Every ordered pair of cases goes through one memo; the
// second's result is compared with a decode without it.
TEST(ChecksumMemoTest, AgreesWithTheSumWhereverItAnswers) {
  struct Case {
    std::vector<uint8_t> bytes;
    RxMeta meta;
  };
  const auto v2 = encodeOrDie(v2PassPacket(), {ip("10.0.0.1"), ip("224.0.0.18")});
  const auto v3 = encodeOrDie(v3Ipv4Packet(), {ip("10.0.0.1"), ip("224.0.0.18")});
  const auto v3AsV2 = encodeOrDie(v3Ipv4Packet(), {ip("10.0.0.1"), ip("224.0.0.18"), true});
  const auto v3Unicast = encodeOrDie(v3Ipv4Packet(), {ip("10.0.0.1"), ip("10.0.0.2")});
  const auto v6 = encodeOrDie(v3Ipv6Packet(), {ip("fe80::2"), ip("ff02::12")});
  auto flipped = v3;
  flipped.back() ^= 0x01;  // the sum no longer matches
  auto flippedTail = v2;   // 20 bytes: a change past the last whole word
  flippedTail.back() ^= 0x01;
  RxMeta asV2 = metaFor("10.0.0.1", "224.0.0.18");
  asV2.v3ChecksumAsV2 = true;
  RxMeta legacy = metaFor("10.0.0.1", "10.0.0.2");
  legacy.legacyPseudoDestination = ip("224.0.0.18");
  RxMeta otherLegacy = legacy;
  otherLegacy.legacyPseudoDestination = ip("224.0.0.19");
  const std::vector<Case> cases = {
      {v2, metaFor("10.0.0.1", "224.0.0.18")},
      {v2, metaFor("10.0.0.9", "224.0.0.18")},  // v2 sums the message alone: passes
      {v3, metaFor("10.0.0.1", "224.0.0.18")},
      {v3, metaFor("10.0.0.9", "224.0.0.18")},  // another source: fails
      {v3, metaFor("10.0.0.1", "224.0.0.19")},  // another destination: fails
      {v3, asV2},                               // v3 bytes summed as v2: fails
      {v3AsV2, asV2},
      {v3AsV2, metaFor("10.0.0.1", "224.0.0.18")},
      {flipped, metaFor("10.0.0.1", "224.0.0.18")},
      {flippedTail, metaFor("10.0.0.1", "224.0.0.18")},
      {v3Unicast, metaFor("10.0.0.1", "10.0.0.2")},
      {v3, legacy},  // matches the legacy destination only
      {v3, otherLegacy},
      {v3Unicast, legacy},
      {v6, metaFor("fe80::2", "ff02::12")},
      {v6, metaFor("fe80::3", "ff02::12")},
  };
  size_t answered = 0;
  for (const Case& first : cases) {
    for (const Case& second : cases) {
      ChecksumMemo memo;
      (void)decodeInPlace(first.bytes, first.meta, &memo);
      const bool memoAnswers = memo.find(second.bytes, second.meta).has_value();
      auto viaMemo = decodeInPlace(second.bytes, second.meta, &memo);
      auto summed = decodeInPlace(second.bytes, second.meta);
      ASSERT_EQ(viaMemo.ok(), summed.ok());
      if (!summed) {
        EXPECT_EQ(viaMemo.reject(), summed.reject());
        EXPECT_FALSE(memoAnswers) << "a message that fails is never answered for";
        continue;
      }
      EXPECT_EQ(viaMemo->checksum, summed->checksum);
      EXPECT_EQ(viaMemo->advert.toPacket(), summed->advert.toPacket());
      answered += memoAnswers ? 1 : 0;
    }
  }
  // The shortcut was taken, and only for a case after itself.
  EXPECT_EQ(answered, 8u) << "each of the 8 passing cases, after itself";
}

TEST(ChecksumMemoTest, ABadChecksumAfterTheSameAdvertIsStillCounted) {
  ChecksumMemo memo;
  const RxMeta meta = metaFor("10.0.0.1", "224.0.0.18");
  auto good = encodeOrDie(v3Ipv4Packet(), {meta.source, meta.destination});
  ASSERT_TRUE(decodeInPlace(good, meta, &memo));
  ASSERT_TRUE(memo.find(good, meta).has_value());
  auto bad = good;
  bad[2] = 201;  // another priority under the old checksum
  EXPECT_EQ(decodeInPlace(bad, meta, &memo).reject(), RejectReason::BadChecksum);
  // The failure is not remembered; the good advert still is.
  EXPECT_FALSE(memo.find(bad, meta).has_value());
  EXPECT_TRUE(decodeInPlace(good, meta, &memo));
}

TEST(VrrpPacketTest, EncodedSizes) {
  EXPECT_EQ(encodedSize(v2PassPacket(), AF_INET), 20u);
  EXPECT_EQ(encodedSize(v3Ipv4Packet(), AF_INET), 16u);
  EXPECT_EQ(encodedSize(v3Ipv6Packet(), AF_INET6), 24u);
}

// ---- Encode refuses what the wire cannot carry ----------------------------

TEST(VrrpPacketEncodeTest, RefusesUnrepresentablePackets) {
  std::vector<uint8_t> out(4096);
  const ChecksumContext v4{ip("192.0.2.100"), ip("224.0.0.18")};

  VrrpPacket p = v2PassPacket();
  p.advertInterval = Centiseconds(150);
  EXPECT_FALSE(encode(p, out, v4).ok()) << "v2 carries whole seconds only";
  p.advertInterval = Centiseconds(25600);
  EXPECT_FALSE(encode(p, out, v4).ok()) << "v2 interval above 255 s";

  p = v3Ipv4Packet();
  p.advertInterval = Centiseconds(4096);
  EXPECT_FALSE(encode(p, out, v4).ok()) << "v3 interval is 12 bits";

  p = v3Ipv4Packet();
  p.addresses.push_back(ip("2001:db8::1"));
  EXPECT_FALSE(encode(p, out, v4).ok()) << "mixed families";

  p = v2PassPacket();
  p.addresses = {ip("fe80::1")};
  EXPECT_FALSE(encode(p, out, {ip("fe80::2"), ip("ff02::12")}).ok()) << "v2 is IPv4 only";

  p = v3Ipv4Packet();
  p.addresses.assign(256, ip("192.0.2.1"));
  EXPECT_FALSE(encode(p, out, v4).ok()) << "count is 8 bits";

  p = v3Ipv4Packet();
  std::vector<uint8_t> small(15);
  EXPECT_FALSE(encode(p, small, v4).ok());
  EXPECT_FALSE(encode(p, out, {}).ok()) << "no source address";
  EXPECT_FALSE(encode(p, out, {ip("192.0.2.100"), {}}).ok()) << "no pseudo-header destination";
}

// ---- Golden vectors captured from keepalived 2.2.7 ------------------------

struct CapturedV4 {
  Ipv4Packet ip;
  DecodedAdvert advert;
};

CapturedV4 decodeCapturedV4(const std::vector<uint8_t>& bytes) {
  auto parsed = parseIpv4(bytes);
  EXPECT_TRUE(parsed.ok()) << name(parsed.reject());
  if (!parsed) return {};
  auto d = decode(parsed->vrrp, rxMetaFor(*parsed));
  EXPECT_TRUE(d.ok()) << name(d.reject());
  if (!d) return {};
  return {*parsed, *d};
}

// Re-encodes a captured IPv4 advert from its decoded fields and checks the
// result is the captured packet, byte for byte.
void expectIpv4RoundTrip(const std::vector<uint8_t>& bytes, const Ipv4AdvertOptions& options = {}) {
  CapturedV4 c = decodeCapturedV4(bytes);
  std::vector<uint8_t> out(1500);
  Ipv4AdvertOptions opts = options;
  if (c.ip.ah) opts.ahSequence = c.ip.ah->sequence;
  auto size = encodeIpv4Advert(c.ip.header, c.advert.packet, out, opts);
  ASSERT_TRUE(size.ok()) << size.error().describe();
  out.resize(*size);
  EXPECT_EQ(out, bytes);
}

TEST(VrrpCaptureTest, KeepalivedV2Pass) {
  auto packets = loadHexPackets("v2_pass.hex");
  ASSERT_EQ(packets.size(), 3u);
  CapturedV4 c = decodeCapturedV4(packets[0]);
  EXPECT_EQ(c.ip.header.source, ip("10.9.0.1"));
  EXPECT_EQ(c.ip.header.destination, ip("224.0.0.18"));
  EXPECT_EQ(c.ip.header.ttl, 255);
  EXPECT_EQ(c.ip.header.tos, 0xc0);
  const VrrpPacket& p = c.advert.packet;
  EXPECT_EQ(p.version, 2);
  EXPECT_EQ(p.vrid, 51);
  EXPECT_EQ(p.priority, 150);
  EXPECT_EQ(p.advertInterval, Centiseconds(100));
  EXPECT_EQ(p.authType, AuthType::Pass);
  EXPECT_EQ(p.authData, authDataFromPassword("secret12"));
  EXPECT_EQ(p.addresses, std::vector<IpAddress>{ip("10.9.0.100")});
  // The last packet is the priority-0 advert keepalived sends on SIGTERM.
  EXPECT_EQ(decodeCapturedV4(packets[2]).advert.packet.priority, 0);
  for (const auto& bytes : packets) expectIpv4RoundTrip(bytes);
}

TEST(VrrpCaptureTest, KeepalivedV2NoAuthThreeAddresses) {
  auto packets = loadHexPackets("v2_noauth.hex");
  ASSERT_EQ(packets.size(), 3u);
  const VrrpPacket p = decodeCapturedV4(packets[0]).advert.packet;
  EXPECT_EQ(p.vrid, 52);
  EXPECT_EQ(p.priority, 200);
  EXPECT_EQ(p.advertInterval, Centiseconds(200));
  EXPECT_EQ(p.authType, AuthType::None);
  EXPECT_EQ(p.authData, AuthData{});
  EXPECT_EQ(p.addresses,
            (std::vector<IpAddress>{ip("10.9.0.101"), ip("10.9.0.102"), ip("192.168.77.1")}));
  EXPECT_EQ(decodeCapturedV4(packets[2]).advert.packet.priority, 0);
  for (const auto& bytes : packets) expectIpv4RoundTrip(bytes);
}

TEST(VrrpCaptureTest, KeepalivedV2AuthenticationHeader) {
  auto packets = loadHexPackets("v2_ah.hex");
  ASSERT_EQ(packets.size(), 3u);
  const AuthData key = authDataFromPassword("ahkey");
  for (size_t i = 0; i < packets.size(); ++i) {
    CapturedV4 c = decodeCapturedV4(packets[i]);
    EXPECT_EQ(c.ip.header.protocol, kIpProtoAh);
    ASSERT_TRUE(c.ip.ah.has_value());
    EXPECT_EQ(c.ip.ah->nextHeader, kIpProtoVrrp);
    EXPECT_EQ(c.ip.ah->payloadLength, 4);
    EXPECT_EQ(c.ip.ah->spi, 0x0a090001u) << "SPI is the sender's address";
    EXPECT_EQ(c.ip.ah->sequence, i + 1) << "sequence counts adverts from 1";
    EXPECT_EQ(c.advert.packet.authType, AuthType::Ah);
    EXPECT_EQ(c.advert.packet.authData, AuthData{}) << "AH leaves the VRRP auth data zero";
    EXPECT_TRUE(verifyAh(packets[i], key));
    EXPECT_FALSE(verifyAh(packets[i], authDataFromPassword("ahkez")));
    expectIpv4RoundTrip(packets[i], Ipv4AdvertOptions{false, 0, key});
  }
}

TEST(VrrpCaptureTest, AhDetectsTamperingButNotMutableFields) {
  auto bytes = loadHexPackets("v2_ah.hex").at(0);
  const AuthData key = authDataFromPassword("ahkey");
  auto tampered = bytes;
  tampered[bytes.size() - 9] ^= 1;  // the VIP's last byte
  EXPECT_FALSE(verifyAh(tampered, key));
  // TOS is mutable in transit and left out of the ICV (the header checksum
  // must follow for parseIpv4 to accept it).
  auto retos = bytes;
  Ipv4Header h = parseIpv4(bytes)->header;
  h.tos = 0;
  ASSERT_TRUE(encodeIpv4Header(h, retos).ok());
  EXPECT_TRUE(verifyAh(retos, key));
}

// keepalived drops AH adverts whose sequence number is not above the last
// it accepted (interop: VigilMasterV2Ipv4MulticastAh restarts vigild after
// a SIGKILL), so each run starts above where the one before could be.
TEST(AhSequenceTest, FirstSequenceGrowsTwiceAsFastAsTheWallClock) {
  using std::chrono::seconds;
  EXPECT_EQ(firstAhSequence(seconds(0)), 0u);
  EXPECT_EQ(firstAhSequence(seconds(1577836800)), 0u);           // 2020-01-01
  EXPECT_EQ(firstAhSequence(seconds(1795219200)), 434764800u);   // 2026-11-21
  EXPECT_EQ(firstAhSequence(seconds(1795219201)), 434764802u);   // one second on
  EXPECT_EQ(firstAhSequence(seconds(3723753600)), 4291833600u);  // 2088-01-01: still fits
}

TEST(VrrpCaptureTest, KeepalivedV3Ipv4CentisecondInterval) {
  auto packets = loadHexPackets("v3_ipv4.hex");
  ASSERT_GE(packets.size(), 3u);
  CapturedV4 c = decodeCapturedV4(packets[0]);
  const VrrpPacket& p = c.advert.packet;
  EXPECT_EQ(p.version, 3);
  EXPECT_EQ(p.vrid, 54);
  EXPECT_EQ(p.priority, 100);
  EXPECT_EQ(p.advertInterval, Centiseconds(25));
  EXPECT_EQ(p.addresses, (std::vector<IpAddress>{ip("10.9.0.104"), ip("10.9.0.105")}));
  EXPECT_EQ(c.advert.checksum, ChecksumKind::PseudoHeader);
  EXPECT_EQ(decodeCapturedV4(packets.back()).advert.packet.priority, 0);
  for (const auto& bytes : packets) expectIpv4RoundTrip(bytes);
}

TEST(VrrpCaptureTest, KeepalivedV3UnicastSumsThePeerAddress) {
  auto packets = loadHexPackets("v3_unicast.hex");
  ASSERT_EQ(packets.size(), 3u);
  CapturedV4 c = decodeCapturedV4(packets[0]);
  EXPECT_EQ(c.ip.header.destination, ip("10.9.0.2"));
  EXPECT_EQ(c.advert.packet.vrid, 56);
  EXPECT_EQ(c.advert.packet.priority, 90);
  EXPECT_EQ(c.advert.checksum, ChecksumKind::PseudoHeader);
  for (const auto& bytes : packets) expectIpv4RoundTrip(bytes);
}

TEST(VrrpCaptureTest, KeepalivedV3Ipv6LinkLocal) {
  auto packets = loadHexPackets("v3_ipv6.hex");
  ASSERT_EQ(packets.size(), 3u);
  for (const auto& bytes : packets) {
    auto parsed = parseIpv6(bytes);
    ASSERT_TRUE(parsed.ok()) << name(parsed.reject());
    const Ipv6Header& h = parsed->header;
    EXPECT_TRUE(h.source.isLinkLocal());
    EXPECT_EQ(h.destination, ip("ff02::12"));
    RxMeta meta;
    meta.source = h.source;
    meta.destination = h.destination;
    meta.ttl = h.hopLimit;
    auto d = decode(parsed->vrrp, meta);
    ASSERT_TRUE(d.ok()) << name(d.reject());
    EXPECT_EQ(d->packet.vrid, 55);
    EXPECT_EQ(d->packet.advertInterval, Centiseconds(100));
    EXPECT_EQ(d->packet.addresses, (std::vector<IpAddress>{ip("fe80::55"), ip("2001:db8::55")}));

    std::vector<uint8_t> out(1500);
    ASSERT_TRUE(encodeIpv6Header(h, out).ok());
    auto size =
        encode(d->packet, std::span(out).subspan(kIpv6HeaderSize), {h.source, h.destination});
    ASSERT_TRUE(size.ok()) << size.error().describe();
    out.resize(kIpv6HeaderSize + *size);
    EXPECT_EQ(out, bytes);
  }
  EXPECT_EQ(decode(parseIpv6(packets[2])->vrrp,
                   RxMeta{parseIpv6(packets[2])->header.source, ip("ff02::12"), 255})
                ->packet.priority,
            0);
}

// ---- Every wire reject reason ---------------------------------------------

RejectReason rejectOf(const std::vector<uint8_t>& payload, const RxMeta& meta) {
  auto d = decode(payload, meta);
  EXPECT_FALSE(d.ok());
  return d.ok() ? RejectReason::VridMismatch : d.reject();
}

std::vector<uint8_t> withV2Checksum(std::vector<uint8_t> msg) {
  msg[6] = msg[7] = 0;
  uint32_t sum = 0;
  for (size_t i = 0; i + 1 < msg.size(); i += 2)
    sum += static_cast<uint32_t>((msg[i] << 8) | msg[i + 1]);
  if (msg.size() % 2) sum += static_cast<uint32_t>(msg.back() << 8);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  msg[6] = static_cast<uint8_t>(~sum >> 8);
  msg[7] = static_cast<uint8_t>(~sum);
  return msg;
}

class VrrpRejectTest : public ::testing::Test {
 protected:
  std::vector<uint8_t> v2_ = bytesFromHex(kV2PassHex);
  RxMeta meta_ = metaFor("192.0.2.100", "224.0.0.18");
};

TEST_F(VrrpRejectTest, TooShort) {
  EXPECT_EQ(rejectOf({0x21, 0x07, 0x64}, meta_), RejectReason::TooShort);
  EXPECT_EQ(rejectOf({}, meta_), RejectReason::TooShort);
}

TEST_F(VrrpRejectTest, BadTtl) {
  meta_.ttl = 254;
  EXPECT_EQ(rejectOf(v2_, meta_), RejectReason::BadTtl);
  // A unicast peer's min_ttl/max_ttl widen the range.
  meta_.minTtl = 250;
  EXPECT_TRUE(decode(v2_, meta_).ok());
  meta_.maxTtl = 254;
  meta_.ttl = 255;
  EXPECT_EQ(rejectOf(v2_, meta_), RejectReason::BadTtl);
}

TEST_F(VrrpRejectTest, BadVersion) {
  for (uint8_t version : {0, 1, 4, 15}) {
    auto bytes = v2_;
    bytes[0] = static_cast<uint8_t>((version << 4) | 1);
    EXPECT_EQ(rejectOf(withV2Checksum(bytes), meta_), RejectReason::BadVersion) << int(version);
  }
  // Version 2 is IPv4 only.
  auto v2OverV6 = bytesFromHex(
      "21 03 ff 01 01 01 00 00 fe 80 00 00 00 00 00 00 00 00 00 00 00 00 00 01 00 00 00 00 00 00 "
      "00 00");
  EXPECT_EQ(rejectOf(v2OverV6, metaFor("fe80::2", "ff02::12")), RejectReason::BadVersion);
}

TEST_F(VrrpRejectTest, BadType) {
  v2_[0] = 0x22;
  EXPECT_EQ(rejectOf(withV2Checksum(v2_), meta_), RejectReason::BadType);
}

TEST_F(VrrpRejectTest, BadInterval) {
  v2_[5] = 0;
  EXPECT_EQ(rejectOf(withV2Checksum(v2_), meta_), RejectReason::BadInterval);
  auto v3 = bytesFromHex(kV3Ipv4Hex);
  v3[4] = 0;
  v3[5] = 0;
  EXPECT_EQ(rejectOf(v3, meta_), RejectReason::BadInterval);
}

TEST_F(VrrpRejectTest, AddressCountMismatch) {
  auto more = v2_;
  more[3] = 2;  // claims two addresses, carries one
  EXPECT_EQ(rejectOf(withV2Checksum(more), meta_), RejectReason::AddressCountMismatch);
  auto trailing = v2_;
  trailing.insert(trailing.end(), {0, 0, 0, 0});
  EXPECT_EQ(rejectOf(withV2Checksum(trailing), meta_), RejectReason::AddressCountMismatch);
  auto noAuthData = v2_;
  noAuthData.resize(12);  // v2 without its 8 bytes of auth data
  EXPECT_EQ(rejectOf(withV2Checksum(noAuthData), meta_), RejectReason::AddressCountMismatch);
}

TEST_F(VrrpRejectTest, BadChecksum) {
  for (size_t i = 0; i < v2_.size(); ++i) {
    if (i == 0 || i == 3 || i == 4 || i == 5) continue;  // would fail an earlier check
    auto bytes = v2_;
    bytes[i] ^= 0x10;
    EXPECT_EQ(rejectOf(bytes, meta_), RejectReason::BadChecksum) << "byte " << i;
  }
  // v3: the pseudo-header's addresses are covered too.
  auto v3 = bytesFromHex(kV3Ipv4Hex);
  EXPECT_EQ(rejectOf(v3, metaFor("192.0.2.101", "224.0.0.18")), RejectReason::BadChecksum);
  EXPECT_EQ(rejectOf(v3, metaFor("192.0.2.100", "224.0.0.19")), RejectReason::BadChecksum);
}

TEST_F(VrrpRejectTest, BadAuthType) {
  auto unknown = v2_;
  unknown[4] = 3;
  EXPECT_EQ(rejectOf(withV2Checksum(unknown), meta_), RejectReason::BadAuthType);

  auto ahWithoutHeader = v2_;
  ahWithoutHeader[4] = static_cast<uint8_t>(AuthType::Ah);
  EXPECT_EQ(rejectOf(withV2Checksum(ahWithoutHeader), meta_), RejectReason::BadAuthType);

  RxMeta behindAh = meta_;
  behindAh.ahPresent = true;
  EXPECT_EQ(rejectOf(v2_, behindAh), RejectReason::BadAuthType)
      << "PASS advert behind an AH header";
  behindAh.destination = ip("224.0.0.18");
  EXPECT_EQ(rejectOf(bytesFromHex(kV3Ipv4Hex), behindAh), RejectReason::BadAuthType)
      << "v3 has no AH";
}

TEST_F(VrrpRejectTest, DecodeNeedsAFamily) {
  EXPECT_EQ(rejectOf(v2_, RxMeta{}), RejectReason::BadIpHeader);
}

// ---- The IPv4 / IPv6 / AH layers ------------------------------------------

class IpLayerRejectTest : public ::testing::Test {
 protected:
  std::vector<uint8_t> v4_ = loadHexPackets("v2_pass.hex").at(0);
  std::vector<uint8_t> ah_ = loadHexPackets("v2_ah.hex").at(0);
  std::vector<uint8_t> v6_ = loadHexPackets("v3_ipv6.hex").at(0);

  // Rewrites the IPv4 header checksum after an edit.
  static void resum(std::vector<uint8_t>& b) {
    b[10] = b[11] = 0;
    uint32_t sum = 0;
    const size_t ihl = static_cast<size_t>(b[0] & 0x0f) * 4;
    for (size_t i = 0; i < ihl && i + 1 < b.size(); i += 2)
      sum += static_cast<uint32_t>((b[i] << 8) | b[i + 1]);
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    b[10] = static_cast<uint8_t>(~sum >> 8);
    b[11] = static_cast<uint8_t>(~sum);
  }
};

TEST_F(IpLayerRejectTest, Ipv4Header) {
  EXPECT_EQ(parseIpv4(std::span(v4_).first(19)).reject(), RejectReason::TooShort);

  auto b = v4_;
  b[0] = 0x55;
  resum(b);
  EXPECT_EQ(parseIpv4(b).reject(), RejectReason::BadIpHeader) << "version 5";
  b = v4_;
  b[0] = 0x44;
  EXPECT_EQ(parseIpv4(b).reject(), RejectReason::BadIpHeader) << "IHL 4";
  b = v4_;
  b[0] = 0x4f;
  resum(b);
  EXPECT_EQ(parseIpv4(b).reject(), RejectReason::BadIpHeader) << "IHL past the packet";
  b = v4_;
  b[3] = static_cast<uint8_t>(b[3] + 1);
  resum(b);
  EXPECT_EQ(parseIpv4(b).reject(), RejectReason::BadIpHeader) << "total length past the data";
  b = v4_;
  b[6] = 0x20;  // more fragments
  resum(b);
  EXPECT_EQ(parseIpv4(b).reject(), RejectReason::BadIpHeader) << "fragment";
  b = v4_;
  b[9] = 17;
  resum(b);
  EXPECT_EQ(parseIpv4(b).reject(), RejectReason::BadIpProtocol);
}

// readIpv4Advert() is the receive path's parseIpv4() + rxMetaFor(): for
// the captures (with and without AH) and every one-byte edit of their
// first 48 bytes, each truncation, and the edits above, both accept or
// reject alike, with the same reason, message and meta.
TEST_F(IpLayerRejectTest, ReadingAnAdvertAgreesWithParsingThePacket) {
  std::vector<std::vector<uint8_t>> packets;
  for (const auto& base : {v4_, ah_}) {
    packets.push_back(base);
    for (size_t size = 0; size < base.size(); ++size) {
      packets.emplace_back(base.begin(), base.begin() + static_cast<ptrdiff_t>(size));
    }
    for (size_t at = 0; at < std::min<size_t>(48, base.size()); ++at) {
      for (uint8_t value : {0x00, 0x01, 0x20, 0x33, 0x45, 0x4f, 0x70, 0xff}) {
        auto b = base;
        b[at] = value;
        packets.push_back(b);
      }
    }
  }
  size_t accepted = 0;
  size_t rejected = 0;
  for (const auto& b : packets) {
    auto parsed = parseIpv4(b);
    RxMeta meta;
    meta.minTtl = 7;  // not readIpv4Advert's to touch
    auto read = readIpv4Advert(b, meta);
    ASSERT_EQ(read.ok(), parsed.ok());
    if (!parsed) {
      EXPECT_EQ(read.reject(), parsed.reject());
      ++rejected;
      continue;
    }
    ++accepted;
    EXPECT_EQ(read->data(), parsed->vrrp.data());
    EXPECT_EQ(read->size(), parsed->vrrp.size());
    const RxMeta expected = rxMetaFor(*parsed);
    EXPECT_EQ(meta.source, expected.source);
    EXPECT_EQ(meta.destination, expected.destination);
    EXPECT_EQ(meta.ttl, expected.ttl);
    EXPECT_EQ(meta.ahPresent, expected.ahPresent);
    EXPECT_EQ(meta.minTtl, 7);
  }
  EXPECT_GT(accepted, 100u);
  EXPECT_GT(rejected, 100u);
}

// The kernel drops an IPv4 header with a wrong checksum before a raw socket
// sees it (ip_rcv), so parseIpv4 does not sum it again.
TEST_F(IpLayerRejectTest, Ipv4HeaderChecksumIsTheKernelsToVerify) {
  auto b = v4_;
  b[11] ^= 1;
  auto parsed = parseIpv4(b);
  ASSERT_TRUE(parsed.ok());
  EXPECT_TRUE(decode(parsed->vrrp, rxMetaFor(*parsed)).ok());
}

TEST_F(IpLayerRejectTest, Ipv4TrailingBytesBeyondTotalLengthAreIgnored) {
  auto padded = v4_;
  padded.insert(padded.end(), 6, 0);  // Ethernet minimum-frame padding
  auto parsed = parseIpv4(padded);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->vrrp.size(), 20u);
  EXPECT_TRUE(decode(parsed->vrrp, rxMetaFor(*parsed)).ok());
}

TEST_F(IpLayerRejectTest, AhHeader) {
  auto b = ah_;
  b[20] = 17;  // next header
  EXPECT_EQ(parseIpv4(b).reject(), RejectReason::BadAhHeader);
  b = ah_;
  b[21] = 5;  // payload length other than a 96-bit ICV
  EXPECT_EQ(parseIpv4(b).reject(), RejectReason::BadAhHeader);
  b = ah_;
  b.resize(40);
  b[2] = 0;
  b[3] = 40;
  resum(b);
  EXPECT_EQ(parseIpv4(b).reject(), RejectReason::TooShort) << "AH cut short";
  EXPECT_FALSE(computeAhIcv(v4_, AuthData{}).has_value()) << "no AH header";
  EXPECT_FALSE(verifyAh(v4_, AuthData{}));
}

TEST_F(IpLayerRejectTest, Ipv6Header) {
  EXPECT_EQ(parseIpv6(std::span(v6_).first(39)).reject(), RejectReason::TooShort);
  auto b = v6_;
  b[0] = 0x4c;
  EXPECT_EQ(parseIpv6(b).reject(), RejectReason::BadIpHeader);
  b = v6_;
  b[5] = static_cast<uint8_t>(b[5] + 1);
  EXPECT_EQ(parseIpv6(b).reject(), RejectReason::BadIpHeader) << "payload length past the data";
  b = v6_;
  b[6] = 0;  // hop-by-hop options: extension headers are not parsed
  EXPECT_EQ(parseIpv6(b).reject(), RejectReason::BadIpProtocol);
}

TEST(RejectReasonTest, NamesAreDistinctLabels) {
  std::set<std::string_view> names;
  for (size_t i = 0; i < kRejectReasonCount; ++i) {
    auto label = name(static_cast<RejectReason>(i));
    EXPECT_NE(label, "unknown");
    EXPECT_EQ(label.find_first_not_of("abcdefghijklmnopqrstuvwxyz_"), std::string_view::npos)
        << label;
    names.insert(label);
  }
  EXPECT_EQ(names.size(), kRejectReasonCount);
  EXPECT_EQ(name(RejectReason::BadTtl), "bad_ttl");
}

// ---- Untrusted input never crashes ----------------------------------------

// Whatever decode accepts must survive encode -> decode unchanged.
void expectStableIfAccepted(std::span<const uint8_t> payload, const RxMeta& meta) {
  auto d = decode(payload, meta);
  if (!d) return;
  std::vector<uint8_t> out(2048);
  ChecksumContext ctx{meta.source, meta.destination, meta.v3ChecksumAsV2};
  auto size = encode(d->packet, out, ctx);
  ASSERT_TRUE(size.ok()) << size.error().describe();
  auto again = decode(std::span(out).first(*size), meta);
  ASSERT_TRUE(again.ok()) << name(again.reject());
  EXPECT_EQ(again->packet, d->packet);
}

TEST(VrrpFuzzishTest, TruncationsAndBitFlipsOfEveryCaptureNeverCrash) {
  std::mt19937 rng(20240607);
  for (const char* file : {"v2_pass.hex", "v2_noauth.hex", "v2_ah.hex", "v3_ipv4.hex",
                           "v3_unicast.hex", "v3_ipv6.hex"}) {
    for (const auto& packet : loadHexPackets(file)) {
      const bool v6 = (packet[0] >> 4) == 6;
      for (size_t len = 0; len <= packet.size(); ++len) {
        std::span<const uint8_t> cut(packet.data(), len);
        if (v6) {
          if (auto p = parseIpv6(cut))
            expectStableIfAccepted(
                p->vrrp, RxMeta{p->header.source, p->header.destination, p->header.hopLimit});
        } else if (auto p = parseIpv4(cut)) {
          expectStableIfAccepted(p->vrrp, rxMetaFor(*p));
          (void)verifyAh(cut, AuthData{});
        }
        expectStableIfAccepted(cut, metaFor("10.9.0.1", "224.0.0.18"));
        expectStableIfAccepted(cut, metaFor("fe80::1", "ff02::12"));
      }
      for (int round = 0; round < 300; ++round) {
        auto mutated = packet;
        const int flips = 1 + static_cast<int>(rng() % 4);
        for (int f = 0; f < flips; ++f)
          mutated[rng() % mutated.size()] ^= static_cast<uint8_t>(1u << (rng() % 8));
        if (auto p = parseIpv4(mutated)) expectStableIfAccepted(p->vrrp, rxMetaFor(*p));
        if (auto p = parseIpv6(mutated))
          expectStableIfAccepted(
              p->vrrp, RxMeta{p->header.source, p->header.destination, p->header.hopLimit});
      }
    }
  }
}

TEST(VrrpFuzzishTest, RandomPayloadsNeverCrash) {
  std::mt19937 rng(7);
  RxMeta v4 = metaFor("10.9.0.1", "224.0.0.18");
  RxMeta v6 = metaFor("fe80::1", "ff02::12");
  for (int i = 0; i < 20000; ++i) {
    std::vector<uint8_t> bytes(rng() % 80);
    for (auto& b : bytes) b = static_cast<uint8_t>(rng());
    if (!bytes.empty())
      bytes[0] = static_cast<uint8_t>((bytes[0] & 0x0f) | (rng() % 2 ? 0x20 : 0x30));
    expectStableIfAccepted(bytes, v4);
    expectStableIfAccepted(bytes, v6);
    (void)parseIpv4(bytes);
    (void)parseIpv6(bytes);
  }
}

}  // namespace
}  // namespace vigil::vrrp
