#include <gtest/gtest.h>

#include <chrono>
#include <vector>

#include "core/netlink/netlink_link_monitor.h"
#include "core/posix_event_loop.h"
#include "integration/netlink/veth_lab.h"

namespace vigil::netlink {
namespace {

using namespace std::chrono_literals;

struct Change {
  LinkState state;
  bool removed = false;
};

// Turns the loop until `done` holds or 5 s pass.
bool runUntil(PosixEventLoop& loop, const std::function<bool()>& done) {
  auto deadline = std::chrono::steady_clock::now() + 5s;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) {
      return false;
    }
    loop.runOnce(100ms);
  }
  return true;
}

TEST(NetlinkLinkMonitor, SeesPeerCarrierAndAdminStateChanges) {
  VIGIL_REQUIRE_ROOT();
  test::VethLab lab;
  ASSERT_TRUE(lab.ok);
  test::NetNsEnter enter(lab.left);
  PosixEventLoop loop;
  auto monitor = NetlinkLinkMonitor::start(loop);
  ASSERT_TRUE(monitor) << monitor.error().describe();
  std::vector<Change> changes;
  (*monitor)->setListener([&](const LinkState& state, bool removed) {
    changes.push_back({state, removed});
  });

  auto initial = (*monitor)->linkState("va");
  ASSERT_TRUE(initial);
  EXPECT_TRUE(initial->adminUp);
  EXPECT_EQ((*monitor)->linkState(initial->ifindex)->name, "va");
  // A veth is running once both ends are up; that can lag the dump.
  ASSERT_TRUE(runUntil(loop, [&] { return (*monitor)->linkState("va")->usable(); }));

  auto vaChanged = [&](bool usable) {
    return [&, usable] {
      return !changes.empty() && changes.back().state.name == "va" &&
             changes.back().state.usable() == usable;
    };
  };
  ASSERT_EQ(lab.right.exec("ip link set vb down").exitCode, 0);
  ASSERT_TRUE(runUntil(loop, vaChanged(false))) << "carrier loss not reported";
  EXPECT_TRUE(changes.back().state.adminUp);
  EXPECT_FALSE(changes.back().state.running);

  ASSERT_EQ(lab.right.exec("ip link set vb up").exitCode, 0);
  ASSERT_TRUE(runUntil(loop, vaChanged(true))) << "carrier return not reported";

  ASSERT_EQ(lab.left.exec("ip link set va down").exitCode, 0);
  ASSERT_TRUE(runUntil(loop, vaChanged(false))) << "admin down not reported";
  EXPECT_FALSE(changes.back().state.adminUp);
  EXPECT_FALSE((*monitor)->linkState("va")->usable());
}

TEST(NetlinkLinkMonitor, ReportsCreatedAndDeletedLinks) {
  VIGIL_REQUIRE_ROOT();
  test::NetNs ns;
  ASSERT_TRUE(ns.ok());
  test::NetNsEnter enter(ns);
  PosixEventLoop loop;
  auto monitor = NetlinkLinkMonitor::start(loop);
  ASSERT_TRUE(monitor);
  bool removed = false;
  (*monitor)->setListener([&](const LinkState& state, bool gone) {
    removed = removed || (gone && state.name == "dm0");
  });

  ASSERT_EQ(ns.exec("ip link add dm0 type veth peer name dm1").exitCode, 0);
  ASSERT_TRUE(runUntil(loop, [&] { return (*monitor)->linkState("dm0").has_value(); }));
  ASSERT_EQ(ns.exec("ip link del dm0").exitCode, 0);
  ASSERT_TRUE(runUntil(loop, [&] { return removed; }));
  EXPECT_FALSE((*monitor)->linkState("dm0"));
}

}  // namespace
}  // namespace vigil::netlink
