#include <gtest/gtest.h>

#include <cstdlib>
#include <optional>
#include <string>

#include "cli/vigild/control_socket.h"
#include "cli/vigild/options.h"

// Where vigild's control socket goes: --control-socket, then
// $VIGIL_CONTROL_SOCKET, then global_defs control_socket.
namespace vigil::cli {
namespace {

// Sets $VIGIL_CONTROL_SOCKET (or clears it) for one test, then puts back
// what was there.
class ScopedEnv {
 public:
  explicit ScopedEnv(const char* value) {
    if (const char* old = std::getenv(kControlSocketEnv)) old_ = old;
    if (value != nullptr) {
      ::setenv(kControlSocketEnv, value, 1);
    } else {
      ::unsetenv(kControlSocketEnv);
    }
  }
  ~ScopedEnv() {
    if (old_) {
      ::setenv(kControlSocketEnv, old_->c_str(), 1);
    } else {
      ::unsetenv(kControlSocketEnv);
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  std::optional<std::string> old_;
};

TEST(ControlSocketPathTest, TheConfigurationDecidesWhenNothingOverridesIt) {
  ScopedEnv env(nullptr);
  EXPECT_EQ(controlSocketPath(std::nullopt, "/run/vigil/lb1.sock"), "/run/vigil/lb1.sock");
}

TEST(ControlSocketPathTest, TheEnvironmentOverridesTheConfiguration) {
  ScopedEnv env("/tmp/h8/env.sock");
  EXPECT_EQ(controlSocketPath(std::nullopt, "/run/vigil/lb1.sock"), "/tmp/h8/env.sock");
}

TEST(ControlSocketPathTest, TheFlagOverridesBoth) {
  ScopedEnv env("/tmp/h8/env.sock");
  EXPECT_EQ(controlSocketPath("/tmp/h8/flag.sock", "/run/vigil/lb1.sock"), "/tmp/h8/flag.sock");
}

TEST(ControlSocketPathTest, OffOrEmptyMeansNoSocket) {
  {
    ScopedEnv env("off");
    EXPECT_EQ(controlSocketPath(std::nullopt, "/run/vigil/lb1.sock"), "");
    EXPECT_EQ(controlSocketPath("/tmp/h8/flag.sock", "/run/vigil/lb1.sock"), "/tmp/h8/flag.sock");
  }
  ScopedEnv env("/tmp/h8/env.sock");
  EXPECT_EQ(controlSocketPath("off", "/run/vigil/lb1.sock"), "");
  EXPECT_EQ(controlSocketPath("", "/run/vigil/lb1.sock"), "");
}

TEST(ControlSocketPathTest, VigildTakesTheFlagInBothSpellings) {
  auto spaced = parseOptions({"--control-socket", "/tmp/h8/a.sock"});
  ASSERT_TRUE(spaced) << spaced.error().describe();
  EXPECT_EQ(spaced->controlSocket, std::optional<std::string>("/tmp/h8/a.sock"));
  auto joined = parseOptions({"--control-socket=off"});
  ASSERT_TRUE(joined) << joined.error().describe();
  EXPECT_EQ(joined->controlSocket, std::optional<std::string>("off"));
  EXPECT_FALSE(parseOptions({"--control-socket"}));
  EXPECT_FALSE(parseOptions({})->controlSocket);
}

}  // namespace
}  // namespace vigil::cli
