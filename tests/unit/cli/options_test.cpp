#include "cli/vigild/options.h"

#include <gtest/gtest.h>

namespace vigil::cli {
namespace {

TEST(OptionsTest, KeepalivedFlagsKeepTheirMeaning) {
  auto o = parseOptions({"-f", "/etc/k.conf", "-t", "-n", "-l", "-D", "-P", "-i", "main", "-p",
                         "/run/a.pid", "-r", "/run/b.pid", "-c", "/run/c.pid", "-S", "3"});
  ASSERT_TRUE(o) << o.error().describe();
  EXPECT_EQ(o->configFile, "/etc/k.conf");
  EXPECT_TRUE(o->configTest);
  EXPECT_TRUE(o->dontFork);
  EXPECT_TRUE(o->logConsole);
  EXPECT_TRUE(o->logDetail);
  EXPECT_TRUE(o->vrrpOnly);
  EXPECT_EQ(o->configId, "main");
  EXPECT_EQ(o->pidFile, "/run/a.pid");
  EXPECT_EQ(o->vrrpPidFile, "/run/b.pid");
  EXPECT_EQ(o->checkPidFile, "/run/c.pid");
  EXPECT_EQ(o->syslogFacility, 3);
}

TEST(OptionsTest, LongFormsWithEquals) {
  auto o = parseOptions({"--use-file=/x.conf", "--config-test", "--check", "--config-id=b",
                         "--dump-config", "--strict-config", "--single-process"});
  ASSERT_TRUE(o) << o.error().describe();
  EXPECT_EQ(o->configFile, "/x.conf");
  EXPECT_TRUE(o->checkOnly);
  EXPECT_EQ(o->configId, "b");
  EXPECT_TRUE(o->dumpConfig);
  EXPECT_TRUE(o->strictConfig);
  EXPECT_TRUE(o->singleProcess);
}

TEST(OptionsTest, AttachedShortValue) {
  auto o = parseOptions({"-f/etc/k.conf"});
  ASSERT_TRUE(o);
  EXPECT_EQ(o->configFile, "/etc/k.conf");
}

TEST(OptionsTest, IgnoredKeepalivedFlagsAreAcceptedAndRemembered) {
  auto o = parseOptions({"-x", "--umask", "022", "-G"});
  ASSERT_TRUE(o) << o.error().describe();
  EXPECT_EQ(o->ignored, (std::vector<std::string>{"-x", "--umask", "-G"}));
}

TEST(OptionsTest, ErrorsNameTheArgument) {
  auto unknown = parseOptions({"--frob"});
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().message, "unknown option '--frob' (see --help)");
  auto missing = parseOptions({"-f"});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message, "option '-f' needs a value");
  auto facility = parseOptions({"-S", "9"});
  ASSERT_FALSE(facility);
  EXPECT_EQ(facility.error().message, "-S/--log-facility takes 0-7 (LOG_LOCAL0-7), got '9'");
  auto both = parseOptions({"-P", "-C"});
  ASSERT_FALSE(both);
  auto stray = parseOptions({"file.conf"});
  ASSERT_FALSE(stray);
  EXPECT_EQ(stray.error().message, "unexpected argument 'file.conf' (see --help)");
}

}  // namespace
}  // namespace vigil::cli
