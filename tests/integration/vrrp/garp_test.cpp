#include <gtest/gtest.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <chrono>
#include <functional>
#include <optional>
#include <thread>
#include <vector>

#include "core/posix_event_loop.h"
#include "core/unique_fd.h"
#include "fakes/run_until.h"
#include "integration/netlink/veth_lab.h"
#include "support/frame_sniffer.h"
#include "vrrp/garp_sender.h"
#include "vrrp/gratuitous.h"
#include "vrrp/instance_runtime.h"
#include "vrrp/runtime_netlink.h"
#include "vrrp/runtime_params.h"

namespace vigil::vrrp {
namespace {

using namespace std::chrono_literals;
using test::Frame;
using Sniffer = test::FrameSniffer;

bool isArp(const Frame& f) { return f.size() >= 42 && f[12] == 0x08 && f[13] == 0x06; }

// Ethernet + IPv6 header (40) + ICMPv6 type 136.
bool isNeighbourAdvert(const Frame& f) {
  return f.size() >= 14 + 40 + 32 && f[12] == 0x86 && f[13] == 0xdd && f[14 + 6] == 58 &&
         f[14 + 40] == 136;
}

TEST(GratuitousSender, ArpArrivesOnThePeer) {
  VIGIL_REQUIRE_ROOT();
  test::VethLab lab;
  ASSERT_TRUE(lab.ok);
  std::optional<Sniffer> sniffer;
  {
    test::NetNsEnter enter(lab.right);
    sniffer.emplace("vb");
  }
  ASSERT_TRUE(sniffer->ok());
  test::NetNsEnter enter(lab.left);
  auto sender = SocketGratuitousSender::create();
  ASSERT_TRUE(sender) << sender.error().describe();
  MacAddress mac = virtualMac(AF_INET, 42);
  IpAddress vip = *IpAddress::parse("10.77.3.1");
  int ifindex = static_cast<int>(if_nametoindex("va"));
  Status sent = sender->sendArp(ifindex, mac, vip);
  ASSERT_TRUE(sent) << sent.error().describe();

  auto frame = sniffer->await(3s, isArp);
  ASSERT_TRUE(frame) << "no ARP frame arrived";
  auto expected = buildGratuitousArp(mac, vip);
  EXPECT_EQ(Frame(frame->begin(), frame->begin() + 42), Frame(expected.begin(), expected.end()));
}

TEST(GratuitousSender, NeighbourAdvertArrivesOnThePeer) {
  VIGIL_REQUIRE_ROOT();
  test::VethLab lab;
  ASSERT_TRUE(lab.ok);
  std::optional<Sniffer> sniffer;
  {
    test::NetNsEnter enter(lab.right);
    sniffer.emplace("vb");
  }
  ASSERT_TRUE(sniffer->ok());
  test::NetNsEnter enter(lab.left);
  auto sender = SocketGratuitousSender::create();
  ASSERT_TRUE(sender) << sender.error().describe();
  int ifindex = static_cast<int>(if_nametoindex("va"));
  auto mac = interfaceMac(ifindex);
  ASSERT_TRUE(mac) << mac.error().describe();
  IpAddress vip = *IpAddress::parse("fd00:77::1");

  // The link-local source appears once the link is up; until then the
  // kernel refuses to send, so retry within a bound.
  std::optional<Frame> frame;
  for (int attempt = 0; attempt < 20 && !frame; ++attempt) {
    Status sent = sender->sendNa(ifindex, *mac, vip);
    if (!sent) {
      std::this_thread::sleep_for(100ms);
      continue;
    }
    frame = sniffer->await(500ms, isNeighbourAdvert);
  }
  ASSERT_TRUE(frame) << "no neighbour advertisement arrived";

  const uint8_t* ip6 = frame->data() + 14;
  EXPECT_EQ(ip6[7], 255) << "hop limit";
  EXPECT_EQ(IpAddress::fromBytes(AF_INET6, ip6 + 24), allNodesMulticast());
  // Byte for byte what the builder makes for the source the kernel chose,
  // which also proves the kernel's checksum matches ours.
  auto expected = buildUnsolicitedNa(*mac, vip, IpAddress::fromBytes(AF_INET6, ip6 + 8));
  EXPECT_EQ(Frame(frame->begin() + 54, frame->begin() + 54 + 32),
            Frame(expected.begin(), expected.end()));
}

class DiscardingSender final : public AdvertSender {
 public:
  void prepare(const VrrpPacket&) override {}
  Status send() override { return {}; }
};

// The schedule on a real loop and the real announcer: garp_master_repeat 3
// spaced by vrrp_garp_interval puts exactly three ARPs for the VIP on the
// wire, and nothing more while it stays MASTER.
TEST(GratuitousSchedule, RepeatOfThreePutsThreeArpsOnTheWire) {
  VIGIL_REQUIRE_ROOT();
  test::NetNs left{"vvr"};
  test::NetNs right{"vvr"};
  ASSERT_TRUE(left.ok() && right.ok());
  ASSERT_EQ(left.exec("ip link add va type veth peer name vb netns " + right.name() +
                      " && ip link set va up")
                .exitCode,
            0);
  ASSERT_EQ(right.exec("ip link set vb up").exitCode, 0);
  std::optional<Sniffer> sniffer;
  {
    test::NetNsEnter enter(right);
    sniffer.emplace("vb");
  }
  ASSERT_TRUE(sniffer->ok());

  test::NetNsEnter enter(left);
  const IpAddress vip = *IpAddress::parse("10.77.4.1");
  config::VrrpInstance config;
  config.name = "VI_GARP";
  config.interface = "va";
  config.vrid = 42;
  config.priority = 255;  // the owner: MASTER at once
  config.version = 3;
  config.family = AF_INET;
  config::VirtualAddress address;
  address.prefix = IpPrefix{vip, 24};
  config.vips.push_back(address);
  config.garp.masterRepeat = 3;
  config::VrrpGlobalDefaults defaults;
  defaults.garpInterval = 30ms;

  PosixEventLoop loop;
  DiscardingSender sender;
  LoggingVipInstaller vips;
  auto announcer = makeVipAnnouncer();
  LoggingTransitionNotifier notifier;
  InstanceRuntime runtime(loop, config, paramsFor(config, *IpAddress::parse("10.77.4.2"), defaults),
                          RuntimeIo{sender, vips, *announcer, notifier}, std::nullopt);
  runtime.start();
  ASSERT_EQ(runtime.state().state, State::Master);
  fakes::runUntil(
      loop, [] { return false; }, 300ms);  // the burst lasts 60 ms

  int arps = 0;
  while (sniffer->await(300ms, [&](const Frame& f) {
    return isArp(f) && IpAddress::fromBytes(AF_INET, f.data() + 28) == vip;
  })) {
    ++arps;
  }
  EXPECT_EQ(arps, 3);
  runtime.stop();
}

}  // namespace
}  // namespace vigil::vrrp
