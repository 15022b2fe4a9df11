#include "cli/vigild/smtp_mailer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/simulated_loop.h"

// The SMTP alert client's dialogue, driven reply by reply on a simulated
// loop through a fake transport: what it sends, when it gives up, what it
// counts.
namespace vigil::cli {
namespace {

using std::chrono::seconds;

// A connection the test plays the server of.
class FakeConnection : public SmtpConnection {
 public:
  FakeConnection(Handlers handlers, std::string& sent, bool& open)
      : handlers(std::move(handlers)), sent_(sent), open_(open) {
    open_ = true;
  }
  ~FakeConnection() override { open_ = false; }
  void send(std::string_view bytes) override { sent_.append(bytes); }
  Handlers handlers;

 private:
  std::string& sent_;
  bool& open_;
};

class FakeTransport : public SmtpTransport {
 public:
  std::unique_ptr<SmtpConnection> open(const IpAddress& address, uint16_t port,
                                       SmtpConnection::Handlers handlers) override {
    opened.push_back(address.toString() + ":" + std::to_string(port));
    sent.clear();
    auto connection = std::make_unique<FakeConnection>(std::move(handlers), sent, connectionOpen);
    current = connection.get();
    return connection;
  }
  // Plays one server line; the client's next command is then in `sent`.
  std::string reply(const std::string& line) {
    sent.clear();
    current->handlers.received(line);
    return sent;
  }

  std::vector<std::string> opened;
  std::string sent;
  bool connectionOpen = false;
  FakeConnection* current = nullptr;
};

class SmtpMailerTest : public ::testing::Test {
 protected:
  SmtpMailer::Options options() {
    SmtpMailer::Options o;
    o.address = *IpAddress::parse("192.0.2.25");
    o.port = 2525;
    o.heloName = "lb1";
    o.timeout = seconds(5);
    return o;
  }
  OutgoingMail mail(const std::string& body = "Subject: x\r\n\r\n.dot\r\n") {
    return {"vigil@lb1", {"ops@example.com", "noc@example.com"}, body};
  }

  SimulatedLoop loop_;
  FakeTransport transport_;
  SmtpMailer mailer_{loop_, transport_, options()};
};

TEST_F(SmtpMailerTest, OneDialoguePerMailInRfc5321Order) {
  mailer_.submit(mail());
  ASSERT_EQ(transport_.opened, std::vector<std::string>{"192.0.2.25:2525"});
  transport_.current->handlers.connected();
  EXPECT_EQ(transport_.reply("220 mail ESMTP\r\n"), "HELO lb1\r\n");
  EXPECT_EQ(transport_.reply("250 hello\r\n"), "MAIL FROM:<vigil@lb1>\r\n");
  EXPECT_EQ(transport_.reply("250 ok\r\n"), "RCPT TO:<ops@example.com>\r\n");
  EXPECT_EQ(transport_.reply("250 ok\r\n"), "RCPT TO:<noc@example.com>\r\n");
  EXPECT_EQ(transport_.reply("251 forwarded\r\n"), "DATA\r\n");
  EXPECT_EQ(transport_.reply("354 go\r\n"), "Subject: x\r\n\r\n..dot\r\n.\r\n");
  EXPECT_EQ(transport_.reply("250 queued\r\n"), "QUIT\r\n");
  EXPECT_EQ(mailer_.counters().sent, 1u);
  transport_.reply("221 bye\r\n");
  loop_.advance(seconds(0));
  EXPECT_FALSE(mailer_.busy());
  EXPECT_FALSE(transport_.connectionOpen);
  EXPECT_EQ(mailer_.counters().failed, 0u);
}

TEST_F(SmtpMailerTest, RepliesSplitAcrossReadsAndMultilineRepliesAreWhole) {
  mailer_.submit(mail());
  transport_.current->handlers.connected();
  EXPECT_EQ(transport_.reply("220-first\r\n22"), "");
  EXPECT_EQ(transport_.reply("0 last\r\n"), "HELO lb1\r\n");
}

TEST_F(SmtpMailerTest, ARefusalFailsTheMailAndTheNextOneStarts) {
  mailer_.submit(mail());
  mailer_.submit(mail());
  transport_.current->handlers.connected();
  transport_.reply("220 hi\r\n");
  transport_.reply("250 hi\r\n");
  transport_.reply("550 no such sender\r\n");
  EXPECT_EQ(mailer_.counters().failed, 1u);
  EXPECT_EQ(mailer_.lastError(), "the server answered 550 to MAIL FROM");
  loop_.advance(seconds(0));
  EXPECT_EQ(transport_.opened.size(), 2u);
  EXPECT_TRUE(mailer_.busy());
}

TEST_F(SmtpMailerTest, ASilentServerTimesOutAfterSmtpConnectTimeout) {
  mailer_.submit(mail());
  transport_.current->handlers.connected();
  loop_.advance(seconds(4));
  EXPECT_EQ(mailer_.counters().failed, 0u);
  loop_.advance(seconds(1));
  EXPECT_EQ(mailer_.counters().failed, 1u);
  EXPECT_FALSE(mailer_.busy());
}

TEST_F(SmtpMailerTest, AnUnreachableServerFailsEachMailOnce) {
  mailer_.submit(mail());
  transport_.current->handlers.failed("connect: Connection refused");
  EXPECT_EQ(mailer_.counters().failed, 1u);
  EXPECT_EQ(mailer_.lastError(), "connect: Connection refused");
  loop_.advance(seconds(0));
  EXPECT_EQ(transport_.opened.size(), 1u);  // nothing else queued: no retry
}

TEST_F(SmtpMailerTest, AFullQueueDropsTheOldestAndCountsIt) {
  mailer_.submit(mail("first\r\n"));  // in flight, not queued
  for (size_t i = 0; i < SmtpMailer::kMaxQueued + 3; ++i) mailer_.submit(mail());
  EXPECT_EQ(mailer_.queued(), SmtpMailer::kMaxQueued);
  EXPECT_EQ(mailer_.counters().dropped, 3u);
}

TEST_F(SmtpMailerTest, GarbageFromTheServerFailsTheMail) {
  mailer_.submit(mail());
  transport_.current->handlers.connected();
  transport_.reply("hello there\r\n");
  EXPECT_EQ(mailer_.counters().failed, 1u);
  EXPECT_EQ(mailer_.lastError(), "malformed reply");
}

// vigil_smtp_alerts_failed_total{reason}: one of each.
TEST_F(SmtpMailerTest, FailuresAreCountedByReason) {
  using Reason = SmtpMailer::FailReason;
  const auto by = [&](Reason r) { return mailer_.counters().failedBy[static_cast<size_t>(r)]; };
  mailer_.submit(mail());
  transport_.current->handlers.failed("connect: Connection refused");
  loop_.advance(seconds(0));
  mailer_.submit(mail());
  transport_.current->handlers.connected();
  transport_.reply("554 go away\r\n");
  loop_.advance(seconds(0));
  mailer_.submit(mail());
  transport_.current->handlers.connected();
  loop_.advance(seconds(5));
  EXPECT_EQ(by(Reason::Connection), 1u);
  EXPECT_EQ(by(Reason::Rejected), 1u);
  EXPECT_EQ(by(Reason::Timeout), 1u);
  EXPECT_EQ(mailer_.counters().failed, 3u);
  EXPECT_EQ(mailer_.counters().sent, 0u);
}

}  // namespace
}  // namespace vigil::cli
