#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

#include "support/netns.h"
#include "support/run_command.h"
#include "support/test_paths.h"
#include "support/vigild_lab.h"
#include "support/wait_for.h"

// Issue 7, hitless reload: an instance added on (or removed from) an
// interface with its own mcast_dst changes the groups the interface's VRRP
// socket has joined, not the socket. The socket joins or leaves the group
// in place, so the master already on it keeps its state. A group the kernel
// refuses (net.ipv4.igmp_max_memberships) leaves the new instance not
// running with the reason, the others untouched, and a later reload joins it.
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
  // vigild on vigil.conf with a control socket of its own.
  void start() {
    pid_ = lab_.spawn({"env", "VIGIL_CONTROL_SOCKET=" + lab_.path("run/vigild.sock"), vigild(),
                       "-n", "-l", "-f", lab_.path("vigil.conf")},
                      "vigild.log");
  }
  // The instance `name` of `vigilctl vrrp --json`; null when not listed.
  nlohmann::json instanceStatus(const std::string& name) const {
    CommandResult r = runCommand(std::string(VIGIL_BIN_DIR) + "/vigilctl vrrp --json --socket " +
                                 lab_.path("run/vigild.sock"));
    nlohmann::json doc = nlohmann::json::parse(r.output, nullptr, false);
    if (r.exitCode != 0 || doc.is_discarded() || !doc.contains("instances")) return nullptr;
    for (const nlohmann::json& instance : doc["instances"]) {
      if (instance.value("name", "") == name) return instance;
    }
    return nullptr;
  }
  std::string stateOf(const std::string& name) const {
    const nlohmann::json instance = instanceStatus(name);
    return instance.is_object() ? instance.value("state", "") : "";
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
  start();
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

TEST_F(ReloadGroupTest, AGroupTheKernelRefusesIsReportedAndJoinedByALaterReload) {
  // One group per socket: the default group fits, 224.0.0.19 does not.
  ASSERT_EQ(lab_.ns().exec("sysctl -qw net.ipv4.igmp_max_memberships=1").exitCode, 0);
  lab_.write("vigil.conf", config(false));
  start();
  ASSERT_GT(pid_, 0);
  ASSERT_TRUE(waitFor(10s, [&] { return stateOf("VI_1") == "MASTER"; })) << why();
  const auto transitions = [&] { return instanceStatus("VI_1")["counters"]["transitions"]; };
  const nlohmann::json before = transitions();

  ASSERT_TRUE(reload(true)) << why();
  const nlohmann::json vi2 = instanceStatus("VI_2");
  ASSERT_TRUE(vi2.is_object()) << why();
  EXPECT_EQ(vi2.value("state", ""), "NOT_RUNNING");
  EXPECT_NE(vi2.value("error", "").find(kExtraGroup), std::string::npos) << vi2.dump();
  EXPECT_FALSE(groupJoined());
  EXPECT_EQ(stateOf("VI_1"), "MASTER");

  ASSERT_EQ(lab_.ns().exec("sysctl -qw net.ipv4.igmp_max_memberships=20").exitCode, 0);
  ASSERT_TRUE(reload(true)) << why();
  EXPECT_TRUE(waitFor(10s, [&] { return stateOf("VI_2") == "MASTER"; })) << why();
  EXPECT_TRUE(groupJoined());
  EXPECT_EQ(transitions(), before) << why();
}

}  // namespace
}  // namespace vigil::test
