// scripts/failover-lab --remote drives two directors it did not build, the way
// it drives real machines over ssh. Here the "machines" are namespaces made by
// remote_machines.sh (two vigild directors NATing to one echo server, prefix
// h7r) and the remote command is `ip netns exec {host}`; the hard scenario
// must move the VIP and keep every session through the VIP. `timeout` bounds
// the lab; the machines are torn down by their pid files even when it fails.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <string>

#include "support/netns.h"
#include "support/run_command.h"

namespace vigil::test {
namespace {

const std::string kMachines =
    std::string(VIGIL_SOURCE_DIR) + "/tests/integration/lab/remote_machines.sh";

// The machines' working directory: configs, logs and pid files.
class Machines {
 public:
  Machines() {
    char dir[] = "/tmp/h7r-machines.XXXXXX";
    if (mkdtemp(dir) != nullptr) dir_ = dir;
  }
  ~Machines() {
    if (dir_.empty()) return;
    runCommand(kMachines + " down " + dir_);
    runCommand("rm -rf " + dir_);
  }
  Machines(const Machines&) = delete;
  Machines& operator=(const Machines&) = delete;

  const std::string& dir() const { return dir_; }
  CommandResult up() const { return runCommand(kMachines + " up " + dir_ + " " + vigild()); }

 private:
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

}  // namespace
}  // namespace vigil::test
