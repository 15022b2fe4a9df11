#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "support/netns.h"
#include "support/run_command.h"
#include "support/test_paths.h"
#include "support/vrrp_lab.h"
#include "support/wait_for.h"

// vigild with one VRRP instance in a namespace of its own, driven with
// vigilctl over a control socket in a private directory: status, the VRRP
// snapshot as JSON, and reload with a good and a broken file.
namespace vigil::test {
namespace {

using nlohmann::json;
using std::chrono::seconds;

class VigilctlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!runningAsRoot()) GTEST_SKIP() << "needs root for network namespaces";
    ASSERT_TRUE(ns_.ok());
    ASSERT_TRUE(plugLonelyEth0(ns_, "192.0.2.1/24"));
    dir_ = std::filesystem::temp_directory_path() / ("h11-" + ns_.name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override {
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  // In a directory vigild creates itself.
  std::string socket() const { return path("run/vigild.sock"); }

  void writeConfig(int priority) const {
    std::ostringstream c;
    c << "global_defs {\n  dataplane none\n}\n"
      << "vrrp_instance VI_h11 {\n  state BACKUP\n  interface eth0\n  virtual_router_id 61\n"
      << "  version 3\n  priority " << priority << "\n  advert_int 0.1\n"
      << "  virtual_ipaddress {\n    192.0.2.61/24\n  }\n}\n";
    std::ofstream(path("vigil.conf")) << c.str();
  }

  CommandResult vigilctl(const std::string& args) const {
    return runCommand(std::string(VIGIL_BIN_DIR) + "/vigilctl " + args + " --socket " + socket());
  }

  json vrrpJson() const {
    CommandResult r = vigilctl("vrrp --json");
    if (r.exitCode != 0) return json();
    json doc = json::parse(r.output, nullptr, false);
    return doc.is_discarded() ? json() : doc;
  }

  NetNs ns_{"h11"};
  std::filesystem::path dir_;
};

TEST_F(VigilctlTest, StatusVrrpAndReloadOverTheControlSocket) {
  writeConfig(150);
  NsProcess daemon(
      ns_, path("vigild.log"),
      {"env", "VIGIL_CONTROL_SOCKET=" + socket(), vigild(), "-n", "-l", "-f", path("vigil.conf")});
  ASSERT_TRUE(daemon.start());

  // Alone on the link: MASTER, as the VRRP snapshot says.
  ASSERT_TRUE(waitFor(seconds(15), [&] {
    json doc = vrrpJson();
    return doc.contains("instances") && !doc["instances"].empty() &&
           doc["instances"][0].value("state", "") == "MASTER";
  })) << vigilctl("vrrp").output;
  EXPECT_EQ(std::filesystem::status(socket()).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);

  CommandResult status = vigilctl("status");
  EXPECT_EQ(status.exitCode, 0) << status.output;
  EXPECT_NE(status.output.find("generation 1"), std::string::npos) << status.output;
  EXPECT_NE(status.output.find("vrrp"), std::string::npos) << status.output;

  // A broken file: refused, and vigild keeps running generation 1.
  std::ofstream(path("vigil.conf")) << "vrrp_instance VI_h11 {\n  state BACKUP\n";
  CommandResult broken = vigilctl("reload");
  EXPECT_NE(broken.exitCode, 0) << broken.output;
  EXPECT_NE(broken.output.find("still running generation 1"), std::string::npos) << broken.output;
  EXPECT_EQ(vrrpJson().value("generation", 0), 1);

  // A good one: generation 2, and the VRRP worker takes it up.
  writeConfig(120);
  CommandResult good = vigilctl("reload");
  EXPECT_EQ(good.exitCode, 0) << good.output;
  EXPECT_NE(good.output.find("generation 2"), std::string::npos) << good.output;
  EXPECT_TRUE(waitFor(seconds(15), [&] {
    json doc = vrrpJson();
    return doc.value("generation", 0) == 2 && doc.contains("instances") &&
           !doc["instances"].empty() && doc["instances"][0].value("priority", 0) == 120;
  })) << vigilctl("vrrp --json").output;

  // Stopped, vigild takes its socket with it; vigilctl then says where it looked.
  daemon.signal(SIGTERM);
  EXPECT_TRUE(daemon.reap(std::chrono::seconds(15)));
  EXPECT_FALSE(std::filesystem::exists(socket()));
  CommandResult gone = vigilctl("status");
  EXPECT_NE(gone.exitCode, 0);
  EXPECT_NE(gone.output.find(socket()), std::string::npos) << gone.output;
}

// The IPVS views with the in-memory table (dataplane userspace): the
// counters in ipvsadm's --stats and --rate layouts and as JSON, and the
// connection list from the namespace's /proc/net/ip_vs_conn, or why not.
TEST_F(VigilctlTest, IpvsStatsRateAndConnections) {
  std::ofstream(path("vigil.conf"))
      << "global_defs {\n  dataplane userspace\n}\n"
      << "virtual_server 10.0.0.61 80 {\n  protocol TCP\n  lb_algo rr\n"
      << "  real_server 192.0.2.2 80 {\n    weight 2\n  }\n"
      << "  real_server 192.0.2.3 80 {\n  }\n}\n";
  NsProcess daemon(
      ns_, path("vigild.log"),
      {"env", "VIGIL_CONTROL_SOCKET=" + socket(), vigild(), "-n", "-l", "-f", path("vigil.conf")});
  ASSERT_TRUE(daemon.start());

  const std::string zeros = "        0        0        0        0        0\n";
  ASSERT_TRUE(waitFor(seconds(15),
                      [&] {
                        CommandResult r = vigilctl("ipvs -Ln --stats");
                        return r.exitCode == 0 &&
                               r.output.find("  -> 192.0.2.3:80") != std::string::npos;
                      }))
      << vigilctl("ipvs -Ln --stats").output << daemon.log();
  CommandResult stats = vigilctl("ipvs -Ln --stats");
  EXPECT_NE(stats.output.find("Prot LocalAddress:Port               Conns   InPkts  OutPkts  "
                              "InBytes OutBytes\n  -> RemoteAddress:Port\n"
                              "TCP  10.0.0.61:80                " +
                              zeros + "  -> 192.0.2.2:80                " + zeros),
            std::string::npos)
      << stats.output;
  CommandResult rate = vigilctl("ipvs -Ln --rate");
  EXPECT_EQ(rate.exitCode, 0) << rate.output;
  EXPECT_NE(rate.output.find("Prot LocalAddress:Port                 CPS    InPPS   OutPPS    "
                             "InBPS   OutBPS\n"),
            std::string::npos)
      << rate.output;

  CommandResult asJson = vigilctl("ipvs -L -n --stats --json");
  ASSERT_EQ(asJson.exitCode, 0) << asJson.output;
  json doc = json::parse(asJson.output, nullptr, false);
  ASSERT_TRUE(doc.is_object()) << asJson.output;
  ASSERT_EQ(doc["services"].size(), 1u) << asJson.output;
  ASSERT_EQ(doc["services"][0]["destinations"].size(), 2u) << asJson.output;
  EXPECT_EQ(doc["services"][0]["destinations"][0]["weight"], 2);
  EXPECT_EQ(doc["services"][0]["connections"], 0);

  EXPECT_EQ(vigilctl("ipvs -Ln --stats --rate").exitCode, 2);
  CommandResult connections = vigilctl("ipvs -Lnc");
  if (ns_.exec("test -e /proc/net/ip_vs_conn").exitCode == 0) {
    EXPECT_EQ(connections.exitCode, 0) << connections.output;
    EXPECT_EQ(connections.output.rfind("IPVS connection entries\npro expire state", 0), 0u)
        << connections.output;
  } else {
    EXPECT_EQ(connections.exitCode, 1) << connections.output;
    EXPECT_NE(connections.output.find("no IPVS connection table"), std::string::npos)
        << connections.output;
  }

  daemon.signal(SIGTERM);
  EXPECT_TRUE(daemon.reap(std::chrono::seconds(15)));
}

}  // namespace
}  // namespace vigil::test
