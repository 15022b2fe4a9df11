#include "cli/vigild/snmp_service.h"

#include <gtest/gtest.h>

#include "core/simulated_loop.h"

namespace vigil::cli {
namespace {

using namespace std::chrono_literals;

// Stands in for the module's agent: keeps what it was handed.
class RecordingAgent final : public monitor::snmp::Agent {
 public:
  RecordingAgent(std::string socket,
                 std::vector<std::shared_ptr<const monitor::snmp::MibSource>>& published)
      : socket_(std::move(socket)), published_(published) {}
  void publish(std::shared_ptr<const monitor::snmp::MibSource> source) override {
    published_.push_back(std::move(source));
  }
  std::vector<std::string> takeEvents() override { return {}; }
  const std::string& socket() const override { return socket_; }

 private:
  std::string socket_;
  std::vector<std::shared_ptr<const monitor::snmp::MibSource>>& published_;
};

class SnmpServiceTest : public ::testing::Test {
 protected:
  SnmpServiceTest() {
    auto enabled = std::make_shared<config::Config>();
    enabled->global.snmp.vrrp = true;
    enabled->global.snmp.socket = "unix:/run/test-agentx";
    config_ = enabled;
  }

  SnmpService service(SnmpService::AgentLoader load) {
    return SnmpService(loop_, {"vigil", 1s, [this] { return config_; },
                               [] {
                                 WorkerStatus vrrp;
                                 vrrp.name = "vrrp";
                                 vrrp.lastSnapshot = R"({"instances":[]})";
                                 return std::vector<WorkerStatus>{vrrp};
                               },
                               std::move(load)});
  }

  // Counts each load, keeps the socket it was asked for, and hands back a
  // RecordingAgent that publishes into published_.
  SnmpService::AgentLoader recordingLoader() {
    return [this](const monitor::snmp::AgentOptions& options)
               -> Result<std::unique_ptr<monitor::snmp::Agent>> {
      ++loads_;
      sockets_.push_back(options.socket);
      return std::unique_ptr<monitor::snmp::Agent>(
          std::make_unique<RecordingAgent>(options.socket, published_));
    };
  }

  SimulatedLoop loop_;
  std::shared_ptr<const config::Config> config_;
  int loads_ = 0;
  std::vector<std::string> sockets_;
  std::vector<std::shared_ptr<const monitor::snmp::MibSource>> published_;
};

TEST_F(SnmpServiceTest, WithSnmpOffTheAgentIsNeverLoaded) {
  auto off = std::make_shared<config::Config>();
  config_ = off;
  SnmpService snmp = service(
      [&](const monitor::snmp::AgentOptions&) -> Result<std::unique_ptr<monitor::snmp::Agent>> {
        ++loads_;
        return Error{ENOENT, "not asked for"};
      });
  snmp.apply(off->global);
  snmp.apply(off->global);
  loop_.advance(5s);
  EXPECT_EQ(loads_, 0);
}

TEST_F(SnmpServiceTest, LoadsTheAgentOnceSnmpIsOnAndPublishesEveryInterval) {
  SnmpService snmp = service(recordingLoader());
  snmp.apply(config_->global);
  EXPECT_EQ(loads_, 1);
  EXPECT_EQ(sockets_, std::vector<std::string>{"unix:/run/test-agentx"});
  ASSERT_EQ(published_.size(), 1u);
  EXPECT_EQ(published_[0]->config, config_);
  EXPECT_EQ(published_[0]->vrrpSnapshot, R"({"instances":[]})");

  loop_.advance(1s);
  EXPECT_EQ(published_.size(), 2u);
  snmp.apply(config_->global);  // a reload: the same agent, published at once
  EXPECT_EQ(loads_, 1);
  EXPECT_EQ(published_.size(), 3u);
}

TEST_F(SnmpServiceTest, AReloadThatTurnsSnmpOnLoadsTheAgentThen) {
  auto on = config_;
  config_ = std::make_shared<config::Config>();
  SnmpService snmp = service(recordingLoader());
  snmp.apply(config_->global);
  loop_.advance(3s);
  EXPECT_EQ(loads_, 0);

  config_ = on;  // the reload
  snmp.apply(on->global);
  EXPECT_EQ(loads_, 1);
  EXPECT_EQ(sockets_, std::vector<std::string>{"unix:/run/test-agentx"});
  ASSERT_EQ(published_.size(), 1u);
  EXPECT_EQ(published_[0]->config, on);
  loop_.advance(1s);
  EXPECT_EQ(published_.size(), 2u);
}

// net-snmp's global state keeps the agent for the daemon's life: a reload
// that turns SNMP off leaves it running, serving an empty KEEPALIVED-MIB
// (no configuration), and turning SNMP on again reuses it.
TEST_F(SnmpServiceTest, AReloadThatTurnsSnmpOffKeepsTheAgentServingNoConfiguration) {
  auto on = config_;
  SnmpService snmp = service(recordingLoader());
  snmp.apply(on->global);
  ASSERT_EQ(published_.size(), 1u);
  EXPECT_EQ(published_[0]->config, on);

  auto off = std::make_shared<config::Config>();  // the reload
  off->global.snmp.socket = "tcp:localhost:705";  // with SNMP off: not a socket change
  config_ = off;
  ::testing::internal::CaptureStderr();
  snmp.apply(off->global);
  const std::string logged = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(logged.find("SNMP is off in this configuration"), std::string::npos) << logged;
  EXPECT_EQ(logged.find("takes effect at the next start"), std::string::npos) << logged;
  ASSERT_EQ(published_.size(), 2u);
  EXPECT_EQ(published_[1]->config, nullptr);
  EXPECT_EQ(published_[1]->version, "vigil");
  loop_.advance(1s);
  ASSERT_EQ(published_.size(), 3u);
  EXPECT_EQ(published_[2]->config, nullptr);

  config_ = on;
  snmp.apply(on->global);
  EXPECT_EQ(loads_, 1);
  ASSERT_EQ(published_.size(), 4u);
  EXPECT_EQ(published_[3]->config, on);
}

// A missing or mismatched vigil-snmp.so: SNMP stays off, tried once (the
// error is logged once), and a reload does not try again.
TEST_F(SnmpServiceTest, AnAgentThatCannotLoadLeavesSnmpOffAndIsNotRetried) {
  SnmpService snmp = service([&](const monitor::snmp::AgentOptions&)
                                 -> Result<std::unique_ptr<monitor::snmp::Agent>> {
    ++loads_;
    return Error{ENOENT, "vigil-snmp.so is neither at /a/vigil-snmp.so nor at /b/vigil-snmp.so"};
  });
  snmp.apply(config_->global);
  loop_.advance(3s);
  snmp.apply(config_->global);
  loop_.advance(3s);
  EXPECT_EQ(loads_, 1);
  EXPECT_TRUE(published_.empty());
}

}  // namespace
}  // namespace vigil::cli
