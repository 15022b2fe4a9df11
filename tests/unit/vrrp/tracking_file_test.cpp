#include "vrrp/tracking_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "core/posix_event_loop.h"
#include "fakes/run_until.h"

namespace vigil::vrrp {
namespace {

TEST(TrackFileValueTest, ParsesLikeKeepalived) {
  EXPECT_EQ(parseTrackFileValue("42\n"), 42);
  EXPECT_EQ(parseTrackFileValue("  -7 trailing"), -7);
  EXPECT_EQ(parseTrackFileValue("+3"), 3);
  EXPECT_EQ(parseTrackFileValue(""), 0);
  EXPECT_EQ(parseTrackFileValue("abc"), 0);
  EXPECT_EQ(readTrackFile("/nonexistent/vigil/track"), 0);
}

struct TempDir {
  TempDir() {
    char tmpl[] = "/tmp/vigil-track-XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::string file(const std::string& name) const { return path + "/" + name; }
  std::string path;
};

void writeFile(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::trunc) << text;
}

config::TrackFile trackFile(std::string name, std::string path) {
  config::TrackFile f;
  f.name = std::move(name);
  f.path = std::move(path);
  return f;
}

TEST(TrackFileInitTest, CreatesMissingFilesAndOverwritesOnlyWhenAsked) {
  TempDir d;
  auto f = trackFile("a", d.file("a"));
  f.initFile = true;
  f.initValue = 5;
  ASSERT_TRUE(initTrackFile(f).ok());
  EXPECT_EQ(readTrackFile(f.path), 5);
  writeFile(f.path, "9\n");
  ASSERT_TRUE(initTrackFile(f).ok());
  EXPECT_EQ(readTrackFile(f.path), 9);  // kept
  f.initOverwrite = true;
  ASSERT_TRUE(initTrackFile(f).ok());
  EXPECT_EQ(readTrackFile(f.path), 5);
}

TEST(TrackFileWatcherTest, ReportsInitialValuesThenChangesSeenByInotify) {
  TempDir d;
  writeFile(d.file("a"), "3\n");
  PosixEventLoop loop;
  std::vector<std::pair<std::string, int64_t>> seen;
  TrackFileWatcher watcher(loop, {trackFile("a", d.file("a")), trackFile("b", d.file("b"))},
                           [&](const std::string& name, int64_t v) { seen.emplace_back(name, v); });
  ASSERT_TRUE(watcher.start().ok());
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0], std::make_pair(std::string("a"), int64_t{3}));
  EXPECT_EQ(seen[1], std::make_pair(std::string("b"), int64_t{0}));  // missing

  writeFile(d.file("b"), "-12\n");
  ASSERT_TRUE(fakes::runUntil(loop, [&] { return seen.size() == 3; }));
  EXPECT_EQ(seen[2], std::make_pair(std::string("b"), int64_t{-12}));
  EXPECT_EQ(watcher.value("b"), std::optional<int64_t>(-12));

  // Replaced by rename, as tools that write atomically do.
  writeFile(d.file("tmp"), "7\n");
  std::filesystem::rename(d.file("tmp"), d.file("a"));
  ASSERT_TRUE(fakes::runUntil(loop, [&] { return seen.size() == 4; }));
  EXPECT_EQ(seen[3], std::make_pair(std::string("a"), int64_t{7}));

  std::filesystem::remove(d.file("a"));
  ASSERT_TRUE(fakes::runUntil(loop, [&] { return seen.size() == 5; }));
  EXPECT_EQ(seen[4], std::make_pair(std::string("a"), int64_t{0}));
}

TEST(TrackFileWatcherTest, AMissingDirectoryIsReported) {
  PosixEventLoop loop;
  TrackFileWatcher watcher(loop, {trackFile("a", "/nonexistent/vigil/dir/a")}, nullptr);
  Status s = watcher.start();
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(watcher.value("a"), std::optional<int64_t>(0));
}

}  // namespace
}  // namespace vigil::vrrp
