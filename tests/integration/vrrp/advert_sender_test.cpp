#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <set>
#include <span>
#include <vector>

#include "core/inet_checksum.h"
#include "core/posix_event_loop.h"
#include "integration/netlink/veth_lab.h"
#include "support/frame_sniffer.h"
#include "support/wait_for.h"
#include "vrrp/ip_header.h"
#include "vrrp/socket.h"

// SocketAdvertSender on a real socket: the advert prepared once goes on the
// wire at every send() as a valid packet (IPv4: the kernel fills in the IP
// id and header checksum), and a new prepare() changes what goes out.
namespace vigil::vrrp {
namespace {

using namespace std::chrono_literals;
using test::Frame;

constexpr size_t kEthernetHeader = 14;

IpAddress ip(const char* text) { return *IpAddress::parse(text); }

VrrpPacket advert(uint8_t priority, const IpAddress& vip) {
  VrrpPacket packet;
  packet.version = 3;
  packet.vrid = 78;
  packet.priority = priority;
  packet.advertInterval = Centiseconds{100};
  packet.addresses = {vip};
  return packet;
}

bool isVrrpOverIpv4(const Frame& f) {
  return f.size() > kEthernetHeader + kIpv4HeaderSize && f[12] == 0x08 && f[13] == 0x00 &&
         f[kEthernetHeader + 9] == kIpProtoVrrp;
}

bool isVrrpOverIpv6(const Frame& f) {
  return f.size() > kEthernetHeader + kIpv6HeaderSize && f[12] == 0x86 && f[13] == 0xdd &&
         f[kEthernetHeader + 6] == kIpProtoVrrp;
}

// A received IPv4 advert: its IP id, its VRRP message and that message's
// priority as decode() reads it (nullopt: the IP header or the advert was
// refused, so the bytes the kernel sent were not a valid advert).
struct Received {
  uint16_t ipId = 0;
  std::vector<uint8_t> vrrp;
  std::optional<uint8_t> priority;
};

Received readIpv4(const Frame& frame) {
  Received out;
  const auto bytes = std::span<const uint8_t>(frame).subspan(kEthernetHeader);
  // parseIpv4 leaves the header checksum to the kernel's receive path,
  // which this capture bypasses: summed here.
  InternetChecksum header;
  header.add(bytes.first(kIpv4HeaderSize));
  if (header.finish() != 0) return out;
  auto packet = parseIpv4(bytes);
  if (!packet) return out;
  out.ipId = packet.value().header.id;
  out.vrrp.assign(packet.value().vrrp.begin(), packet.value().vrrp.end());
  auto decoded = decode(packet.value().vrrp, rxMetaFor(packet.value()));
  if (decoded) out.priority = decoded.value().packet.priority;
  return out;
}

Received readIpv6(const Frame& frame) {
  Received out;
  auto packet = parseIpv6(std::span<const uint8_t>(frame).subspan(kEthernetHeader));
  if (!packet) return out;
  out.vrrp.assign(packet.value().vrrp.begin(), packet.value().vrrp.end());
  RxMeta meta;
  meta.source = packet.value().header.source;
  meta.destination = packet.value().header.destination;
  meta.ttl = packet.value().header.hopLimit;
  auto decoded = decode(packet.value().vrrp, meta);
  if (decoded) out.priority = decoded.value().packet.priority;
  return out;
}

TEST(SocketAdvertSenderTest, SendsThePreparedIpv4AdvertUntilTheNextPrepare) {
  VIGIL_REQUIRE_ROOT();
  test::VethLab lab;
  ASSERT_TRUE(lab.ok);
  ASSERT_EQ(lab.left.exec("ip addr add 10.78.0.1/24 dev va").exitCode, 0);
  std::optional<test::FrameSniffer> sniffer;
  {
    test::NetNsEnter enter(lab.right);
    sniffer.emplace("vb");
  }
  ASSERT_TRUE(sniffer->ok());
  test::NetNsEnter enter(lab.left);
  PosixEventLoop loop;
  auto socket = VrrpSocket::open(loop, "va", AF_INET, {});
  ASSERT_TRUE(socket) << socket.error().describe();
  SocketAdvertSender sender(**socket, {ip("10.78.0.1"), {ip("224.0.0.18")}});
  sender.prepare(advert(100, ip("10.78.0.100")));

  std::vector<Received> received;
  for (int i = 0; i < 3; ++i) {
    Status sent = sender.send();
    ASSERT_TRUE(sent) << sent.error().describe();
    auto frame = sniffer->await(3s, isVrrpOverIpv4);
    ASSERT_TRUE(frame) << "advert " << i << " did not arrive";
    received.push_back(readIpv4(*frame));
  }
  sender.prepare(advert(50, ip("10.78.0.100")));
  ASSERT_TRUE(sender.send());
  auto frame = sniffer->await(3s, isVrrpOverIpv4);
  ASSERT_TRUE(frame) << "the re-prepared advert did not arrive";
  const Received changed = readIpv4(*frame);

  std::set<uint16_t> ids;
  for (const Received& r : received) {
    EXPECT_EQ(r.priority, std::optional<uint8_t>(100));  // header checksum and advert valid
    EXPECT_EQ(r.vrrp, received[0].vrrp);
    ids.insert(r.ipId);
  }
  // The same bytes went down each time; the kernel gave each packet its id.
  EXPECT_GT(ids.size(), 1u);
  EXPECT_EQ(changed.priority, std::optional<uint8_t>(50));
}

TEST(SocketAdvertSenderTest, SendsThePreparedIpv6AdvertUntilTheNextPrepare) {
  VIGIL_REQUIRE_ROOT();
  test::VethLab lab;
  ASSERT_TRUE(lab.ok);
  std::optional<test::FrameSniffer> sniffer;
  {
    test::NetNsEnter enter(lab.right);
    sniffer.emplace("vb");
  }
  ASSERT_TRUE(sniffer->ok());
  test::NetNsEnter enter(lab.left);
  // The link-local source appears once the link is up.
  Result<IpAddress> source = Error{0, "not looked up"};
  test::waitFor(5s, [&] {
    source = interfaceSourceAddress("va", AF_INET6);
    return source.ok();
  });
  ASSERT_TRUE(source) << source.error().describe();
  PosixEventLoop loop;
  auto socket = VrrpSocket::open(loop, "va", AF_INET6, {});
  ASSERT_TRUE(socket) << socket.error().describe();
  SocketAdvertSender sender(**socket, {*source, {ip("ff02::12")}});
  sender.prepare(advert(100, ip("fd00:78::100")));

  std::vector<Received> received;
  for (int i = 0; i < 3; ++i) {
    Status sent = sender.send();
    ASSERT_TRUE(sent) << sent.error().describe();
    auto frame = sniffer->await(3s, isVrrpOverIpv6);
    ASSERT_TRUE(frame) << "advert " << i << " did not arrive";
    received.push_back(readIpv6(*frame));
  }
  sender.prepare(advert(50, ip("fd00:78::100")));
  ASSERT_TRUE(sender.send());
  auto frame = sniffer->await(3s, isVrrpOverIpv6);
  ASSERT_TRUE(frame) << "the re-prepared advert did not arrive";

  for (const Received& r : received) {
    // Hop limit 255, the source prepared, the checksum over both: valid.
    EXPECT_EQ(r.priority, std::optional<uint8_t>(100));
    EXPECT_EQ(r.vrrp, received[0].vrrp);
  }
  EXPECT_EQ(readIpv6(*frame).priority, std::optional<uint8_t>(50));
}

}  // namespace
}  // namespace vigil::vrrp
