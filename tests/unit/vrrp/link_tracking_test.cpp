// track_interface: which interfaces are usable, from link events.
#include "vrrp/link_tracking.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

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

}  // namespace
}  // namespace vigil::vrrp
