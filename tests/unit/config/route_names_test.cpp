// iproute2's table and realm names (config/route_names.h): which files are
// read, in which order, and how their lines are read.
#include "config/route_names.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace vigil::config {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(RouteNameFilesTest, EtcFileThenUsrThenEtcDirectoriesConfOnlyInNameOrder) {
  EXPECT_THAT(routeNameFiles("rt_tables", true, {"b.conf", "a.conf", "notes.txt"},
                             {"z.conf", ".conf", "m.conf"}),
              ElementsAre("/etc/iproute2/rt_tables", "/usr/share/iproute2/rt_tables.d/a.conf",
                          "/usr/share/iproute2/rt_tables.d/b.conf",
                          "/etc/iproute2/rt_tables.d/m.conf", "/etc/iproute2/rt_tables.d/z.conf"));
}

TEST(RouteNameFilesTest, WithoutTheEtcFileTheDistributionsIsRead) {
  EXPECT_THAT(routeNameFiles("rt_realms", false, {}, {}),
              ElementsAre("/usr/share/iproute2/rt_realms"));
}

TEST(RouteNameTableTest, ReadsIdNameLinesSkippingCommentsAndBlankLines) {
  RouteNameTable table;
  table.addFile(
      "#\n# reserved values\n#\n255\tlocal\n254\tmain\n\n  100 isp1   # uplink\n0x65 isp2\n");
  EXPECT_EQ(table.find("isp1"), 100u);
  EXPECT_EQ(table.find("isp2"), 101u);
  EXPECT_EQ(table.find("local"), 255u);
  EXPECT_EQ(table.find("isp3"), std::nullopt);
}

TEST(RouteNameTableTest, ACorruptLineEndsTheFileAsInIproute2ButNotTheNextFile) {
  RouteNameTable table;
  table.searched = "rt_tables, b.conf";
  table.addFile("100 first\n# fine\nbogus line\n101 after\n", "rt_tables");
  table.addFile("102 next\n103\n", "b.conf");
  EXPECT_EQ(table.find("first"), 100u);
  EXPECT_EQ(table.find("after"), std::nullopt);
  EXPECT_EQ(table.find("next"), 102u);
  EXPECT_THAT(table.corrupt(), ElementsAre("rt_tables:3", "b.conf:2"));
  EXPECT_EQ(table.where(),
            "rt_tables, b.conf; rt_tables:3 is not 'ID NAME', so no name after it is read; "
            "b.conf:2 is not 'ID NAME', so no name after it is read");
}

TEST(RouteNameTableTest, AFileOfCommentsAndBlankLinesIsNotCorrupt) {
  RouteNameTable table;
  table.addFile("#\n\n   \n\t# x\r\n", "rt_realms");
  EXPECT_THAT(table.corrupt(), IsEmpty());
  EXPECT_EQ(table.find("x"), std::nullopt);
}

TEST(RouteNameTableTest, TheFirstDefinitionOfANameWins) {
  RouteNameTable table;
  table.addFile("100 isp\n");
  table.addFile("200 isp\n");
  EXPECT_EQ(table.find("isp"), 100u);
}

TEST(RouteNamesTest, TableIdsKnowTheReservedNamesNumbersAndTheFiles) {
  RouteNames names;
  names.tables.addFile("100 isp\n");
  EXPECT_EQ(names.tableId(""), 254u);
  EXPECT_EQ(names.tableId("main"), 254u);
  EXPECT_EQ(names.tableId("local"), 255u);
  EXPECT_EQ(names.tableId("default"), 253u);
  EXPECT_EQ(names.tableId("1000"), 1000u);
  EXPECT_EQ(names.tableId("0x10"), 16u);
  EXPECT_EQ(names.tableId("isp"), 100u);
  EXPECT_EQ(names.tableId("isp9"), std::nullopt);
}

