#include "vrrp/accept_filter_cleanup.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <string>

// removeAcceptFilterTable with stand-in `nft` scripts: what it runs, and
// how it reports a failing, missing or wedged nft.
namespace vigil::vrrp {
namespace {

using namespace std::chrono_literals;

struct ScriptDir {
  ScriptDir() {
    char tmpl[] = "/tmp/vigil-nftclean-XXXXXX";
    dir = ::mkdtemp(tmpl);
  }
  ~ScriptDir() { std::filesystem::remove_all(dir); }
  std::string script(const std::string& name, const std::string& body) const {
    const std::string path = dir + "/" + name;
    std::ofstream(path) << "#!/bin/sh\n" << body << "\n";
    ::chmod(path.c_str(), 0755);
    return path;
  }
  std::string dir;
};

TEST(RemoveAcceptFilterTableTest, RunsNftWithTheDeleteTableTransaction) {
  ScriptDir d;
  const std::string nft = d.script("nft", "printf '%s' \"$*\" > " + d.dir + "/args");
  ASSERT_TRUE(removeAcceptFilterTable(nft));
  std::ifstream in(d.dir + "/args");
  std::string args((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(args, "add table inet vigil; delete table inet vigil");
}

TEST(RemoveAcceptFilterTableTest, AFailingNftIsAnError) {
  ScriptDir d;
  Status removed = removeAcceptFilterTable(d.script("nft", "exit 1"));
  ASSERT_FALSE(removed);
  EXPECT_EQ(removed.error().code, EIO);
}

TEST(RemoveAcceptFilterTableTest, AMissingNftIsEnoent) {
  Status removed = removeAcceptFilterTable("/nonexistent/vigil-nft");
  ASSERT_FALSE(removed);
  EXPECT_EQ(removed.error().code, ENOENT);
}

// The bound: a wedged nft is killed and reaped, never waited on forever.
TEST(RemoveAcceptFilterTableTest, AWedgedNftIsKilledAtTheTimeout) {
  ScriptDir d;
  Status removed = removeAcceptFilterTable(d.script("nft", "exec sleep 30"), 50ms);
  ASSERT_FALSE(removed);
  EXPECT_EQ(removed.error().code, ETIMEDOUT);
}

}  // namespace
}  // namespace vigil::vrrp
