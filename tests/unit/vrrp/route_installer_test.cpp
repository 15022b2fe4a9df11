// An instance's virtual_routes follow its VIPs: added after them, removed
// before them, retried on refresh, diffed on reload, never blocking a move.
#include "vrrp/route_installer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cerrno>
#include <set>

#include "unit/config/vrrp_test_support.h"

namespace vigil::vrrp {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

// What reached the kernel, in order: "addr+ PREFIX", "route- ROUTE", ...
struct Journal {
  std::vector<std::string> entries;
  std::set<std::string> failing;  // routes whose add fails (gateway unreachable)
  std::set<std::string> routes;   // routes present

  std::vector<std::string> take() { return std::exchange(entries, {}); }
};

class FakeVips final : public VipInstaller {
 public:
  explicit FakeVips(Journal& journal) : journal_(journal) {}
  void add(const std::vector<config::VirtualAddress>& vips, const std::string&,
           std::optional<Duration>) override {
    for (const auto& vip : vips) journal_.entries.push_back("addr+ " + vip.prefix.toString());
  }
  void remove(const std::vector<config::VirtualAddress>& vips, const std::string&) override {
    for (const auto& vip : vips) journal_.entries.push_back("addr- " + vip.prefix.toString());
  }

 private:
  Journal& journal_;
};

class FakeRoutes final : public netlink::RouteManager {
 public:
  explicit FakeRoutes(Journal& journal) : journal_(journal) {}
  Status add(const netlink::RouteSpec& route) override {
    const std::string text = route.describe();
    journal_.entries.push_back("route+ " + text);
    if (journal_.failing.contains(text)) return Error{ENETUNREACH, "adding route " + text};
    journal_.routes.insert(text);
    return {};
  }
  Status remove(const netlink::RouteSpec& route) override {
    const std::string text = route.describe();
    journal_.entries.push_back("route- " + text);
    if (journal_.routes.erase(text) == 0) return Error{ENOENT, "removing route " + text};
    return {};
  }

