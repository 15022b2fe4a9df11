#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <sstream>
#include <string>

#include "support/netns.h"
#include "support/run_command.h"
#include "support/static_entries_lab.h"
#include "support/vrrp_lab.h"

// static_ipaddress and track_group with a real vigild in a network
// namespace, as keepalived 2.2.7 behaves there: the static addresses come at
// start, follow a reload and go at a clean stop; a static entry deleted with
// ip(8) is added again and does not move the instance; the interface of a
// track_group entry going down puts the instance in FAULT until it is up.
namespace vigil::test {
namespace {

using namespace std::chrono_literals;

constexpr LabAddresses kLab{"10.66.0.100", "10.66.0.100/24", "10.66.0.1/24", "10.66.0.2/24", "-4",
                            "inet"};

class StaticDirector : public LabVigild {
 public:
  StaticDirector(const NetNs& ns, const std::string& dir, const std::string& name)
      : LabVigild(ns, dir, name), ns_(ns) {}

  // `third` is the untracked static address (a reload changes it).
  void configure(const std::string& third) const {
    std::ostringstream out;
    out << "track_group TG {\n  group {\n    VI_1\n  }\n}\n"
        << "static_ipaddress {\n"
        << "  10.66.1.1/24 dev sx0 track_group TG\n"
        << "  " << third << " dev sx0\n"
        << "}\n"
        << "static_routes {\n"
        << "  10.66.2.0/24 via 10.66.1.254 dev sx0 track_group TG\n"
        << "}\n"
        << "vrrp_instance VI_1 {\n  state BACKUP\n  interface eth0\n"
        << "  virtual_router_id 66\n  version 3\n  priority 200\n  advert_int 0.1\n"
        << "  virtual_ipaddress {\n    " << kLab.vipPrefix << "\n  }\n}\n";
    writeConfig(out.str());
  }
  bool holdsVip() const { return test::holdsVip(ns_, kLab); }
  // `ip addr show`'s lines for `address` on sx0, empty when it is not there.
  std::string address(const std::string& address) const {
    return ns_.exec("ip -4 addr show dev sx0 to " + address).output;
  }
  std::string route() const { return ns_.exec("ip -4 route show 10.66.2.0/24").output; }
  bool run(const std::string& command) const { return ns_.exec(command).exitCode == 0; }

 private:
  const NetNs& ns_;
};

class StaticAddressesTest : public StaticEntriesLab<StaticDirector> {
 protected:
  StaticAddressesTest() : StaticEntriesLab("h6sb", "h6s1", kLab) {}

  void startAsMaster() {
    director_->configure("10.66.3.1/24");
    ASSERT_TRUE(director_->start());
    ASSERT_TRUE(waitFor(10s, [&] {
      return director_->holdsVip() && !director_->address("10.66.1.1").empty() &&
             !director_->address("10.66.3.1").empty() && !director_->route().empty();
    })) << director_->log();
    // Permanent, not a VIP's lifetime.
    EXPECT_NE(director_->address("10.66.1.1").find("valid_lft forever preferred_lft forever"),
              std::string::npos)
        << director_->address("10.66.1.1");
    EXPECT_NE(director_->route().find("via 10.66.1.254 dev sx0 proto keepalived"),
              std::string::npos)
        << director_->route();
  }
};

TEST_F(StaticAddressesTest, StaticAddressesComeAtStartFollowAReloadAndGoAtAStop) {
  startAsMaster();
  director_->configure("10.66.4.1/24");
  director_->signal(SIGHUP);
  EXPECT_TRUE(waitFor(10s, [&] {
    return !director_->address("10.66.4.1").empty() && director_->address("10.66.3.1").empty();
  })) << director_->log();
  EXPECT_FALSE(director_->address("10.66.1.1").empty());
  EXPECT_TRUE(director_->holdsVip());

  director_->signal(SIGTERM);
  ASSERT_TRUE(director_->reap(10s)) << director_->log();
  EXPECT_TRUE(director_->address("10.66.1.1").empty()) << director_->log();
  EXPECT_TRUE(director_->address("10.66.4.1").empty()) << director_->log();
  EXPECT_TRUE(director_->route().empty()) << director_->log();
}

TEST_F(StaticAddressesTest, ADeletedStaticEntryComesBackAndATrackedInterfaceDownFaults) {
  startAsMaster();
  // keepalived restores a deleted static route or address and leaves the
  // instance as it is.
  ASSERT_TRUE(director_->run("ip route del 10.66.2.0/24"));
  EXPECT_TRUE(waitFor(5s, [&] { return !director_->route().empty(); })) << director_->log();
  ASSERT_TRUE(director_->run("ip addr del 10.66.3.1/24 dev sx0"));
  EXPECT_TRUE(waitFor(5s, [&] { return !director_->address("10.66.3.1").empty(); }))
      << director_->log();
  EXPECT_TRUE(director_->holdsVip()) << director_->log();
  EXPECT_NE(director_->log().find("static routing restoring deleted route 10.66.2.0/24"),
            std::string::npos)
      << director_->log();

  // The track_group's interface down: FAULT, the VIP goes; up: the route
  // the kernel flushed with the link is added again and the instance is
  // MASTER again.
  ASSERT_TRUE(director_->run("ip link set sx0 down"));
  EXPECT_TRUE(waitFor(5s, [&] { return !director_->holdsVip(); })) << director_->log();
  ASSERT_TRUE(director_->run("ip link set sx0 up"));
  EXPECT_TRUE(waitFor(10s, [&] { return director_->holdsVip() && !director_->route().empty(); }))
      << director_->log();

  director_->signal(SIGTERM);
  ASSERT_TRUE(director_->reap(10s)) << director_->log();
  EXPECT_TRUE(director_->address("10.66.1.1").empty()) << director_->log();
  EXPECT_TRUE(director_->route().empty()) << director_->log();
}

}  // namespace
}  // namespace vigil::test
