#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <optional>
#include <string>

#include "core/posix_event_loop.h"
#include "core/process_spawner.h"
#include "core/unique_fd.h"
#include "fakes/run_until.h"
#include "integration/netlink/veth_lab.h"
#include "support/netns.h"
#include "support/wait_for.h"
#include "vrrp/accept_filter.h"
#include "vrrp/accept_filter_rules.h"
#include "vrrp/instance_runtime.h"
#include "vrrp/runtime_netlink.h"
#include "vrrp/runtime_params.h"

// The runtime's effects on a real kernel: VIPs through netlink and
// Accept_Mode through nftables, seen from a client on the same link
// connecting over TCP.
namespace vigil::vrrp {
namespace {

using namespace std::chrono_literals;

class DiscardingSender final : public AdvertSender {
 public:
  void prepare(const VrrpPacket&) override {}
  Status send() override { return {}; }
};

// A director namespace and a client namespace on one veth pair.
struct AcceptLab {
  test::NetNs director{"vvr"};
  test::NetNs client{"vvr"};
  bool ok = false;

  AcceptLab() {
    ok = director.ok() && client.ok() &&
         director.exec("ip link add vd type veth peer name vc netns " + client.name() +
                       " && ip link set vd up && ip link set lo up"
                       " && ip addr add 10.78.0.1/24 dev vd"
                       " && ip addr add fd78::1/64 dev vd nodad")
                 .exitCode == 0 &&
         client.exec(
                   "ip link set vc up && ip link set lo up && ip addr add 10.78.0.2/24 dev vc"
                   " && ip addr add fd78::2/64 dev vc nodad")
                 .exitCode == 0;
  }

  // A TCP connect from the client to `address`:kPort within 500 ms.
  bool clientConnects(const std::string& address) const {
    test::NetNsEnter enter(client);
    const IpAddress to = *IpAddress::parse(address);
    UniqueFd fd(
        ::socket(to.isV4() ? AF_INET : AF_INET6, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    sockaddr_storage sa{};
    socklen_t length = 0;
    if (to.isV4()) {
      auto* in = reinterpret_cast<sockaddr_in*>(&sa);
      in->sin_family = AF_INET;
      in->sin_port = htons(kPort);
      std::memcpy(&in->sin_addr, to.bytes(), 4);
      length = sizeof *in;
    } else {
      auto* in6 = reinterpret_cast<sockaddr_in6*>(&sa);
      in6->sin6_family = AF_INET6;
      in6->sin6_port = htons(kPort);
      std::memcpy(&in6->sin6_addr, to.bytes(), 16);
      length = sizeof *in6;
    }
    if (!enter.ok() || !fd ||
        (::connect(fd.get(), reinterpret_cast<sockaddr*>(&sa), length) < 0 &&
         errno != EINPROGRESS)) {
      return false;
    }
    pollfd p{fd.get(), POLLOUT, 0};
    if (::poll(&p, 1, 500) != 1) return false;
    int error = 0;
    socklen_t size = sizeof error;
    return ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &error, &size) == 0 && error == 0;
  }

  // A first SYN can be lost while a neighbour entry settles; the kernel
  // would resend it after 1 s, so retry within a bound instead.
  bool clientConnectsSoon(const std::string& address) const {
    return test::waitFor(3000ms, [&] { return clientConnects(address); }).has_value();
  }

  static constexpr uint16_t kPort = 8443;
  // ARP / ND answered: the client learnt the VIP's MAC.
  bool clientResolved(const std::string& address) const {
    return client.exec("ip neigh show " + address + " | grep -q lladdr").exitCode == 0;
  }
};

config::VrrpInstance instance(bool accept) {
  config::VrrpInstance c;
  c.name = "VI_ACCEPT";
  c.interface = "vd";
  c.vrid = 43;
  c.priority = 100;  // not the owner, which always accepts
  c.version = 3;
  c.family = AF_INET;
  c.advertInterval = 100ms;
  c.mcastDst = *IpAddress::parse("224.0.0.18");
  c.accept = accept;
  for (const char* vip : {"10.78.0.100/24", "fd78::100/64"}) {
    config::VirtualAddress address;
    address.prefix = *IpPrefix::parse(vip);
    c.vips.push_back(address);
  }
  return c;
}

// Runs one instance to MASTER in the director namespace; `check` runs
// while it is MASTER with its filter settled, then the instance stops.
void runMaster(const AcceptLab& lab, bool accept, const std::function<void()>& check) {
  test::NetNsEnter enter(lab.director);
  ASSERT_TRUE(enter.ok());
  // A dual-stack listener on every address: the kernel completes the
  // handshakes, nothing needs to accept them.
  UniqueFd listener(::socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in6 any{};
  any.sin6_family = AF_INET6;
  any.sin6_port = htons(AcceptLab::kPort);
  ASSERT_EQ(::bind(listener.get(), reinterpret_cast<sockaddr*>(&any), sizeof any), 0);
  ASSERT_EQ(::listen(listener.get(), 16), 0);
  PosixEventLoop loop;
  PosixProcessSpawner spawner(loop);
  NftAcceptFilter filter(spawner);
  DiscardingSender sender;
  auto vips = makeVipInstaller();
  LoggingVipAnnouncer announcer;
  LoggingTransitionNotifier notifier;
  config::VrrpInstance config = instance(accept);
  InstanceRuntime runtime(loop, config, paramsFor(config, *IpAddress::parse("10.78.0.1")),
                          RuntimeIo{sender, *vips, announcer, notifier, &filter}, std::nullopt);
  runtime.start();
  ASSERT_TRUE(fakes::runUntil(
      loop, [&] { return runtime.state().state == State::Master && filter.idle(); }, 5s));
  EXPECT_EQ(filter.failures(), 0u);
  check();
  runtime.stop();
  ASSERT_TRUE(fakes::runUntil(
      loop, [&] { return filter.idle(); }, 5s));
  EXPECT_EQ(filter.failures(), 0u);
}

TEST(InstanceRuntimeOnKernel, NoAcceptMasterDropsTrafficToItsVipsButAnswersArpAndNd) {
  VIGIL_REQUIRE_ROOT();
  AcceptLab lab;
  ASSERT_TRUE(lab.ok);
  runMaster(lab, false, [&] {
    EXPECT_FALSE(lab.clientConnects("10.78.0.100"));
    EXPECT_FALSE(lab.clientConnects("fd78::100"));
    EXPECT_TRUE(lab.clientResolved("10.78.0.100"));
    EXPECT_TRUE(lab.clientResolved("fd78::100"));
    EXPECT_TRUE(lab.clientConnectsSoon("10.78.0.1")) << "only the VIPs are filtered";
  });
  // Stopped: its chain is gone (the empty table may stay).
  EXPECT_NE(lab.director
                .exec("nft list chain inet vigil " + nftChainName("VI_ACCEPT") + " >/dev/null 2>&1")
                .exitCode,
            0);

  runMaster(lab, true, [&] {
    EXPECT_TRUE(lab.clientConnectsSoon("10.78.0.100"));
    EXPECT_TRUE(lab.clientConnectsSoon("fd78::100"));
  });
}

}  // namespace
}  // namespace vigil::vrrp
