#include "core/atomic_file.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "support/scoped_umask.h"

namespace vigil {
namespace {

struct TempDir {
  TempDir() {
    char pattern[] = "/tmp/vigil-atomic-XXXXXX";
    const char* made = ::mkdtemp(pattern);
    EXPECT_NE(made, nullptr);
    path = made != nullptr ? made : "/nonexistent";
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  size_t entries() const {
    size_t count = 0;
    for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(path)) ++count;
    return count;
  }
  std::string path;
};

std::string contents(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(AtomicFileTest, ReplacesTheFileAndLeavesNothingElseBehind) {
  TempDir dir;
  const std::string path = dir.path + "/state";
  ASSERT_TRUE(writeFileAtomically(path, "first\n").ok());
  EXPECT_EQ(contents(path), "first\n");
  const std::string large(1 << 20, 'x');  // more than one write() may take
  ASSERT_TRUE(writeFileAtomically(path, large).ok());
  EXPECT_EQ(contents(path), large);
  EXPECT_EQ(dir.entries(), 1u);
  EXPECT_EQ(std::filesystem::status(path).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}

mode_t modeOf(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0);
  return st.st_mode & 07777;
}

// The requested mode less the umask, as open(O_CREAT, mode) would give.
TEST(AtomicFileTest, TheModeIsTheRequestedOneLessTheUmask) {
  TempDir dir;
  const std::string path = dir.path + "/state";
  {
    test::ScopedUmask mask(027);
    ASSERT_TRUE(writeFileAtomically(path, "x", 0666).ok());
    EXPECT_EQ(modeOf(path), 0666u & ~027u);
  }
  {
    test::ScopedUmask mask(0);
    ASSERT_TRUE(writeFileAtomically(path, "x", 0666).ok());
    EXPECT_EQ(modeOf(path), 0666u);
  }
}

TEST(AtomicFileTest, AFailedRenameKeepsTheOldFileAndRemovesTheTemporaryOne) {
  TempDir dir;
  const std::string path = dir.path + "/state";
  std::filesystem::create_directory(path);  // rename(file, non-empty dir) fails
  std::ofstream(path + "/inside") << "keep";
  auto written = writeFileAtomically(path, "new\n");
  EXPECT_FALSE(written.ok());
  EXPECT_EQ(contents(path + "/inside"), "keep");
  EXPECT_EQ(dir.entries(), 1u);
}

TEST(AtomicFileTest, AMissingDirectoryIsAnError) {
  TempDir dir;
  EXPECT_FALSE(writeFileAtomically(dir.path + "/missing/state", "x").ok());
}

}  // namespace
}  // namespace vigil
