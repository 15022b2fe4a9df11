#include "vrrp/script_runner.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "core/posix_event_loop.h"
#include "fakes/run_until.h"

// vrrp_script checks run as real processes on a real loop, bounded in time.
namespace vigil::vrrp {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

ScriptSpec spec(std::string name, std::vector<std::string> argv) {
  ScriptSpec s;
  s.name = std::move(name);
  s.argv = std::move(argv);
  s.interval = milliseconds(100);
  s.timeout = seconds(2);
  return s;
}

TEST(ScriptRunnerComponentTest, TrueStaysOkFalseGoesKo) {
  PosixEventLoop loop;
  PosixProcessSpawner spawner(loop);
  std::vector<std::pair<std::string, bool>> changes;
  ScriptRunner runner(loop, spawner, {spec("good", {"true"}), spec("bad", {"/bin/false"})},
                      [&](const std::string& n, bool ok) { changes.emplace_back(n, ok); });
  runner.start();
  ASSERT_TRUE(fakes::runUntil(loop, [&] { return runner.counters("good")->runs >= 2; }));
  ASSERT_TRUE(fakes::runUntil(loop, [&] { return !changes.empty(); }));
  EXPECT_EQ(changes.front(), std::make_pair(std::string("bad"), false));
  EXPECT_EQ(runner.status("good"), std::optional<bool>(true));
  EXPECT_EQ(runner.counters("good")->failures, 0u);
}

TEST(ScriptRunnerComponentTest, ASleepingScriptIsKilledAtItsTimeoutAndCountsAsFailure) {
  PosixEventLoop loop;
  loop.setKillGrace(milliseconds(200));
  PosixProcessSpawner spawner(loop);
  ScriptSpec slow = spec("slow", {"/bin/sh", "-c", "sleep 30"});
  slow.interval = seconds(5);  // no second run during the test
  slow.timeout = milliseconds(200);
  std::vector<bool> changes;
  ScriptRunner runner(loop, spawner, {slow},
                      [&](const std::string&, bool ok) { changes.push_back(ok); });
  auto started = std::chrono::steady_clock::now();
  runner.start();
  ASSERT_TRUE(fakes::runUntil(
      loop, [&] { return !changes.empty(); }, seconds(5)));
  EXPECT_LT(std::chrono::steady_clock::now() - started, seconds(3));
  EXPECT_FALSE(changes[0]);
  EXPECT_EQ(runner.counters("slow")->timeouts, 1u);
  EXPECT_FALSE(runner.running("slow"));
}

TEST(ScriptRunnerComponentTest, ArgumentsReachTheScriptSplitAsConfigured) {
  char tmpl[] = "/tmp/vigil-script-XXXXXX";
  std::string dir = ::mkdtemp(tmpl);
  std::string out = dir + "/args";
  config::VrrpScript cfg;
  cfg.name = "args";
  cfg.script = "/bin/sh -c 'printf \"%s|\" \"$@\" > " + out + "' sh one 'two words'";
  cfg.interval = seconds(5);
  auto prepared = prepareScript(cfg, config::GlobalDefs{});
  ASSERT_TRUE(prepared.ok()) << prepared.error().describe();
  PosixEventLoop loop;
  PosixProcessSpawner spawner(loop);
  ScriptRunner runner(loop, spawner, {*prepared}, nullptr);
  runner.start();
  ASSERT_TRUE(fakes::runUntil(loop, [&] { return !runner.running("args"); }));
  std::ifstream in(out);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, "one|two words|");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace vigil::vrrp

namespace vigil::vrrp {
namespace {

TEST(ScriptRunnerComponentTest, RunsAsTheConfiguredUser) {
  if (::geteuid() != 0) {
    GTEST_SKIP() << "switching user needs root";
  }
  char tmpl[] = "/tmp/vigil-script-XXXXXX";
  std::string dir = ::mkdtemp(tmpl);
  ::chmod(dir.c_str(), 0777);
  std::string out = dir + "/id";
  config::VrrpScript cfg;
  cfg.name = "who";
  cfg.script = "/bin/sh -c 'id -u > " + out + "'";
  cfg.user = config::ScriptAccount{"nobody", "", {}};
  auto prepared = prepareScript(cfg, config::GlobalDefs{});
  ASSERT_TRUE(prepared.ok()) << prepared.error().describe();
  PosixEventLoop loop;
  PosixProcessSpawner spawner(loop);
  ScriptRunner runner(loop, spawner, {*prepared}, nullptr);
  runner.start();
  ASSERT_TRUE(fakes::runUntil(loop, [&] { return !runner.running("who"); }));
  std::ifstream in(out);
  uid_t uid = 0;
  in >> uid;
  EXPECT_EQ(uid, prepared->runAs->uid);
  EXPECT_NE(uid, 0u);
  std::filesystem::remove_all(dir);
}

TEST(ScriptRunnerComponentTest, ScriptSecurityRefusesAWorldWritableRootScript) {
  if (::geteuid() != 0) {
    GTEST_SKIP() << "scripts only run as root when vigil is root";
  }
  config::GlobalDefs global;
  global.enableScriptSecurity = true;
  config::VrrpScript cfg;
  cfg.name = "unsafe";
  char tmpl[] = "/tmp/vigil-unsafe-XXXXXX";
  std::string dir = ::mkdtemp(tmpl);
  cfg.script = dir + "/check.sh";
  std::ofstream(cfg.script) << "#!/bin/sh\n";
  ::chmod(cfg.script.c_str(), 0755);
  auto prepared = prepareScript(cfg, global);
  ASSERT_FALSE(prepared.ok());
  // Root owns the script and its directory, but /tmp is writable by all.
  EXPECT_NE(prepared.error().message.find("vrrp_script unsafe"), std::string::npos);
  EXPECT_NE(prepared.error().message.find("writable by a non-root user"), std::string::npos)
      << prepared.error().message;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace vigil::vrrp
