// scripts/failover-lab --remote drives two directors it did not build, the way
// it drives real machines over ssh. Here the "machines" are namespaces made by
// remote_machines.sh (two vigild directors NATing to one echo server, prefix
// h7r) and the remote command is `ip netns exec {host}`; the hard scenario
// must move the VIP and keep every session through the VIP. A second pair
// (prefix h8r) has clocks set off by tens of seconds: the lab must time the
// directors' transitions by their own log stamps, mapped through the clock
// offsets it measures, within the uncertainty it reports. `timeout` bounds
// the lab; the machines are torn down by their pid files even when it fails.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <time.h>

#include <cmath>
#include <fstream>
#include <regex>
#include <string>

#include "support/netns.h"
#include "support/run_command.h"
#include "support/test_paths.h"

namespace vigil::test {
namespace {

const std::string kMachines =
    std::string(VIGIL_SOURCE_DIR) + "/tests/integration/lab/remote_machines.sh";

// The machines' working directory: configs, logs and pid files.
class Machines {
 public:
  explicit Machines(std::string prefix = "h7r") : prefix_(std::move(prefix)) {
    std::string dir = "/tmp/" + prefix_ + "-machines.XXXXXX";
    if (mkdtemp(dir.data()) != nullptr) dir_ = dir;
  }
  ~Machines() {
    if (dir_.empty()) return;
    runCommand(kMachines + " down " + dir_);
    runCommand("rm -rf " + dir_);
  }
  Machines(const Machines&) = delete;
  Machines& operator=(const Machines&) = delete;

  const std::string& dir() const { return dir_; }
  CommandResult up() const {
    return runCommand(kMachines + " up " + dir_ + " " + vigild() + " " + prefix_);
  }
  // NAME's clock (as the lab reads it) runs `ms` milliseconds ahead.
  void skew(const std::string& name, int ms) const {
    runCommand(kMachines + " skew " + name + " " + dir_ + " " + std::to_string(ms));
  }

