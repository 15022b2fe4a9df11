#include "cli/vigild/daemon.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>

#include "config/loader.h"
#include "core/process.h"
#include "fakes/process_probe.h"

namespace vigil::cli {
namespace {

using fakes::openPidFd;
using fakes::pollFor;
using fakes::readPidFile;
using fakes::waitGone;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr milliseconds kLimit = seconds(10);

class DaemonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/vigil-daemon-test.XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
    options_.configPath = dir_ + "/vigil.conf";
    options_.pidFile = dir_ + "/vigild.pid";
    options_.vrrpPidFile = dir_ + "/vrrp.pid";
    options_.checkPidFile = dir_ + "/check.pid";
    options_.dontFork = true;
    options_.snapshotInterval = milliseconds(50);
    useConfig(kBothParts);
  }

  // Workers start only for the parts a configuration has, so the fixture
  // reads a real one (through the config language, as vigild does).
  static constexpr const char* kBothParts = R"(
vrrp_instance VI_1 {
    interface eth0
    virtual_router_id 7
    virtual_ipaddress {
        10.0.0.7/24
    }
}
virtual_server 10.0.0.7 80 {
    protocol TCP
    real_server 10.0.0.8 80 {
        TCP_CHECK {
        }
    }
}
)";
  static constexpr const char* kVrrpOnly = R"(
vrrp_instance VI_1 {
    interface eth0
    virtual_router_id 7
    virtual_ipaddress {
        10.0.0.7/24
    }
}
)";

  void useConfig(std::string text) {
    std::string path = options_.configPath;
    options_.loadConfig = [path, text] {
      return config::loadConfigText(path, text, config::LoadOptions{}).config;
    };
  }
  void TearDown() override {
    if (child_ > 0) {
      ::kill(child_, SIGKILL);
      ::waitpid(child_, nullptr, 0);
    }
    if (detached_ > 0) {
      ::kill(detached_, SIGKILL);  // a daemonised vigild the test failed to stop
    }
    std::filesystem::remove_all(dir_);
  }

  // Runs runDaemon in a child process, as vigild_main would.
  void startDaemon() {
    child_ = ::fork();
    ASSERT_GE(child_, 0);
    if (child_ == 0) {
      ::_exit(runDaemon(options_));
    }
  }

  std::optional<int> waitDaemonExit() {
    auto status = fakes::waitExit(child_, kLimit);
    if (status) {
      child_ = -1;
    }
    return status;
  }

  std::optional<pid_t> waitPidFile(const std::string& path, pid_t unlike = 0) {
    return pollFor(
        [&]() -> std::optional<pid_t> {
          auto pid = readPidFile(path);
          return pid && *pid != unlike ? pid : std::nullopt;
        },
        kLimit);
  }

  std::string dir_;
  DaemonOptions options_;
  pid_t child_ = -1;
  pid_t detached_ = -1;
};

TEST_F(DaemonTest, RunsWorkersRespawnsThemAndStopsCleanlyOnSigterm) {
  startDaemon();
  auto main = waitPidFile(options_.pidFile);
  auto vrrp = waitPidFile(options_.vrrpPidFile);
  auto check = waitPidFile(options_.checkPidFile);
  ASSERT_TRUE(main && vrrp && check);
  EXPECT_EQ(*main, child_);
  EXPECT_NE(*vrrp, *main);
  EXPECT_NE(*check, *vrrp);

  ASSERT_EQ(::kill(*vrrp, SIGKILL), 0);
  auto respawned = waitPidFile(options_.vrrpPidFile, *vrrp);
  ASSERT_TRUE(respawned.has_value());

  UniqueFd vrrpGone = openPidFd(*respawned);
  UniqueFd checkGone = openPidFd(*check);
  ASSERT_EQ(::kill(child_, SIGHUP), 0);  // a reload must not disturb anything
  ASSERT_EQ(::kill(child_, SIGTERM), 0);
  auto status = waitDaemonExit();
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(WIFEXITED(*status)) << describeExitStatus(*status);
  EXPECT_EQ(WEXITSTATUS(*status), 0);
  EXPECT_TRUE(waitGone(vrrpGone, milliseconds(0)));
  EXPECT_TRUE(waitGone(checkGone, milliseconds(0)));
  EXPECT_FALSE(std::filesystem::exists(options_.pidFile));
  EXPECT_FALSE(std::filesystem::exists(options_.vrrpPidFile));
  EXPECT_FALSE(std::filesystem::exists(options_.checkPidFile));
}

