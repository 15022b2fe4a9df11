#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "support/netns.h"
#include "support/run_command.h"
#include "support/wait_for.h"

// smtp_alert end to end: vigild with a VRRP instance that becomes MASTER at
// once, and a small asyncio SMTP sink (smtp_sink.py) as the mail server,
// both in a namespace of their own. The sink must receive the "Entering
// MASTER state" mail for the instance, addressed to notification_email.
namespace vigil::test {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

std::string readFile(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class SmtpAlertTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!runningAsRoot()) GTEST_SKIP() << "needs root for a network namespace";
    if (runCommand("command -v python3").exitCode != 0) GTEST_SKIP() << "python3 not installed";
    ns_ = std::make_unique<NetNs>("h7smtp");
    ASSERT_TRUE(ns_->ok());
    ASSERT_TRUE(plugLonelyEth0(*ns_, "192.168.98.1/24"));
    dir_ = fs::temp_directory_path() / ("h7-smtp-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    std::ofstream(dir_ / "vigil.conf") << "global_defs {\n"
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
                                          "}\n";
  }

  void TearDown() override {
    for (pid_t pid : pids_) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
    ns_.reset();
    std::error_code ignored;
    if (!dir_.empty()) fs::remove_all(dir_, ignored);
  }

  void spawn(const std::vector<std::string>& argv, const fs::path& log) {
    std::vector<std::string> full = {"/usr/bin/ip", "netns", "exec", ns_->name()};
    full.insert(full.end(), argv.begin(), argv.end());
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (out >= 0) {
        ::dup2(out, STDOUT_FILENO);
        ::dup2(out, STDERR_FILENO);
      }
      std::vector<char*> args;
      for (std::string& a : full) args.push_back(a.data());
      args.push_back(nullptr);
      ::execv(args[0], args.data());
      ::_exit(127);
    }
    pids_.push_back(pid);
  }

  std::unique_ptr<NetNs> ns_;
  fs::path dir_;
  std::vector<pid_t> pids_;
};

TEST_F(SmtpAlertTest, SinkReceivesTheEnteringMasterMail) {
  const std::string d = dir_.string();
  spawn({"/usr/bin/python3", std::string(VIGIL_SOURCE_DIR) + "/tests/integration/smtp/smtp_sink.py",
         "2525", d + "/mail.txt", d + "/ready", "60"},
        dir_ / "sink.log");
  ASSERT_TRUE(waitFor(milliseconds(10000), [&] { return fs::exists(dir_ / "ready"); }))
      << readFile(dir_ / "sink.log");
  spawn({vigild(), "-n", "-l", "-f", d + "/vigil.conf", "-p", d + "/vigild.pid", "-c",
         d + "/check.pid", "-r", d + "/vrrp.pid"},
        dir_ / "vigild.log");

  const std::string subject = "Subject: [h7lab] VRRP Instance VI_H7M - Entering MASTER state";
  std::string mail;
  auto received = waitFor(milliseconds(20000), [&] {
    mail = readFile(dir_ / "mail.txt");
    return mail.find(subject) != std::string::npos;
  });
  ASSERT_TRUE(received) << "mail:\n"
                        << mail << "\nvigild:\n"
                        << readFile(dir_ / "vigild.log") << "\nsink:\n"
                        << readFile(dir_ / "sink.log");
  EXPECT_NE(mail.find("RCPT <ops@example.com>"), std::string::npos) << mail;
  EXPECT_NE(mail.find("From: vigil@h7lab.example\r\n"), std::string::npos) << mail;
  EXPECT_NE(mail.find("is now MASTER"), std::string::npos) << mail;
}

}  // namespace
}  // namespace vigil::test
