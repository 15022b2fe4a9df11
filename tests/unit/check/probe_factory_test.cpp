#include "check/probe_factory.h"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include "check/misc_probe.h"
#include "core/simulated_loop.h"

namespace vigil::check {
namespace {

using std::chrono::milliseconds;

config::Checker checkerOf(config::CheckerType type, config::CheckerProbe probe) {
  config::Checker c;
  c.base.type = type;
  c.base.connectTimeout = milliseconds(500);
  c.base.delayLoop = milliseconds(2000);
  c.target.address = *IpAddress::parse("10.0.0.2");
  c.target.port = 80;
  c.probe = std::make_shared<const config::CheckerProbe>(std::move(probe));
  return c;
}

int exitStatus(int code) { return code << 8; }

TEST(MiscProbeInterpretTest, ExitCodesFollowMiscCheckRules) {
  EXPECT_EQ(MiscProbe::interpret(exitStatus(0), false, false).outcome, Outcome::Up);
  EXPECT_EQ(MiscProbe::interpret(exitStatus(1), false, false).outcome, Outcome::ScriptExit);
  EXPECT_EQ(MiscProbe::interpret(exitStatus(1), false, true).outcome, Outcome::ScriptExit);
  EXPECT_EQ(MiscProbe::interpret(exitStatus(12), false, false).outcome, Outcome::ScriptExit);
  ProbeResult dynamic = MiscProbe::interpret(exitStatus(12), false, true);
  EXPECT_EQ(dynamic.outcome, Outcome::Up);
  EXPECT_EQ(dynamic.weight, 10U);
  EXPECT_EQ(MiscProbe::interpret(exitStatus(2), false, true).weight, 0U);
  EXPECT_EQ(MiscProbe::interpret(exitStatus(255), false, true).weight, 253U);
  EXPECT_FALSE(MiscProbe::interpret(exitStatus(0), false, true).weight.has_value());
}

TEST(MiscProbeInterpretTest, SignalsAndTimeoutsAreFailures) {
  EXPECT_EQ(MiscProbe::interpret(SIGKILL, false, true).outcome, Outcome::ScriptExit);
  EXPECT_EQ(MiscProbe::interpret(SIGTERM, true, true).outcome, Outcome::ScriptTimeout);
}

TEST(ProbeFactoryTest, BuildsSmtpDnsUdpAndPing) {
  SimulatedLoop loop;
  config::SmtpCheck smtp;
  smtp.hosts.push_back(checkerOf(config::CheckerType::Tcp, config::TcpCheck{}).target);
  EXPECT_TRUE(makeProbe(loop, checkerOf(config::CheckerType::Smtp, smtp), {}).ok());
  EXPECT_TRUE(makeProbe(loop, checkerOf(config::CheckerType::Dns, config::DnsCheck{}), {}).ok());
  EXPECT_TRUE(makeProbe(loop, checkerOf(config::CheckerType::Udp, config::UdpCheck{}), {}).ok());
  EXPECT_TRUE(makeProbe(loop, checkerOf(config::CheckerType::Ping, config::PingCheck{}), {}).ok());
}

TEST(ProbeFactoryTest, FileCheckNeedsItsTrackFileInTheConfig) {
  SimulatedLoop loop;
  config::FileCheck file;
  file.trackFile = "weights";
  config::Checker checker = checkerOf(config::CheckerType::File, file);
  EXPECT_EQ(makeProbe(loop, checker, {}).error().code, EINVAL);

  auto cfg = std::make_shared<config::Config>();
  ProbeDeps deps;
  deps.config = cfg;
  EXPECT_EQ(makeProbe(loop, checker, deps).error().code, ENOENT);
  config::TrackFile tracked;
  tracked.name = "weights";
  tracked.path = "/run/weights";
  cfg->vrrp.trackFiles.push_back(tracked);
  EXPECT_TRUE(makeProbe(loop, checker, deps).ok());
  EXPECT_EQ(describe(checker), "FILE_CHECK weights");
}

TEST(ProbeFactoryTest, BuildsTcpAndRefusesMiscWithoutASpawner) {
  SimulatedLoop loop;
  EXPECT_TRUE(makeProbe(loop, checkerOf(config::CheckerType::Tcp, config::TcpCheck{}), {}).ok());
  config::MiscCheck misc;
  misc.script.command = "/bin/true";
  EXPECT_FALSE(makeProbe(loop, checkerOf(config::CheckerType::Misc, misc), {}).ok());
}

TEST(ProbeFactoryTest, AttemptTimeoutIsMiscTimeoutForScriptsAndConnectTimeoutOtherwise) {
  config::MiscCheck misc;
  misc.timeout = milliseconds(700);
  EXPECT_EQ(attemptTimeout(checkerOf(config::CheckerType::Misc, misc)), milliseconds(700));
  EXPECT_EQ(attemptTimeout(checkerOf(config::CheckerType::Tcp, config::TcpCheck{})),
            milliseconds(500));
}

TEST(ProbeFactoryTest, AttemptTimeoutAllowsEachSmtpHostAndUdpSilence) {
  config::SmtpCheck smtp;
  smtp.hosts.resize(3);
  EXPECT_EQ(attemptTimeout(checkerOf(config::CheckerType::Smtp, smtp)), milliseconds(1500));
  config::UdpCheck udp;
  EXPECT_EQ(attemptTimeout(checkerOf(config::CheckerType::Udp, udp)),
            milliseconds(500) + kUdpSilenceMargin);
  udp.requireReply = true;
  EXPECT_EQ(attemptTimeout(checkerOf(config::CheckerType::Udp, udp)), milliseconds(500));
}

TEST(ProbeFactoryTest, DescribeNamesTheTarget) {
  EXPECT_EQ(describe(checkerOf(config::CheckerType::Tcp, config::TcpCheck{})),
            "TCP_CHECK [10.0.0.2]:80");
  config::MiscCheck misc;
  misc.script.command = "/usr/bin/check-db --fast";
  EXPECT_EQ(describe(checkerOf(config::CheckerType::Misc, misc)),
            "MISC_CHECK /usr/bin/check-db --fast");
  EXPECT_EQ(describe(checkerOf(config::CheckerType::Ping, config::PingCheck{})),
            "PING_CHECK 10.0.0.2");
}

}  // namespace
}  // namespace vigil::check