TEST_F(DaemonTest, RunsOnlyTheWorkersItsConfigurationNeeds) {
  useConfig(kVrrpOnly);
  startDaemon();
  auto vrrp = waitPidFile(options_.vrrpPidFile);
  ASSERT_TRUE(vrrp.has_value());
  EXPECT_NE(*vrrp, child_);
  EXPECT_FALSE(std::filesystem::exists(options_.checkPidFile));
  ASSERT_EQ(::kill(child_, SIGTERM), 0);
  auto status = waitDaemonExit();
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << describeExitStatus(*status);
}

TEST_F(DaemonTest, ForcedWorkerRunsWithoutItsPartOfTheConfiguration) {
  useConfig(kVrrpOnly);
  options_.runVrrp = false;
  options_.forceCheck = true;  // -C
  options_.singleProcess = true;
  startDaemon();
  auto check = waitPidFile(options_.checkPidFile);
  ASSERT_TRUE(check.has_value());
  EXPECT_FALSE(std::filesystem::exists(options_.vrrpPidFile));
  ASSERT_EQ(::kill(child_, SIGTERM), 0);
  auto status = waitDaemonExit();
  ASSERT_TRUE(status.has_value());
}

TEST_F(DaemonTest, SingleProcessRunsOnlyWhatItIsAsked) {
  options_.singleProcess = true;
  options_.runCheck = false;
  startDaemon();
  auto vrrp = waitPidFile(options_.vrrpPidFile);
  ASSERT_TRUE(vrrp.has_value());
  EXPECT_EQ(*vrrp, child_);
  EXPECT_FALSE(std::filesystem::exists(options_.checkPidFile));
  ASSERT_EQ(::kill(child_, SIGTERM), 0);
  auto status = waitDaemonExit();
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << describeExitStatus(*status);
  EXPECT_FALSE(std::filesystem::exists(options_.vrrpPidFile));
}

TEST_F(DaemonTest, DaemonisesAndTheParentReturnsZero) {
  options_.dontFork = false;
  startDaemon();
  auto parentStatus = waitDaemonExit();
  ASSERT_TRUE(parentStatus.has_value());
  EXPECT_TRUE(WIFEXITED(*parentStatus) && WEXITSTATUS(*parentStatus) == 0);

  auto daemonPid = waitPidFile(options_.pidFile);
  ASSERT_TRUE(daemonPid.has_value());
  ASSERT_TRUE(waitPidFile(options_.vrrpPidFile).has_value());
  UniqueFd daemonGone = openPidFd(*daemonPid);
  ASSERT_TRUE(daemonGone);
  detached_ = *daemonPid;
  EXPECT_EQ(::getsid(*daemonPid), *daemonPid);  // its own session
  ASSERT_EQ(::kill(*daemonPid, SIGTERM), 0);
  ASSERT_TRUE(waitGone(daemonGone, kLimit));
  detached_ = -1;
  EXPECT_TRUE(pollFor([&] { return !std::filesystem::exists(options_.pidFile); }, kLimit));
}

TEST_F(DaemonTest, UnusableConfigurationAtStartExitsFour) {
  options_.loadConfig = [] { return std::shared_ptr<const config::Config>(); };
  EXPECT_EQ(runDaemon(options_), 4);
  EXPECT_FALSE(std::filesystem::exists(options_.pidFile));
}

}  // namespace
}  // namespace vigil::cli
