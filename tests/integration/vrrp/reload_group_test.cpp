#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <string>

#include "support/netns.h"
#include "support/vigild_lab.h"
#include "support/wait_for.h"

// Issue 7, hitless reload: an instance added on (or removed from) an
// interface with its own mcast_dst changes the groups the interface's VRRP
// socket has joined, not the socket. The socket joins or leaves the group
// in place, so the master already on it keeps its state.
namespace vigil::test {
namespace {

using namespace std::chrono_literals;

constexpr const char* kInterface = "h10g0";
constexpr const char* kExtraGroup = "224.0.0.19";
constexpr const char* kVi1Entering = "VRRP_Instance(VI_1) Entering";

size_t count(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

std::string instance(const std::string& name, int vrid, const std::string& extra) {
  return "vrrp_instance " + name + " {\n  state BACKUP\n  interface " + kInterface +
         "\n  virtual_router_id " + std::to_string(vrid) +
         "\n  version 3\n  priority 100\n  advert_int 0.1\n" + extra +
         "  virtual_ipaddress {\n    10.210." + std::to_string(vrid) + ".100/24\n  }\n}\n";
}

// VI_1 on the default group; with `withVi2`, VI_2 on kExtraGroup too.
std::string config(bool withVi2) {
  std::string text =
      "global_defs {\n  router_id h10grp\n  dataplane none\n  metrics_listen off\n}\n";
  text += instance("VI_1", 51, "");
  if (withVi2) text += instance("VI_2", 52, std::string("  mcast_dst_ip ") + kExtraGroup + "\n");
  return text;
}

class ReloadGroupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!runningAsRoot()) GTEST_SKIP() << "needs root for network namespaces";
    ASSERT_TRUE(lab_.ok());
    ASSERT_TRUE(lab_.plugVeth(kInterface, "h10g1", "10.210.0.1/24"));
  }

  bool groupJoined() const {
    return lab_.ns()
               .exec(std::string("ip maddr show dev ") + kInterface + " | grep -qwE \"inet +" +
                     kExtraGroup + "\"")
               .exitCode == 0;
  }
  bool logHas(const std::string& needle) const {
    return lab_.read("vigild.log").find(needle) != std::string::npos;
  }
  // Sends SIGHUP and waits for the VRRP worker to run the new generation.
  bool reload(bool withVi2) {
    constexpr const char* kRunning = "vrrp worker: running configuration generation";
    const size_t before = count(lab_.read("vigild.log"), kRunning);
    lab_.write("vigil.conf", config(withVi2));
    ::kill(pid_, SIGHUP);
    return waitFor(10s, [&] { return count(lab_.read("vigild.log"), kRunning) > before; })
        .has_value();
  }
  std::string why() const { return lab_.describe({"vigil.conf", "vigild.log"}); }

  VigildLab lab_{"h10grp", "vigil-h10grp"};
  pid_t pid_ = -1;
};

TEST_F(ReloadGroupTest, AddingAndRemovingAGroupKeepsTheMasterOnTheSocket) {
  lab_.write("vigil.conf", config(false));
  pid_ = lab_.spawnVigild();
  ASSERT_GT(pid_, 0);
  ASSERT_TRUE(waitFor(10s, [&] { return logHas("VRRP_Instance(VI_1) Entering MASTER"); })) << why();
  ASSERT_FALSE(groupJoined());
  const size_t vi1Transitions = count(lab_.read("vigild.log"), kVi1Entering);

  ASSERT_TRUE(reload(true)) << why();
  EXPECT_TRUE(waitFor(10s, [&] { return logHas("VRRP_Instance(VI_2) Entering MASTER"); })) << why();
  EXPECT_TRUE(waitFor(5s, [&] { return groupJoined(); })) << why();
  EXPECT_EQ(count(lab_.read("vigild.log"), kVi1Entering), vi1Transitions) << why();

  ASSERT_TRUE(reload(false)) << why();
  EXPECT_TRUE(waitFor(5s, [&] { return !groupJoined(); })) << why();
  EXPECT_EQ(count(lab_.read("vigild.log"), kVi1Entering), vi1Transitions) << why();
}

}  // namespace
}  // namespace vigil::test
