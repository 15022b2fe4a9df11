#include <gtest/gtest.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "config/loader.h"
#include "core/simulated_loop.h"
#include "fakes/fake_process_spawner.h"
#include "vrrp/script_runner.h"
#include "vrrp/script_runner_security.h"

namespace vigil::vrrp {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

using FakeSpawner = fakes::FakeProcessSpawner;

ScriptSpec spec(std::string name, uint32_t rise = 1, uint32_t fall = 1, bool initFail = false) {
  ScriptSpec s;
  s.name = std::move(name);
  s.argv = {"/bin/check", "arg"};
  s.interval = seconds(2);
  s.timeout = seconds(1);
  s.rise = rise;
  s.fall = fall;
  s.initFail = initFail;
  return s;
}

struct Fixture {
  explicit Fixture(std::vector<ScriptSpec> specs)
      : runner(loop, spawner, std::move(specs),
               [this](const std::string& name, bool ok) { changes.emplace_back(name, ok); }) {}

  SimulatedLoop loop;
  FakeSpawner spawner;
  std::vector<std::pair<std::string, bool>> changes;
  ScriptRunner runner;
};

TEST(ScriptRunnerTest, RunsAtStartThenEveryInterval) {
  Fixture f({spec("chk")});
  f.runner.start();
  ASSERT_EQ(f.spawner.requests.size(), 1u);
  EXPECT_EQ(f.spawner.requests[0].argv, (std::vector<std::string>{"/bin/check", "arg"}));
  EXPECT_EQ(f.spawner.requests[0].timeout, std::optional<Duration>(seconds(1)));
  ASSERT_TRUE(f.spawner.exitOldest(0));
  f.loop.advance(milliseconds(1999));
  EXPECT_EQ(f.spawner.requests.size(), 1u);
  f.loop.advance(milliseconds(1));
  EXPECT_EQ(f.spawner.requests.size(), 2u);
  EXPECT_TRUE(f.changes.empty());  // OK from the start, still OK
}

TEST(ScriptRunnerTest, NeverRunsTheSameScriptTwiceAtOnce) {
  Fixture f({spec("slow")});
  f.runner.start();
  f.loop.advance(seconds(6));  // three ticks while the first run is still going
  EXPECT_EQ(f.spawner.requests.size(), 1u);
  EXPECT_EQ(f.runner.counters("slow")->skippedBusy, 3u);
  EXPECT_TRUE(f.runner.running("slow"));
  ASSERT_TRUE(f.spawner.exitOldest(0));
  f.loop.advance(seconds(2));
  EXPECT_EQ(f.spawner.requests.size(), 2u);
}

TEST(ScriptRunnerTest, FallFailuresMakeItKoAndRiseSuccessesOkAgain) {
  Fixture f({spec("chk", /*rise=*/2, /*fall=*/3)});
  f.runner.start();
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(f.runner.status("chk"), std::optional<bool>(true)) << i;
    ASSERT_TRUE(f.spawner.exitOldest(1));
    f.loop.advance(seconds(2));
  }
  ASSERT_EQ(f.changes.size(), 1u);
  EXPECT_EQ(f.changes[0], std::make_pair(std::string("chk"), false));
  ASSERT_TRUE(f.spawner.exitOldest(0));
  f.loop.advance(seconds(2));
  ASSERT_TRUE(f.spawner.exitOldest(1));  // a failure resets the run of successes
  f.loop.advance(seconds(2));
  ASSERT_TRUE(f.spawner.exitOldest(0));
  f.loop.advance(seconds(2));
  EXPECT_EQ(f.changes.size(), 1u);
  ASSERT_TRUE(f.spawner.exitOldest(0));
  ASSERT_EQ(f.changes.size(), 2u);
  EXPECT_EQ(f.changes[1], std::make_pair(std::string("chk"), true));
  EXPECT_EQ(f.runner.counters("chk")->failures, 4u);
}

TEST(ScriptRunnerTest, InitFailStartsKo) {
  Fixture f({spec("chk", 1, 1, /*initFail=*/true)});
  EXPECT_EQ(f.runner.status("chk"), std::optional<bool>(false));
  f.runner.start();
  ASSERT_TRUE(f.spawner.exitOldest(0));
  ASSERT_EQ(f.changes.size(), 1u);
  EXPECT_TRUE(f.changes[0].second);
}