 private:
  std::string prefix_;
  std::string dir_;
};

std::string remoteLabCommand(const std::string& dir) {
  const std::string script = kMachines;
  return "timeout -s INT 90 /usr/bin/python3 " + std::string(VIGIL_SOURCE_DIR) +
         "/scripts/failover-lab --remote --scenario hard --prefix h7r"
         " --director d1=h7r-d1 --director d2=h7r-d2 --vip 10.87.1.100"
         " --exec 'ip netns exec {host}' --client-exec 'ip netns exec h7r-cl'"
         " --client-iface eth0 --log 'tail -s 0.05 -n +1 -F " +
         dir + "/{name}.log' --start '" + script + " start {name} " + dir + "' --fail-hard '" +
         script + " kill {name} " + dir +
         "' --sessions 20 --sessions-port 9000 --expect-vip-expiry";
}

TEST(RemoteFailoverLabTest, HardFailureOfAMachineMovesTheVipAndKeepsSessions) {
  if (!runningAsRoot()) GTEST_SKIP() << "needs root for network namespaces";
  {
    Machines machines;
    ASSERT_FALSE(machines.dir().empty());
    const CommandResult up = machines.up();
    ASSERT_EQ(up.exitCode, 0) << up.output;

    const CommandResult r = runCommand(remoteLabCommand(machines.dir()));

    EXPECT_EQ(r.exitCode, 0) << r.output;
    EXPECT_NE(r.output.find("VIP moved to d2:             yes"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("sessions kept:               20/20 "), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("transitions d2:              MASTER at +"), std::string::npos)
        << r.output;
    EXPECT_NE(r.output.find("1 scenario(s), 0 error(s)"), std::string::npos) << r.output;
    // The lab started d1 again afterwards: the pair is whole, d1 holds the VIP.
    EXPECT_EQ(runCommand("ip -n h7r-d1 -o addr show dev eth0 | grep -c ' 10.87.1.100/'").output,
              "1\n");
  }
  // The machines' namespaces went with them.
  EXPECT_EQ(runCommand("ip netns list | grep -c '^h7r-'").output, "0\n");
}

std::string skewedLabCommand(const std::string& dir) {
  const std::string m = kMachines;
  return "timeout -s INT 90 /usr/bin/python3 " + std::string(VIGIL_SOURCE_DIR) +
         "/scripts/failover-lab --remote --scenario hard --prefix h8r"
         " --director d1=h8r-d1 --director d2=h8r-d2 --vip 10.87.1.100"
         " --exec 'ip netns exec {host}' --client-exec 'ip netns exec h8r-cl'"
         " --client-iface eth0 --clock '" +
         m + " clock {name} " + dir + "' --log '" + m + " log {name} " + dir + "' --start '" + m +
         " start {name} " + dir + "' --fail-hard '" + m + " kill {name} " + dir + "' --keep-logs " +
         dir + "/kept";
}

// A "ROW: <number> ms ± <number> ms" figure of the report.
struct Figure {
  double ms = NAN;
  double uncertaintyMs = NAN;
};
Figure figure(const std::string& output, const std::string& row) {
  std::smatch m;
  const std::regex re(row + R"(:\s+([-+]?[0-9.]+) ms \xC2\xB1 ([0-9.]+) ms)");
  if (!std::regex_search(output, m, re)) return {};
  return {std::stod(m[1]), std::stod(m[2])};
}

// Milliseconds since local midnight of vigild's "HH:MM:SS.mmm " stamp on the
// first line of `path` that contains `what`; -1 when there is none.
long long stampedLine(const std::string& path, const std::string& what, std::string* line) {
  std::ifstream in(path);
  const std::regex stamp(R"((?:([0-9.]+) )?(\d\d):(\d\d):(\d\d)\.(\d\d\d) .*)");
  for (std::string l; std::getline(in, l);) {
    std::smatch m;
    if (l.find(what) == std::string::npos || !std::regex_match(l, m, stamp)) continue;
    *line = l;
    return ((std::stoll(m[2]) * 60 + std::stoll(m[3])) * 60 + std::stoll(m[4])) * 1000 +
           std::stoll(m[5]);
  }
  return -1;
}

long long localMsOfDay(double epoch) {
  const auto seconds = static_cast<time_t>(std::floor(epoch));
  tm local{};
  localtime_r(&seconds, &local);
  return ((local.tm_hour * 60LL + local.tm_min) * 60 + local.tm_sec) * 1000 +
         std::llround((epoch - std::floor(epoch)) * 1000);
}

TEST(RemoteFailoverLabTest, SkewedClocksStillGiveTheMoveTimeWithinTheStatedUncertainty) {
  if (!runningAsRoot()) GTEST_SKIP() << "needs root for network namespaces";
  {
    Machines machines("h8r");
    ASSERT_FALSE(machines.dir().empty());
    const CommandResult up = machines.up();
    ASSERT_EQ(up.exitCode, 0) << up.output;
    machines.skew("d1", -12500);
    machines.skew("d2", 37250);

    const CommandResult r = runCommand(skewedLabCommand(machines.dir()));
    ASSERT_EQ(r.exitCode, 0) << r.output;

    // The offsets measured are the skews, within their stated uncertainty.
    const Figure d1 = figure(r.output, "clock offset d1");
    const Figure d2 = figure(r.output, "clock offset d2");
    EXPECT_LE(std::fabs(d1.ms + 12500), d1.uncertaintyMs + 0.01) << r.output;
    EXPECT_LE(std::fabs(d2.ms - 37250), d2.uncertaintyMs + 0.01) << r.output;

    // d2's MASTER line as the lab placed it on this machine's clock (its
    // kept log) is where vigild's true stamp says it was, within the
    // uncertainty plus the stamps' 1 ms resolution.
    std::string kept, truth;
    stampedLine(machines.dir() + "/kept/hard-d2.log", "Entering MASTER STATE", &kept);
    const long long trueMs =
        stampedLine(machines.dir() + "/d2.log", "Entering MASTER STATE", &truth);
    ASSERT_FALSE(kept.empty()) << r.output;
    ASSERT_GE(trueMs, 0);
    const double placed = std::stod(kept.substr(0, kept.find(' ')));
    long long errorMs = localMsOfDay(placed) - trueMs;
    if (errorMs > 43200000) errorMs -= 86400000;
    if (errorMs < -43200000) errorMs += 86400000;
    EXPECT_LE(std::llabs(errorMs), d2.uncertaintyMs + 1.5) << kept << "\n" << truth;

    // So the move time is right: the lab reads d1's clock on d1 just before
    // the kill, so its figure is from then to d2's true MASTER stamp; the
    // harness notes the kill's own time a shell start later.
    const Figure move = figure(r.output, "VIP move time");
    std::ifstream killAt(machines.dir() + "/kill.at");
    double killEpoch = 0;
    killAt >> killEpoch;
    const double trueMoveMs = (placed - static_cast<double>(errorMs) / 1000 - killEpoch) * 1000;
    EXPECT_GE(move.ms, trueMoveMs - move.uncertaintyMs - 1.5) << r.output;
    EXPECT_LE(move.ms, trueMoveMs + move.uncertaintyMs + 500) << r.output;
    EXPECT_NE(r.output.find("(d2's own log stamps)"), std::string::npos) << r.output;
  }
  EXPECT_EQ(runCommand("ip netns list | grep -c '^h8r-'").output, "0\n");
}

}  // namespace
}  // namespace vigil::test
