#include "cli/vigild/module_loader.h"

#include <dlfcn.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "cli/vigild/http_module.h"
#include "cli/vigild/snmp_module.h"

namespace vigil::cli {
namespace {

TEST(ModuleLoaderTest, LooksBesideTheExecutableThenInLibVigil) {
  EXPECT_EQ(moduleCandidates("/work/build/bin/vigild", kHttpModule.file),
            (std::vector<std::string>{"/work/build/bin/vigil-http.so",
                                      "/work/build/lib/vigil/vigil-http.so"}));
  EXPECT_EQ(moduleCandidates("/usr/sbin/vigild", kSnmpModule.file),
            (std::vector<std::string>{"/usr/sbin/vigil-snmp.so", "/usr/lib/vigil/vigil-snmp.so"}));
}

TEST(ModuleLoaderTest, AModuleFromAnotherBuildIsRefusedNamingItsPathAndBothBuilds) {
  EXPECT_TRUE(checkModuleBuild(kSnmpModule, "/b/vigil-snmp.so", moduleBuild()));
  const std::string ours = moduleBuild();
  Status other = checkModuleBuild(kSnmpModule, "/b/vigil-snmp.so", "0123456789abcdef-stale");
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().message,
            "/b/vigil-snmp.so is from build 0123456789abcdef-stale, this vigild from build " +
                ours + ": not loaded (install the vigil-snmp.so built with this vigild)");
  Status none = checkModuleBuild(kHttpModule, "/b/vigil-http.so", nullptr);
  ASSERT_FALSE(none);
  EXPECT_NE(none.error().message.find("/b/vigil-http.so exports no vigil_http_module_build"),
            std::string::npos)
      << none.error().message;
}

// dlopen() has already run a refused module's constructors (and its
// libraries'), which may have left exit handlers behind: it stays mapped.
// A small glibc library that this binary does not link stands in for it.
TEST(ModuleLoaderTest, ARefusedModuleIsRefusedButNotUnloaded) {
  const std::string path = "/lib/x86_64-linux-gnu/libBrokenLocale.so.1";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << path << " is not on this machine";
  ASSERT_EQ(::dlopen(path.c_str(), RTLD_NOW | RTLD_NOLOAD), nullptr) << path << " already loaded";

  auto entry =
      loadModuleAt({"libBrokenLocale.so.1", "vigil_absent_build", "vigil_absent_create"}, path);
  ASSERT_FALSE(entry);
  EXPECT_EQ(entry.error().code, ELIBBAD);
  EXPECT_NE(entry.error().message.find(path + " exports no vigil_absent_build"), std::string::npos)
      << entry.error().message;
  void* still = ::dlopen(path.c_str(), RTLD_NOW | RTLD_NOLOAD);
  EXPECT_NE(still, nullptr);
  if (still != nullptr) ::dlclose(still);  // only this test's reference
}

// A unit-test binary is not vigild: nothing named vigil-snmp.so sits beside
// it, so the loader says where it looked.
TEST(ModuleLoaderTest, AMissingModuleNamesEveryPathTried) {
  auto entry = loadModuleEntry({"vigil-absent-test.so", "absent_build", "absent_create"});
  ASSERT_FALSE(entry);
  EXPECT_EQ(entry.error().code, ENOENT);
  EXPECT_NE(entry.error().message.find("vigil-absent-test.so is neither at /"), std::string::npos)
      << entry.error().message;
  EXPECT_NE(entry.error().message.find("/lib/vigil/vigil-absent-test.so"), std::string::npos)
      << entry.error().message;
}

}  // namespace
}  // namespace vigil::cli
