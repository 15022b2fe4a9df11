#include "check/lvs_notify.h"

#include <gtest/gtest.h>

#include <string>

#include "config/loader.h"
#include "core/simulated_loop.h"
#include "fakes/fake_process_spawner.h"

namespace vigil::check {
namespace {

config::LoadResult load(const std::string& text) {
  auto r = config::loadConfigText("t.conf", text, config::LoadOptions{});
  EXPECT_NE(r.config, nullptr);
  return r;
}

const char* kService = R"(
virtual_server 10.0.0.100 80 {
  protocol TCP
  quorum_up "/bin/quorum up"
  quorum_down /bin/quorum-down
  real_server 10.0.0.2 8080 {
    notify_up "/bin/rs up"
    notify_down /bin/rs-down
    TCP_CHECK { connect_timeout 1 }
  }
}
virtual_server fwmark 7 {
  real_server 10.0.0.3 80 { }
}
virtual_server 2001:db8::1 53 {
  protocol UDP
  real_server 2001:db8::2 53 { }
}
)";

Result<SpawnRequest> splitOnBlanks(const config::ScriptCommand& command) {
  SpawnRequest request;
  std::string word;
  for (char c : command.command + " ") {
    if (c != ' ') {
      word += c;
    } else if (!word.empty()) {
      request.argv.push_back(std::move(word));
      word.clear();
    }
  }
  return request;
}

TEST(LvsNotifyLineTest, KeepalivedFormat) {
  auto r = load(kService);
  const auto& services = r.config->lvs.virtualServers;
  EXPECT_EQ(realServerFifoLine(services[0], services[0].realServers[0], true),
            "RS [10.0.0.2]:tcp:8080 [10.0.0.100]:tcp:80 UP");
  EXPECT_EQ(serviceFifoLine(services[0], false), "VS [10.0.0.100]:tcp:80 DOWN");
  EXPECT_EQ(serviceFifoLine(services[1], true), "VS FWM 7 UP");
  EXPECT_EQ(realServerFifoLine(services[2], services[2].realServers[0], false),
            "RS [2001:db8::2]:udp:53 [2001:db8::1]:udp:53 DOWN");
}

TEST(LvsNotifierTest, RunsTheScriptAsWrittenWithoutArguments) {
  auto r = load(kService);
  const auto& vs = r.config->lvs.virtualServers[0];
  SimulatedLoop loop;
  fakes::FakeProcessSpawner spawner;
  LvsNotifier notifier(loop, &spawner, splitOnBlanks, r.config->global);
  notifier.start(true);
  notifier.realServer(vs, vs.realServers[0], true);
  notifier.realServer(vs, vs.realServers[0], false);
  notifier.quorum(vs, true);
  notifier.quorum(vs, false);
  ASSERT_EQ(spawner.requests.size(), 4u);
  EXPECT_EQ(spawner.requests[0].argv, (std::vector<std::string>{"/bin/rs", "up"}));
  EXPECT_EQ(spawner.requests[1].argv, (std::vector<std::string>{"/bin/rs-down"}));
  EXPECT_EQ(spawner.requests[2].argv, (std::vector<std::string>{"/bin/quorum", "up"}));
  EXPECT_EQ(spawner.requests[3].argv, (std::vector<std::string>{"/bin/quorum-down"}));
  EXPECT_EQ(notifier.counters().scriptsStarted, 4u);
  spawner.exitOldest(1);
  EXPECT_EQ(notifier.counters().scriptsFailed, 1u);
}

TEST(LvsNotifierTest, RefusedScriptIsCountedNotRun) {
  auto r = load(kService);
  const auto& vs = r.config->lvs.virtualServers[0];
  SimulatedLoop loop;
  fakes::FakeProcessSpawner spawner;
  LvsNotifier notifier(
      loop, &spawner,
      [](const config::ScriptCommand&) -> Result<SpawnRequest> {
        return Error{EPERM, "refused"};
      },
      r.config->global);
  notifier.quorum(vs, true);
  EXPECT_TRUE(spawner.requests.empty());
  EXPECT_EQ(notifier.counters().refused, 1u);
}

TEST(LvsNotifierTest, KeptOnReloadOnlyWhenTheFifosAreTheSame) {
  auto a = load("global_defs {\n lvs_notify_fifo /run/a.fifo\n}\n" + std::string(kService));
  auto b = load("global_defs {\n lvs_notify_fifo /run/b.fifo\n}\n" + std::string(kService));
  auto c =
      load("global_defs {\n lvs_notify_fifo /run/a.fifo\n lvs_notify_fifo_script /bin/reader\n}\n" +
           std::string(kService));
  SimulatedLoop loop;
  LvsNotifier notifier(loop, nullptr, splitOnBlanks, a.config->global);
  EXPECT_TRUE(notifier.sameFifos(a.config->global));
  EXPECT_FALSE(notifier.sameFifos(b.config->global));
  EXPECT_FALSE(notifier.sameFifos(c.config->global));
}

}  // namespace
}  // namespace vigil::check
