// track_interface: which interfaces are usable, from link events.
#include "vrrp/link_tracking.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/simulated_loop.h"

namespace vigil::vrrp {
namespace {

using netlink::LinkState;

class FakeLinkMonitor final : public netlink::LinkMonitor {
 public:
  std::optional<LinkState> linkState(const std::string& name) const override {
    for (const auto& [index, state] : links) {
      if (state.name == name) return state;
    }
    return std::nullopt;
  }
  std::optional<LinkState> linkState(int ifindex) const override {
    auto it = links.find(ifindex);
    return it == links.end() ? std::nullopt : std::optional(it->second);
  }
  void setListener(Listener l) override { listener = std::move(l); }

  void set(int ifindex, const std::string& name, bool adminUp, bool running) {
    LinkState state{ifindex, name, adminUp, running, 0};
    links[ifindex] = state;
    listener(state, false);
  }
  void remove(int ifindex) {
    LinkState last = links.at(ifindex);
    links.erase(ifindex);
    listener(last, true);
  }

  std::map<int, LinkState> links;
  Listener listener;
};

using Reports = std::vector<std::pair<std::string, bool>>;

class LinkTrackerTest : public ::testing::Test {
 protected:
  FakeLinkMonitor monitor;
  Reports reports;
  LinkTracker tracker{monitor,
                      [this](const std::string& name, bool up) { reports.emplace_back(name, up); }};
};

TEST_F(LinkTrackerTest, UsableMeansAdministrativelyUpAndRunning) {
  monitor.links[2] = LinkState{2, "eth0", true, true, 0};
  monitor.links[3] = LinkState{3, "eth1", true, false, 0};  // no carrier
  EXPECT_TRUE(tracker.up("eth0"));
  EXPECT_FALSE(tracker.up("eth1"));
  EXPECT_FALSE(tracker.up("eth9"));  // missing
}

TEST_F(LinkTrackerTest, ReportsOnlyChangesOfUsability) {
  monitor.set(2, "eth0", true, true);
  monitor.set(2, "eth0", true, true);   // e.g. an operstate or MTU change
  monitor.set(2, "eth0", true, false);  // carrier lost
  monitor.set(2, "eth0", false, false);
  monitor.set(2, "eth0", true, true);
  EXPECT_EQ(reports, (Reports{{"eth0", true}, {"eth0", false}, {"eth0", true}}));
}

TEST_F(LinkTrackerTest, ADeletedOrRenamedInterfaceIsDown) {
  monitor.set(2, "eth0", true, true);
  monitor.set(2, "wan0", true, true);  // renamed
  monitor.remove(2);
  EXPECT_EQ(reports, (Reports{{"eth0", true}, {"eth0", false}, {"wan0", true}, {"wan0", false}}));
}

// interface_up_down_delays { eth0 2 1 }: down after 2 s, up after 1 s.
class LinkDelayTest : public LinkTrackerTest {
 protected:
  void SetUp() override {
    config::InterfaceDelay delay;
    delay.interface = "eth0";
    delay.down = std::chrono::seconds(2);
    delay.up = std::chrono::seconds(1);
    tracker.setDelays(loop, {delay});
    monitor.set(2, "eth0", true, true);
    monitor.set(3, "eth1", true, true);
    reports.clear();
  }

  SimulatedLoop loop;
};

TEST_F(LinkDelayTest, ALinkDownIsReportedOnceItHasLastedTheDownDelay) {
  monitor.set(2, "eth0", true, false);
  loop.advance(std::chrono::milliseconds(1999));
  EXPECT_TRUE(reports.empty());
  EXPECT_TRUE(tracker.up("eth0"));  // as reported: the change is still waiting
  loop.advance(std::chrono::milliseconds(1));
  EXPECT_EQ(reports, (Reports{{"eth0", false}}));
  EXPECT_FALSE(tracker.up("eth0"));
}

TEST_F(LinkDelayTest, ABounceShorterThanTheDelayIsNeverReported) {
  monitor.set(2, "eth0", true, false);
  loop.advance(std::chrono::milliseconds(1500));
  monitor.set(2, "eth0", true, true);
  loop.advance(std::chrono::seconds(10));
  EXPECT_TRUE(reports.empty());
  EXPECT_TRUE(tracker.up("eth0"));
}

TEST_F(LinkDelayTest, ComingBackUpWaitsTheUpDelay) {
  monitor.set(2, "eth0", true, false);
  loop.advance(std::chrono::seconds(2));
  monitor.set(2, "eth0", true, true);
  loop.advance(std::chrono::milliseconds(999));
  EXPECT_EQ(reports, (Reports{{"eth0", false}}));
  loop.advance(std::chrono::milliseconds(1));
  EXPECT_EQ(reports, (Reports{{"eth0", false}, {"eth0", true}}));
}

TEST_F(LinkDelayTest, ABounceBackRestartsTheDelay) {
  // Down, up, down again within the delay: the bounce back cancelled the
  // first change, so the second is due 2 s after the second down.
  monitor.set(2, "eth0", true, false);
  loop.advance(std::chrono::milliseconds(500));
  monitor.set(2, "eth0", true, true);
  monitor.set(2, "eth0", true, false);
  loop.advance(std::chrono::milliseconds(1600));  // 2.1 s after the first down
  EXPECT_TRUE(reports.empty());
  loop.advance(std::chrono::milliseconds(400));  // 2 s after the second
  EXPECT_EQ(reports, (Reports{{"eth0", false}}));
}

TEST_F(LinkDelayTest, InterfacesWithoutADelayReportAtOnce) {
  monitor.set(3, "eth1", true, false);
  EXPECT_EQ(reports, (Reports{{"eth1", false}}));
}

TEST_F(LinkDelayTest, AReloadThatDropsTheDelayReportsTheWaitingChangeAtOnce) {
  monitor.set(2, "eth0", true, false);
  tracker.setDelays(loop, {});
  EXPECT_EQ(reports, (Reports{{"eth0", false}}));
  loop.advance(std::chrono::seconds(5));
  EXPECT_EQ(reports.size(), 1u);
}

}  // namespace
}  // namespace vigil::vrrp
