#include "monitor/smtp/smtp_alert_message.h"

#include <gtest/gtest.h>

#include <chrono>

namespace vigil::monitor::smtp {
namespace {

using std::chrono::seconds;
using std::chrono::system_clock;

// 2026-11-21 20:52:51 UTC, a Saturday.
const system_clock::time_point kWhen{seconds(1795294371)};

TEST(SmtpAlertMessageTest, SubjectsNameTheRouterTheObjectAndTheState) {
  EXPECT_EQ(alertSubject("lb1", {AlertKind::VrrpInstance, "VI_1", "", "MASTER"}),
            "[lb1] VRRP Instance VI_1 - Entering MASTER state");
  EXPECT_EQ(alertSubject("lb1", {AlertKind::VrrpSyncGroup, "G1", "", "BACKUP"}),
            "[lb1] VRRP Group G1 - Entering BACKUP state");
  EXPECT_EQ(alertSubject("lb1", {AlertKind::RealServer, "10.0.0.2:80", "10.0.0.1:80/TCP", "DOWN"}),
            "[lb1] Realserver 10.0.0.2:80 of 10.0.0.1:80/TCP - DOWN");
  EXPECT_EQ(alertSubject("lb1", {AlertKind::Quorum, "10.0.0.1:80/TCP", "", "UP"}),
            "[lb1] Virtual server 10.0.0.1:80/TCP - quorum met");
}

TEST(SmtpAlertMessageTest, BodySaysWhatTheStateMeans) {
  EXPECT_EQ(alertBody("lb1", {AlertKind::VrrpInstance, "VI_1", "", "MASTER"}),
            "=> VRRP instance VI_1 on director lb1 is now MASTER: it holds the virtual addresses "
            "<=\n");
  EXPECT_NE(alertBody("lb1", {AlertKind::RealServer, "10.0.0.2:80", "vs", "DOWN"}).find("failed"),
            std::string::npos);
}

TEST(SmtpAlertMessageTest, DateIsRfc5322InUtc) {
  EXPECT_EQ(rfc5322Date(kWhen), "Sat, 21 Nov 2026 20:52:51 +0000");
}

TEST(SmtpAlertMessageTest, MessageHasHeadersBlankLineAndCrlfBody) {
  const MailEnvelope envelope{"vigil@lb1", {"ops@example.com", "noc@example.com"}};
  EXPECT_EQ(buildMessage(envelope, "[lb1] VRRP Instance VI_1 - Entering MASTER state",
                         "line one\nline two\n", kWhen, "1.2@lb1"),
            "Date: Sat, 21 Nov 2026 20:52:51 +0000\r\n"
            "From: vigil@lb1\r\n"
            "To: ops@example.com, noc@example.com\r\n"
            "Subject: [lb1] VRRP Instance VI_1 - Entering MASTER state\r\n"
            "Message-ID: <1.2@lb1>\r\n"
            "MIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n"
            "\r\n"
            "line one\r\n"
            "line two\r\n");
}

TEST(SmtpAlertMessageTest, HeaderValuesCannotInjectLines) {
  const std::string message =
      buildMessage({"a@b", {"c@d"}}, "x\r\nBcc: evil@example.com", "body", kWhen, "id");
  EXPECT_EQ(message.find("\r\nBcc:"), std::string::npos) << message;
  EXPECT_NE(message.find("Subject: x  Bcc: evil@example.com\r\n"), std::string::npos) << message;
}

TEST(SmtpAlertMessageTest, DotStuffingDoublesLeadingDotsAndEndsTheData) {
  EXPECT_EQ(dotStuff(".hidden\r\nok\r\n..two\r\n"), "..hidden\r\nok\r\n...two\r\n.\r\n");
  EXPECT_EQ(dotStuff("no newline"), "no newline\r\n.\r\n");
}

}  // namespace
}  // namespace vigil::monitor::smtp