TEST(RouteNamesTest, RealmsAreNumbersUpTo65535OrNames) {
  RouteNames names;
  names.realms.addFile("0 cosmos\n12 edge\n");
  EXPECT_EQ(names.realmId("edge"), 12u);
  EXPECT_EQ(names.realmId("65535"), 65535u);
  EXPECT_EQ(names.realmId("65536"), std::nullopt);
  EXPECT_EQ(names.realmId("nowhere"), std::nullopt);
}

// readRouteNames over a directory tree standing for /etc/iproute2 and
// /usr/share/iproute2.
class ReadRouteNamesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("vigil-route-names-" + std::to_string(getpid()));
    fs::remove_all(root_);
    dirs_.etc = (root_ / "etc").string();
    dirs_.usr = (root_ / "usr").string();
    fs::create_directories(root_ / "etc");
    fs::create_directories(root_ / "usr");
  }
  void TearDown() override { fs::remove_all(root_); }

  void write(const std::string& path, const std::string& text) {
    fs::create_directories((root_ / path).parent_path());
    std::ofstream(root_ / path) << text;
  }

  fs::path root_;
  RouteNameDirs dirs_;
};

TEST_F(ReadRouteNamesTest, MissingFilesGiveNoNamesButTheReservedOnesAndNumbers) {
  RouteNames names = readRouteNames(dirs_);
  EXPECT_EQ(names.tableId("main"), 254u);
  EXPECT_EQ(names.tableId("7"), 7u);
  EXPECT_EQ(names.tableId("isp"), std::nullopt);
  EXPECT_EQ(names.realmId("cosmos"), std::nullopt);
  EXPECT_EQ(names.tables.where(), dirs_.etc + "/rt_tables (missing)");
}

TEST_F(ReadRouteNamesTest, TheDirectoriesConfFilesAddNamesAndAreListedWhereSearched) {
  write("etc/rt_tables", "255 local\n100 isp1\n");
  write("etc/rt_tables.d/vips.conf", "1000 vips\n");
  write("etc/rt_tables.d/notes.txt", "1001 ignored\n");
  write("etc/rt_tables.d/.hidden.conf", "1002 hidden\n");
  write("usr/rt_tables.d/dist.conf", "1003 dist\n");
  write("usr/rt_tables", "200 onlyusr\n");  // the etc file exists: not read
  write("etc/rt_realms", "0 cosmos\n");
  write("etc/rt_realms.d/edge.conf", "12 edge\n");
  RouteNames names = readRouteNames(dirs_);
  EXPECT_EQ(names.tableId("isp1"), 100u);
  EXPECT_EQ(names.tableId("vips"), 1000u);
  EXPECT_EQ(names.tableId("dist"), 1003u);
  EXPECT_EQ(names.tableId("ignored"), std::nullopt);
  EXPECT_EQ(names.tableId("hidden"), std::nullopt);
  EXPECT_EQ(names.tableId("onlyusr"), std::nullopt);
  EXPECT_EQ(names.realmId("cosmos"), 0u);
  EXPECT_EQ(names.realmId("edge"), 12u);
  EXPECT_EQ(names.tables.where(), dirs_.etc + "/rt_tables, " + dirs_.usr +
                                      "/rt_tables.d/dist.conf, " + dirs_.etc +
                                      "/rt_tables.d/vips.conf");
}

TEST_F(ReadRouteNamesTest, WithoutTheEtcFileTheDistributionsIsRead) {
  write("usr/rt_tables", "200 onlyusr\n");
  EXPECT_EQ(readRouteNames(dirs_).tableId("onlyusr"), 200u);
}

TEST_F(ReadRouteNamesTest, ACorruptLineIsNamedWithItsFileAndLine) {
  write("etc/rt_tables", "100 isp1\nisp2 101\n102 isp3\n");
  RouteNames names = readRouteNames(dirs_);
  EXPECT_EQ(names.tableId("isp1"), 100u);
  EXPECT_EQ(names.tableId("isp3"), std::nullopt);
  EXPECT_THAT(names.tables.corrupt(), ElementsAre(dirs_.etc + "/rt_tables:2"));
}

}  // namespace
}  // namespace vigil::config