TEST(ScriptRunnerTest, TimeoutsAndSpawnErrorsAreFailures) {
  Fixture f({spec("chk", 1, 2)});
  f.spawner.failNext = true;
  f.runner.start();
  EXPECT_EQ(f.runner.counters("chk")->spawnErrors, 1u);
  EXPECT_FALSE(f.runner.running("chk"));
  f.loop.advance(seconds(2));
  ASSERT_TRUE(f.spawner.exitOldest(0, /*timedOut=*/true));
  EXPECT_EQ(f.runner.counters("chk")->timeouts, 1u);
  ASSERT_EQ(f.changes.size(), 1u);
  EXPECT_FALSE(f.changes[0].second);
}

TEST(ScriptRunnerTest, AnExitAfterTheRunnerIsGoneIsIgnored) {
  SimulatedLoop loop;
  FakeSpawner spawner;
  int calls = 0;
  {
    ScriptRunner runner(loop, spawner, {spec("chk")}, [&](const std::string&, bool) { ++calls; });
    runner.start();
  }
  ASSERT_TRUE(spawner.exitOldest(1));
  EXPECT_EQ(calls, 0);
}

TEST(ScriptRunnerTest, OnlyTrackedScriptsArePrepared) {
  auto r = config::loadConfigText("t.conf", R"(
vrrp_script used {
  script "/bin/true"
  interval 3
  timeout 2
  rise 4
}
vrrp_script unused {
  script "/bin/true"
}
vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 51
  track_script {
    used
  }
  virtual_ipaddress {
    10.0.0.1
  }
}
)",
                                  config::LoadOptions{});
  ASSERT_TRUE(r.config);
  PreparedScripts p = prepareTrackedScripts(r.config->vrrp, r.config->global);
  ASSERT_EQ(p.specs.size(), 1u);
  EXPECT_TRUE(p.refused.empty());
  EXPECT_EQ(p.specs[0].name, "used");
  EXPECT_EQ(p.specs[0].argv, (std::vector<std::string>{"/bin/true"}));
  EXPECT_EQ(p.specs[0].interval, seconds(3));
  EXPECT_EQ(p.specs[0].timeout, seconds(2));
  EXPECT_EQ(p.specs[0].rise, 4u);
}

TEST(ScriptCommandTest, SplitsLikeKeepalived) {
  EXPECT_EQ(splitCommand("/usr/bin/check  a\tb"),
            (std::vector<std::string>{"/usr/bin/check", "a", "b"}));
  EXPECT_EQ(splitCommand("/bin/sh -c 'exit 3' x"),
            (std::vector<std::string>{"/bin/sh", "-c", "exit 3", "x"}));
  EXPECT_EQ(splitCommand("a 'b'c ''"), (std::vector<std::string>{"a", "bc", ""}));
  EXPECT_EQ(splitCommand("a\\ b"), (std::vector<std::string>{"a b"}));
  EXPECT_TRUE(splitCommand("   ").empty());
}

TEST(ScriptSecurityTest, UnprivilegedScriptsAreNotChecked) {
  EXPECT_TRUE(checkScriptSecurity("/nonexistent/x", RunAs{1000, 1000}).ok());
}

// /tmp is writable by everyone, so nothing under it may run as root.
TEST(ScriptSecurityTest, RootScriptInAUserWritablePlaceIsRefused) {
  char dir[] = "/tmp/vigil-sec-XXXXXX";
  ASSERT_NE(::mkdtemp(dir), nullptr);
  std::string script = std::string(dir) + "/check.sh";
  FILE* f = std::fopen(script.c_str(), "w");
  ASSERT_NE(f, nullptr);
  std::fclose(f);
  Status s = checkScriptSecurity(script, RunAs{0, 0});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, EPERM);
  EXPECT_NE(s.error().message.find(script), std::string::npos) << s.error().message;
  std::remove(script.c_str());
  ::rmdir(dir);
}

TEST(ScriptSecurityTest, RootOwnedSystemBinaryIsAccepted) {
  auto path = resolveExecutable("true");
  ASSERT_TRUE(path.ok());
  EXPECT_TRUE(checkScriptSecurity(*path, RunAs{0, 0}).ok()) << *path;
}

}  // namespace
}  // namespace vigil::vrrp
