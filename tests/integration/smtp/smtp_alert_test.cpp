#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include "support/netns.h"
#include "support/run_command.h"
#include "support/test_paths.h"
#include "support/vigild_lab.h"
#include "support/wait_for.h"

// smtp_alert end to end: vigild with a VRRP instance that becomes MASTER at
// once, and a small asyncio SMTP sink (smtp_sink.py) as the mail server,
// both in a namespace of their own. The sink must receive the "Entering
// MASTER state" mail for the instance, addressed to notification_email.
namespace vigil::test {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

class SmtpAlertTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!runningAsRoot()) GTEST_SKIP() << "needs root for a network namespace";
    if (runCommand("command -v python3").exitCode != 0) GTEST_SKIP() << "python3 not installed";
    lab_ = std::make_unique<VigildLab>("h7smtp", "h7-smtp");
    ASSERT_TRUE(lab_->ok());
    ASSERT_TRUE(plugLonelyEth0(lab_->ns(), "192.168.98.1/24"));
    lab_->write("vigil.conf",
                "global_defs {\n"
                "  router_id h7lab\n"
                "  notification_email {\n"
                "    ops@example.com\n"
                "  }\n"
                "  notification_email_from vigil@h7lab.example\n"
                "  smtp_server 127.0.0.1 2525\n"
                "  smtp_connect_timeout 2\n"
                "  dataplane none\n"
                "  metrics_listen off\n"
                "}\n"
                "vrrp_instance VI_H7M {\n"
                "  state MASTER\n"
                "  interface eth0\n"
                "  virtual_router_id 98\n"
                "  priority 200\n"
                "  version 3\n"
                "  advert_int 0.1\n"
                "  smtp_alert\n"
                "  virtual_ipaddress {\n"
                "    192.168.98.100/24\n"
                "  }\n"
                "}\n");
  }

  std::unique_ptr<VigildLab> lab_;
};

TEST_F(SmtpAlertTest, SinkReceivesTheEnteringMasterMail) {
  lab_->spawn(
      {"/usr/bin/python3", std::string(VIGIL_SOURCE_DIR) + "/tests/integration/smtp/smtp_sink.py",
       "2525", lab_->path("mail.txt"), lab_->path("ready"), "60"},
      "sink.log");
  ASSERT_TRUE(waitFor(milliseconds(10000), [&] { return fs::exists(lab_->path("ready")); }))
      << lab_->describe({"sink.log"});
  lab_->spawnVigild();

  const std::string subject = "Subject: [h7lab] VRRP Instance VI_H7M - Entering MASTER state";
  std::string mail;
  auto received = waitFor(milliseconds(20000), [&] {
    mail = lab_->read("mail.txt");
    return mail.find(subject) != std::string::npos;
  });
  ASSERT_TRUE(received) << lab_->describe({"mail.txt", "vigild.log", "sink.log"});
  EXPECT_NE(mail.find("RCPT <ops@example.com>"), std::string::npos) << mail;
  EXPECT_NE(mail.find("From: vigil@h7lab.example\r\n"), std::string::npos) << mail;
  EXPECT_NE(mail.find("is now MASTER"), std::string::npos) << mail;
}

}  // namespace
}  // namespace vigil::test
