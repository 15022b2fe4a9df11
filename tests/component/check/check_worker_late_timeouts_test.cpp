#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "check/check_worker.h"
#include "config/loader.h"
#include "core/simulated_loop.h"
#include "fakes/fake_probe.h"
#include "support/check_worker_generations.h"

// vigil_check_late_timeouts_total is a counter: the worker publishes one
// running total (pacing.late_timeouts) that a reload dropping checkers does
// not lower and that counts a checker shared by several services once.
namespace vigil::check {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// A TCP_CHECK (every 3 s, connect_timeout 1 s, no warmup, no retry).
std::string realServer(int octet) {
  return " real_server 10.0.0." + std::to_string(octet) +
         " 80 { weight 1\n TCP_CHECK { delay_loop 3\n connect_timeout 1\n retry 0\n"
         " warmup 0\n } }\n";
}

std::string virtualServer(int port, const std::string& servers) {
  return "virtual_server 10.0.0.100 " + std::to_string(port) + " {\n protocol TCP\n lb_algo rr\n" +
         servers + "}\n";
}

class CheckWorkerLateTimeoutsTest : public ::testing::Test {
 protected:
  void start(const std::string& text) {
    CheckWorkerIo io;
    // Probes never answer on their own: the test finishes them.
    io.makeProbe = [this](const config::Checker& checker) {
      auto& control = controls_[checker.target.address.toString()];
      if (!control) control = std::make_shared<fakes::FakeProbeControl>();
      return ProbeSpec{std::make_unique<fakes::FakeProbe>(control), seconds(1), {}};
    };
    io.random = [](Duration) { return Duration{0}; };
    worker_ = generations_.start(loop_, text, std::move(io));
  }

  void reload(uint64_t generation, const std::string& text) {
    generations_.reload(loop_, *worker_, generation, text);
  }

  // Every attempt in flight times out 2 s late (the loop stalled), is
  // extended, and is then answered.
  void stallThenAnswer() {
    loop_.stall(seconds(3));
    loop_.advance(Duration::zero());
    for (auto& [address, control] : controls_) control->finish(Outcome::Up);
    loop_.advance(milliseconds(100));
    loop_.runPosted();
  }

  nlohmann::json snapshot() const { return nlohmann::json::parse(worker_->snapshot()); }

  // What the per-checker counters of the configured checkers add up to.
  static uint64_t perCheckerSum(const nlohmann::json& doc) {
    uint64_t sum = 0;
    for (const auto& vs : doc["virtual_servers"]) {
      for (const auto& rs : vs["real_servers"]) {
        for (const auto& c : rs["checkers"]) sum += c.value("late_timeouts", uint64_t{0});
      }
    }
    return sum;
  }

  SimulatedLoop loop_;
  test::CheckWorkerGenerations generations_;
  std::map<std::string, std::shared_ptr<fakes::FakeProbeControl>> controls_;
  std::unique_ptr<CheckWorker> worker_;
};

TEST_F(CheckWorkerLateTimeoutsTest, ASharedCheckerCountsOnceAndAReloadDoesNotLowerTheTotal) {
  // 10.0.0.2's checker is identical under both services: one shared Checker.
  start(virtualServer(80, realServer(2) + realServer(3)) + virtualServer(81, realServer(2)));
  ASSERT_EQ(controls_.size(), 2U);
  ASSERT_TRUE(controls_.at("10.0.0.2")->inFlight());
  ASSERT_TRUE(controls_.at("10.0.0.3")->inFlight());
  stallThenAnswer();

  nlohmann::json doc = snapshot();
  EXPECT_EQ(doc["pacing"]["late_timeouts"], 2U) << doc["pacing"].dump();
  EXPECT_EQ(perCheckerSum(doc), 3U) << "the shared checker shows under both services";

  // Drop 10.0.0.3 and the second service: the total stays.
  reload(2, virtualServer(80, realServer(2)));
  doc = snapshot();
  EXPECT_EQ(perCheckerSum(doc), 1U);
  EXPECT_EQ(doc["pacing"]["late_timeouts"], 2U) << doc["pacing"].dump();
}

}  // namespace
}  // namespace vigil::check
