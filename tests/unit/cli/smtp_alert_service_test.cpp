#include "cli/vigild/smtp_alert_service.h"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>

#include "config/config.h"
#include "core/posix_event_loop.h"
#include "core/supervisor.h"
#include "fakes/run_until.h"
#include "fakes/slotted_worker.h"

// smtp_alert reads the workers' snapshots every snapshot interval; it parses
// them into JSON trees only when a text or the configuration changed. An
// in-process check worker on a real loop; every wait is bounded in time.
namespace vigil::cli {
namespace {

using fakes::runUntil;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr auto kInterval = milliseconds(50);

std::string checkSnapshot(int attempts) {
  return R"({"worker": "check", "virtual_servers": [{"name": "[10.0.0.1]:tcp:80",
    "quorum_up": true, "real_servers": [{"address": "10.1.0.1", "port": 80, "up": true,
    "checkers": [{"type": "TCP_CHECK", "up": true, "attempts": )" +
         std::to_string(attempts) + "}]}]}]}";
}

std::shared_ptr<config::Config> mailingConfig() {
  auto config = std::make_shared<config::Config>();
  // Nothing listens there; no event, no mail is tried.
  config->global.smtpServer = config::SmtpServer{"127.0.0.1", 9};
  config->global.notificationEmails = {"ops@example.org"};
  return config;
}

class SmtpAlertServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SupervisorOptions options;
    options.snapshotInterval = kInterval;
    supervisor_ = fakes::slottedSupervisor(loop_, state_, options);
    service_ = std::make_unique<SmtpAlertService>(loop_, *supervisor_, kInterval,
                                                  [this] { return config_; });
    service_->apply(config_->global);
    ASSERT_TRUE(supervisor_->start().ok());
    ASSERT_TRUE(holds(checkSnapshot(1)));
  }

  void TearDown() override {
    service_.reset();
    EXPECT_TRUE(fakes::stopSupervisor(loop_, *supervisor_));
  }

  bool holds(const std::string& text) {
    return runUntil(
        loop_, [&] { return supervisor_->status()[0].lastSnapshot == text; }, seconds(10));
  }
  void turnFor(milliseconds span) {
    (void)runUntil(
        loop_, [] { return false; }, span);
  }

  PosixEventLoop loop_;
  std::shared_ptr<fakes::SlottedWorker::State> state_ = fakes::slottedState({checkSnapshot(1)});
  std::shared_ptr<config::Config> config_ = mailingConfig();
  std::unique_ptr<Supervisor> supervisor_;
  std::unique_ptr<SmtpAlertService> service_;
};

TEST_F(SmtpAlertServiceTest, ParsesASnapshotTextOnceWhateverTheIntervalsBetween) {
  ASSERT_TRUE(runUntil(
      loop_, [&] { return service_->parses() == 1; }, seconds(5)));
  turnFor(6 * kInterval);  // six polls of the same text
  EXPECT_EQ(service_->parses(), 1u);

  state_->set(0, checkSnapshot(2));
  ASSERT_TRUE(holds(checkSnapshot(2)));
  ASSERT_TRUE(runUntil(
      loop_, [&] { return service_->parses() == 2; }, seconds(5)));
  turnFor(6 * kInterval);
  EXPECT_EQ(service_->parses(), 2u);

  // A reload's configuration is read against the same text.
  config_ = mailingConfig();
  ASSERT_TRUE(runUntil(
      loop_, [&] { return service_->parses() == 3; }, seconds(5)));
  turnFor(6 * kInterval);
  EXPECT_EQ(service_->parses(), 3u);
}

}  // namespace
}  // namespace vigil::cli
