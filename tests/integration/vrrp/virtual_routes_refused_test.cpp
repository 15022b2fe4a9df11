#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <string>

#include "support/netns.h"
#include "support/run_command.h"
#include "support/test_paths.h"
#include "support/vigild_lab.h"
#include "support/wait_for.h"

// Routes the kernel refuses are visible to an operator (doc/monitoring.md,
// Routing failures): one vigild in a namespace of its own, MASTER at once
// (no peer on its veth), with a virtual route and a static route whose
// gateways are not on-link (ENETUNREACH). /metrics and `vigilctl vrrp` show
// them failing; once the gateways' subnets are on the interface, the VIP
// refresh (virtual route) and a reload (static route) add them and the
// failures are no longer current.
namespace vigil::test {
namespace {

using namespace std::chrono_literals;

constexpr const char* kConfig = R"(global_defs {
  router_id h5routes
  dataplane none
  vip_lifetime 2
  metrics_listen 127.0.0.1:9650
}
static_routes {
  10.72.0.0/16 via 10.73.0.1
}
vrrp_instance VI_1 {
  state BACKUP
  interface h5r0
  virtual_router_id 71
  version 3
  priority 200
  advert_int 0.1
  virtual_ipaddress {
    10.71.0.100/24
  }
  virtual_routes {
    10.74.0.0/16 via 10.75.0.1
    blackhole 10.76.0.0/16
  }
}
)";

class VirtualRoutesRefusedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!runningAsRoot()) GTEST_SKIP() << "needs root for network namespaces";
    ASSERT_TRUE(lab_.ok());
    ASSERT_TRUE(lab_.plugVeth("h5r0", "h5r1", "10.71.0.1/24"));
    lab_.write("vigil.conf", kConfig);
    vigild_ = lab_.spawn({"env", "VIGIL_CONTROL_SOCKET=" + lab_.path("run/vigild.sock"), vigild(),
                          "-n", "-l", "-f", lab_.path("vigil.conf")},
                         "vigild.log");
    ASSERT_GT(vigild_, 0);
  }

  std::string metrics() const {
    return lab_.ns().exec("curl -s --max-time 2 http://127.0.0.1:9650/metrics").output;
  }
  bool hasLine(const std::string& line) const {
    return ("\n" + metrics()).find("\n" + line + "\n") != std::string::npos;
  }
  std::string vrrp() const {
    return runCommand(std::string(VIGIL_BIN_DIR) + "/vigilctl vrrp --socket " +
                      lab_.path("run/vigild.sock"))
        .output;
  }
  std::string why() const {
    return lab_.describe({"vigild.log"}) + "\n/metrics:\n" + metrics() + "\nvigilctl:\n" + vrrp();
  }

  VigildLab lab_{"h5routes", "vigil-h5routes"};
  pid_t vigild_ = -1;  // `ip netns exec` and env exec it: vigild's pid
};

TEST_F(VirtualRoutesRefusedTest, RefusedRoutesAreFailingUntilTheKernelTakesThem) {
  constexpr const char* kInstanceFailing =
      R"(vigil_vrrp_routing_entries_failing{vrrp_instance="VI_1",kind="virtual_routes"} 1)";
  constexpr const char* kStaticFailing =
      R"(vigil_vrrp_routing_entries_failing{vrrp_instance="",kind="static_routes"} 1)";
  ASSERT_TRUE(waitFor(15s, [&] { return hasLine(kInstanceFailing) && hasLine(kStaticFailing); }))
      << why();
  // The blackhole route went in beside the refused one.
  EXPECT_NE(lab_.ns().exec("ip route show 10.76.0.0/16").output.find("blackhole"),
            std::string::npos);
  const std::string shown = vrrp();
  EXPECT_NE(shown.find("VI_1: virtual_routes 10.74.0.0/16 via 10.75.0.1 not installed: adding "
                       "route 10.74.0.0/16 via 10.75.0.1"),
            std::string::npos)
      << shown;
  EXPECT_NE(shown.find("static routing: static_routes 10.72.0.0/16 via 10.73.0.1 not installed"),
            std::string::npos)
      << shown;

  // The gateways become reachable: the VIP refresh retries the virtual
  // route, a reload the static one.
  ASSERT_EQ(lab_.ns()
                .exec("ip addr add 10.75.0.2/24 dev h5r0 && ip addr add 10.73.0.2/24 dev h5r0")
                .exitCode,
            0);
  ASSERT_TRUE(waitFor(10s, [&] {
    return hasLine(
        R"(vigil_vrrp_routing_entries_failing{vrrp_instance="VI_1",kind="virtual_routes"} 0)");
  })) << why();
  EXPECT_FALSE(lab_.ns().exec("ip route show 10.74.0.0/16").output.empty());
  ASSERT_EQ(::kill(vigild_, SIGHUP), 0);
  ASSERT_TRUE(waitFor(10s, [&] {
    return hasLine(
        R"(vigil_vrrp_routing_entries_failing{vrrp_instance="",kind="static_routes"} 0)");
  })) << why();
  EXPECT_FALSE(lab_.ns().exec("ip route show 10.72.0.0/16").output.empty());
  // The counter keeps what failed.
  const std::string text = metrics();
  EXPECT_NE(
      text.find(
          R"(vigil_vrrp_routing_install_failures_total{vrrp_instance="",kind="static_routes"} 1)"),
      std::string::npos)
      << text;
  EXPECT_EQ(vrrp().find("not installed"), std::string::npos) << why();
}

}  // namespace
}  // namespace vigil::test