 private:
  Journal& journal_;
};

config::VrrpInstance instanceWith(std::string_view vips, std::string_view routes) {
  auto loaded = config::testing::load(
      "vrrp_instance A {\n  interface eth0\n  virtual_router_id 5\n  virtual_ipaddress {\n" +
      std::string(vips) + "\n  }\n  virtual_routes {\n" + std::string(routes) + "\n  }\n}\n");
  EXPECT_THAT(config::testing::errors(loaded), IsEmpty());
  return loaded.config ? loaded.config->vrrp.instances.at(0) : config::VrrpInstance{};
}

class VipRouteInstallerTest : public ::testing::Test {
 protected:
  Journal journal_;
  FakeVips vips_{journal_};
  FakeRoutes routes_{journal_};
  config::VrrpInstance instance_ = instanceWith(
      "10.0.0.1/24\n10.0.0.2/24", "10.9.0.0/16 via 10.0.0.254\nblackhole 10.8.0.0/16 table 100");
  VipRouteInstaller installer_{vips_, &routes_, instance_};
};

TEST_F(VipRouteInstallerTest, RoutesComeAfterTheAddressesAndGoBeforeThem) {
  installer_.add(instance_.vips, "eth0", std::nullopt);
  EXPECT_THAT(journal_.take(), ElementsAre("addr+ 10.0.0.1/24", "addr+ 10.0.0.2/24",
                                           "route+ 10.9.0.0/16 via 10.0.0.254",
                                           "route+ blackhole 10.8.0.0/16 table 100"));
  installer_.remove(instance_.vips, "eth0");
  EXPECT_THAT(journal_.take(), ElementsAre("route- 10.9.0.0/16 via 10.0.0.254",
                                           "route- blackhole 10.8.0.0/16 table 100",
                                           "addr- 10.0.0.1/24", "addr- 10.0.0.2/24"));
  EXPECT_THAT(journal_.routes, IsEmpty());
}

TEST_F(VipRouteInstallerTest, ARefreshLeavesInstalledRoutesAlone) {
  installer_.add(instance_.vips, "eth0", std::chrono::seconds(2));
  journal_.take();
  installer_.add(instance_.vips, "eth0", std::chrono::seconds(2));
  EXPECT_THAT(journal_.take(), ElementsAre("addr+ 10.0.0.1/24", "addr+ 10.0.0.2/24"));
}

TEST_F(VipRouteInstallerTest, AFailedRouteNeitherStopsTheOthersNorTheVipsAndIsRetried) {
  journal_.failing = {"10.9.0.0/16 via 10.0.0.254"};
  installer_.add(instance_.vips, "eth0", std::chrono::seconds(2));
  EXPECT_THAT(journal_.routes, ElementsAre("blackhole 10.8.0.0/16 table 100"));
  journal_.take();
  journal_.failing.clear();
  installer_.add(instance_.vips, "eth0", std::chrono::seconds(2));
  EXPECT_THAT(journal_.take(), ElementsAre("addr+ 10.0.0.1/24", "addr+ 10.0.0.2/24",
                                           "route+ 10.9.0.0/16 via 10.0.0.254"));
  EXPECT_EQ(journal_.routes.size(), 2u);
}

TEST_F(VipRouteInstallerTest, RemovingSomeAddressesKeepsTheRoutes) {
  installer_.add(instance_.vips, "eth0", std::nullopt);
  journal_.take();
  installer_.remove({instance_.vips[1]}, "eth0");
  EXPECT_THAT(journal_.take(), ElementsAre("addr- 10.0.0.2/24"));
  EXPECT_EQ(journal_.routes.size(), 2u);
}

TEST_F(VipRouteInstallerTest, ABackupAtStartUpClearsLeftOverRoutesQuietly) {
  journal_.routes = {"10.9.0.0/16 via 10.0.0.254"};  // a killed run's
  installer_.remove(instance_.vips, "eth0");
  EXPECT_THAT(journal_.routes, IsEmpty());
}

TEST_F(VipRouteInstallerTest, AReloadRemovesDroppedRoutesAndAddsNewOnesWithTheNextAdd) {
  installer_.add(instance_.vips, "eth0", std::nullopt);
  journal_.take();
  config::VrrpInstance next = instanceWith("10.0.0.1/24\n10.0.0.2/24",
                                           "blackhole 10.8.0.0/16 table 100\n10.7.0.0/16 dev eth0");
  installer_.reconfigure(next);
  EXPECT_THAT(journal_.take(), ElementsAre("route- 10.9.0.0/16 via 10.0.0.254"));
  installer_.add(next.vips, "eth0", std::nullopt);
  EXPECT_THAT(journal_.take(), ElementsAre("addr+ 10.0.0.1/24", "addr+ 10.0.0.2/24",
                                           "route+ 10.7.0.0/16 dev eth0 scope link"));
}

TEST_F(VipRouteInstallerTest, AReloadReplacingEveryAddressKeepsTheUnchangedRoutes) {
  installer_.add(instance_.vips, "eth0", std::nullopt);
  journal_.take();
  config::VrrpInstance next =
      instanceWith("10.0.0.3/24", "10.9.0.0/16 via 10.0.0.254\nblackhole 10.8.0.0/16 table 100");
  installer_.reconfigure(next);
  installer_.remove(instance_.vips, "eth0");  // the runtime drops the replaced addresses
  installer_.add(next.vips, "eth0", std::nullopt);
  EXPECT_THAT(journal_.take(),
              ElementsAre("addr- 10.0.0.1/24", "addr- 10.0.0.2/24", "addr+ 10.0.0.3/24"));
  EXPECT_EQ(journal_.routes.size(), 2u);
  installer_.remove(next.vips, "eth0");  // leaving MASTER afterwards still takes them
  EXPECT_THAT(journal_.routes, IsEmpty());
}

TEST_F(VipRouteInstallerTest, AReloadOfABackupTouchesNoRoute) {
  installer_.reconfigure(instanceWith("10.0.0.1/24", "10.7.0.0/16 dev eth0"));
  EXPECT_THAT(journal_.take(), IsEmpty());
}

TEST(VipRouteInstallerRefusedTest, ARouteVigilCannotApplyIsSkippedAndTheRestInstalled) {
  Journal journal;
  FakeVips vips(journal);
  FakeRoutes routes(journal);
  config::VrrpInstance instance =
      instanceWith("10.0.0.1/24", "10.6.0.0/16 dev eth0 realms 2\n10.5.0.0/16 dev eth0");
  VipRouteInstaller installer(vips, &routes, instance);
  installer.add(instance.vips, "eth0", std::nullopt);
  EXPECT_THAT(journal.routes, ElementsAre("10.5.0.0/16 dev eth0 scope link"));
}

}  // namespace
}  // namespace vigil::vrrp
