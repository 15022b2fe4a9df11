#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "support/netns.h"
#include "support/run_command.h"
#include "support/test_paths.h"
#include "support/vrrp_lab.h"
#include "support/wait_for.h"

// A refused reload says where the file is wrong (FILE:LINE:COL) in
// `vigilctl reload`'s output and exit status and in /status `last_reload`,
// and a good one after it clears the error (doc/reload.md#errors).
namespace vigil::test {
namespace {

using nlohmann::json;
using std::chrono::seconds;

class ReloadErrorsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!runningAsRoot()) GTEST_SKIP() << "needs root for network namespaces";
    ASSERT_TRUE(ns_.ok());
    ASSERT_EQ(ns_.exec("ip link set lo up").exitCode, 0);
    dir_ = std::filesystem::temp_directory_path() / ("h6-" + ns_.name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override {
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  std::string socket() const { return path("run/vigild.sock"); }

  // One virtual server whose real server is checked on the loopback (no
  // listener: it goes down, which is fine here).
  void writeGood(int weight) const {
    std::ofstream(path("vigil.conf"))
        << "global_defs {\n  dataplane none\n}\n"
        << "virtual_server 127.0.0.1 8061 {\n  protocol TCP\n  lb_algo rr\n"
        << "  real_server 127.0.0.1 8062 {\n    weight " << weight << "\n"
        << "    TCP_CHECK {\n      connect_timeout 0.5\n      delay_loop 0.5\n    }\n  }\n}\n";
  }

  CommandResult vigilctl(const std::string& args) const {
    return runCommand(std::string(VIGIL_BIN_DIR) + "/vigilctl " + args + " --socket " + socket());
  }

  json lastReload() const {
    CommandResult r = vigilctl("status --json");
    if (r.exitCode != 0) return json();
    json doc = json::parse(r.output, nullptr, false);
    return doc.is_discarded() || !doc.contains("last_reload") ? json() : doc["last_reload"];
  }

  NetNs ns_{"h6"};
  std::filesystem::path dir_;
};

TEST_F(ReloadErrorsTest, ARefusedFileNamesFileLineColumnInVigilctlAndStatus) {
  writeGood(1);
  NsProcess daemon(
      ns_, path("vigild.log"),
      {"env", "VIGIL_CONTROL_SOCKET=" + socket(), vigild(), "-n", "-l", "-f", path("vigil.conf")});
  ASSERT_TRUE(daemon.start());
  ASSERT_TRUE(waitFor(seconds(15), [&] { return vigilctl("status").exitCode == 0; }))
      << daemon.log();
  EXPECT_TRUE(lastReload().is_null());  // no reload yet

  // Line 3, column 3: `lb_algo` without its argument.
  std::ofstream(path("vigil.conf")) << "virtual_server 127.0.0.1 8061 {\n  protocol TCP\n"
                                    << "  lb_algo\n}\n";
  const std::string where = path("vigil.conf") + ":3:3:";
  CommandResult broken = vigilctl("reload");
  EXPECT_NE(broken.exitCode, 0) << broken.output;
  EXPECT_NE(broken.output.find(where), std::string::npos) << broken.output;
  EXPECT_NE(broken.output.find("still running generation 1"), std::string::npos) << broken.output;
  json last = lastReload();
  ASSERT_TRUE(last.is_object()) << vigilctl("status --json").output;
  EXPECT_FALSE(last.value("ok", true));
  EXPECT_EQ(last.value("generation", 0), 1);
  EXPECT_NE(last.value("error", std::string()).find(where), std::string::npos) << last.dump();
  EXPECT_GT(last.value("time", 0.0), 1.6e9);
  EXPECT_NE(daemon.log().find(where), std::string::npos) << daemon.log();

  // SIGHUP with the same file: the same report, the log names it once more.
  daemon.signal(SIGHUP);
  EXPECT_TRUE(waitFor(seconds(10), [&] {
    const std::string log = daemon.log();
    return log.find(where) != log.rfind(where);
  })) << daemon.log();

  writeGood(2);
  CommandResult good = vigilctl("reload");
  EXPECT_EQ(good.exitCode, 0) << good.output;
  last = lastReload();
  EXPECT_TRUE(last.value("ok", false)) << last.dump();
  EXPECT_EQ(last.value("generation", 0), 2);
  EXPECT_FALSE(last.contains("error")) << last.dump();

  daemon.signal(SIGTERM);
  EXPECT_TRUE(daemon.reap(seconds(15)));
}

}  // namespace
}  // namespace vigil::test
