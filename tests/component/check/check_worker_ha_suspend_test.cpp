#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "check/check_worker.h"
#include "config/loader.h"
#include "core/simulated_loop.h"
#include "fakes/fake_address_monitor.h"
#include "fakes/fake_probe.h"

// ha_suspend in the check worker: a service whose address is not local
// sends no probes, keeps its servers' state, and resumes when the address
// appears.
namespace vigil::check {
namespace {

using std::chrono::milliseconds;

constexpr const char* kTiming = "delay_loop 1\n connect_timeout 1\n retry 0\n warmup 0\n";

std::string config(bool alpha) {
  // 10.0.0.100 has ha_suspend; 10.0.0.200 has none and shares its checker
  // of 10.0.0.3 with it (identical TCP_CHECK: one probe).
  const std::string rs = std::string("TCP_CHECK { ") + kTiming + " }";
  return std::string("virtual_server 10.0.0.100 80 {\n protocol TCP\n ha_suspend\n") +
         (alpha ? " alpha\n" : "") + " real_server 10.0.0.2 80 { " + rs + " }\n" +
         " real_server 10.0.0.3 80 { " + rs + " }\n}\n" +
         "virtual_server 10.0.0.200 80 {\n protocol TCP\n real_server 10.0.0.3 80 { " + rs +
         " }\n}\n";
}

class CheckWorkerHaSuspendTest : public ::testing::Test {
 protected:
  void start(bool alpha) {
    auto loaded = config::loadConfigText("t.conf", config(alpha), config::LoadOptions{});
    ASSERT_NE(loaded.config, nullptr);
    config_ = loaded.config;
    CheckWorkerIo io;
    io.makeProbe = [this](const config::Checker& checker) {
      auto& control = controls_[checker.target.address.toString()];
      if (!control) {
        control = std::make_shared<fakes::FakeProbeControl>();
        control->loop = &loop_;
        control->autoResult = ProbeResult{Outcome::Up, std::nullopt, "fake"};
      }
      return ProbeSpec{std::make_unique<fakes::FakeProbe>(control), std::chrono::seconds(1), {}};
    };
    io.random = [](Duration) { return Duration{0}; };
    io.addresses = std::make_unique<fakes::FakeAddressMonitor>(addresses_);
    worker_ = std::make_unique<CheckWorker>(
        loop_, config_, 1, [this](uint64_t) { return config_; }, std::move(io));
    loop_.runPosted();
  }

  void poll() {
    loop_.advance(milliseconds(1001));
    loop_.runPosted();
  }

  int starts(const std::string& address) { return controls_.at(address)->starts; }
  nlohmann::json service(size_t s) {
    return nlohmann::json::parse(worker_->snapshot())["virtual_servers"][s];
  }

  SimulatedLoop loop_;
  fakes::FakeAddressState addresses_;
  std::shared_ptr<const config::Config> config_;
  std::map<std::string, std::shared_ptr<fakes::FakeProbeControl>> controls_;
  std::unique_ptr<CheckWorker> worker_;
};

TEST_F(CheckWorkerHaSuspendTest, NoProbesWhileTheAddressIsAbsentAndStateIsKept) {
  start(/*alpha=*/true);
  poll();
  poll();
  EXPECT_EQ(starts("10.0.0.2"), 0);
  // 10.0.0.3's probe is shared with the service without ha_suspend: it runs.
  EXPECT_GT(starts("10.0.0.3"), 0);
  nlohmann::json vs = service(0);
  EXPECT_TRUE(vs["suspended"].get<bool>());
  EXPECT_TRUE(vs["real_servers"][0]["suspended"].get<bool>());
  EXPECT_FALSE(vs["real_servers"][0]["up"].get<bool>());  // alpha: down, as it started
  EXPECT_FALSE(vs["real_servers"][0]["checkers"][0]["running"].get<bool>());
  EXPECT_FALSE(service(1).contains("suspended"));
}

TEST_F(CheckWorkerHaSuspendTest, AddressAddedResumesWithinOneIntervalAndRemovedSuspends) {
  start(/*alpha=*/true);
  poll();
  addresses_.add(2, "10.0.0.100");
  loop_.runPosted();
  EXPECT_FALSE(service(0)["suspended"].get<bool>());
  poll();
  EXPECT_EQ(starts("10.0.0.2"), 1);
  EXPECT_TRUE(service(0)["real_servers"][0]["up"].get<bool>());

  addresses_.remove(2, "10.0.0.100");
  loop_.runPosted();
  const int before = starts("10.0.0.2");
  poll();
  poll();
  EXPECT_EQ(starts("10.0.0.2"), before);
  EXPECT_TRUE(service(0)["suspended"].get<bool>());
  // Suspension keeps the state: still up, though no probe runs.
  EXPECT_TRUE(service(0)["real_servers"][0]["up"].get<bool>());
}

TEST_F(CheckWorkerHaSuspendTest, AnAddressPresentAtStartRunsTheCheckers) {
  addresses_.add(2, "10.0.0.100");
  start(/*alpha=*/false);
  poll();
  EXPECT_GT(starts("10.0.0.2"), 0);
  EXPECT_FALSE(service(0)["suspended"].get<bool>());
}

TEST_F(CheckWorkerHaSuspendTest, ReloadKeepsTheSuspension) {
  start(/*alpha=*/false);
  poll();
  worker_->reload(2);
  loop_.runPosted();
  poll();
  EXPECT_EQ(starts("10.0.0.2"), 0);
  EXPECT_TRUE(service(0)["suspended"].get<bool>());
}

}  // namespace
}  // namespace vigil::check
