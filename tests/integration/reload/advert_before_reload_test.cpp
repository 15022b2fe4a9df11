#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>

#include "config/loader.h"
#include "core/posix_event_loop.h"
#include "fakes/run_until.h"
#include "support/netns.h"
#include "vrrp/vrrp_worker.h"

// Issue 7: a MASTER sends an advert before it starts reloading, so the time
// the reload takes (the worker parses the file) starts from a fresh advert
// at every backup. Checked in order, not in time: the worker runs in this
// thread, so between draining the capture and reload() no timer can fire;
// an advert seen when the worker asks for the new file came from reload().
namespace vigil::test {
namespace {

using namespace std::chrono_literals;

constexpr const char* kConfig = R"(
global_defs {
  dataplane none
}
vrrp_instance VI_h12a {
  state BACKUP
  interface eth0
  virtual_router_id 114
  version 3
  priority 200
  advert_int 1
  virtual_ipaddress {
    10.14.0.100/24
  }
}
)";

// IPv4 packets arriving on `interface` (the far end of the worker's veth).
class Capture {
 public:
  explicit Capture(const char* interface) {
    fd_ = ::socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, htons(ETH_P_IP));
    sockaddr_ll at{};
    at.sll_family = AF_PACKET;
    at.sll_protocol = htons(ETH_P_IP);
    at.sll_ifindex = static_cast<int>(::if_nametoindex(interface));
    ok_ = fd_ >= 0 && at.sll_ifindex > 0 &&
          ::bind(fd_, reinterpret_cast<sockaddr*>(&at), sizeof at) == 0;
  }
  ~Capture() {
    if (fd_ >= 0) ::close(fd_);
  }
  Capture(const Capture&) = delete;
  Capture& operator=(const Capture&) = delete;

  bool ok() const { return ok_; }
  // Discards what has arrived so far.
  void drain() const {
    uint8_t buffer[2048];
    while (::recv(fd_, buffer, sizeof buffer, 0) > 0) {
    }
  }
  // Whether a VRRP advert for `vrid` arrives within `limit`.
  bool advertWithin(uint8_t vrid, std::chrono::milliseconds limit) const {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd p{fd_, POLLIN, 0};
      (void)::poll(&p, 1, 50);
      uint8_t buffer[2048];
      for (ssize_t n; (n = ::recv(fd_, buffer, sizeof buffer, 0)) > 0;) {
        const size_t header = (buffer[0] & 0x0f) * 4u;
        if (n > static_cast<ssize_t>(header + 1) && buffer[9] == 112 &&
            buffer[header + 1] == vrid) {
          return true;
        }
      }
    }
    return false;
  }

 private:
  int fd_ = -1;
  bool ok_ = false;
};

TEST(VrrpWorkerReloadTest, MasterAdvertisesBeforeItLoadsTheNewFile) {
  if (!runningAsRoot()) GTEST_SKIP() << "needs root for network namespaces";
  NetNs ns("h12a");
  ASSERT_TRUE(ns.ok());
  ASSERT_TRUE(plugLonelyEth0(ns, "10.14.0.1/24"));
  NetNsEnter enter(ns);
  ASSERT_TRUE(enter.ok());
  Capture capture("eth0p");
  ASSERT_TRUE(capture.ok());
  auto config = config::loadConfigText("h12a.conf", kConfig, config::LoadOptions{}).config;
  ASSERT_TRUE(config);

  PosixEventLoop loop;
  bool asked = false;
  bool advertFirst = false;
  {
    vrrp::VrrpWorker worker(
        loop, config, 1,
        [&](uint64_t) {
          asked = true;
          advertFirst = capture.advertWithin(114, 2s);
          return config;
        },
        vrrp::systemWorkerIo(loop, config));
    auto state = [&] {
      return nlohmann::json::parse(worker.snapshot())["instances"][0]["state"].get<std::string>();
    };
    ASSERT_TRUE(fakes::runUntil(
        loop, [&] { return state() == "MASTER"; }, 10s))
        << state();

    capture.drain();
    worker.reload(2);

    EXPECT_TRUE(asked);
    EXPECT_TRUE(advertFirst) << "no advert between the SIGHUP and loading the file";
    EXPECT_EQ(state(), "MASTER");
  }
}

}  // namespace
}  // namespace vigil::test
