#include "check/owned_services_file.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace vigil::check {
namespace {

struct TempDir {
  TempDir() {
    char pattern[] = "/tmp/vigil-owned-XXXXXX";
    const char* made = ::mkdtemp(pattern);
    EXPECT_NE(made, nullptr);
    path = made != nullptr ? made : "/nonexistent";
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::string file(const char* name) const { return path + "/" + name; }
  std::string path;
};

ipvs::ServiceKey key(ipvs::Protocol protocol, const char* address, uint16_t port) {
  return ipvs::ServiceKey::forAddress(protocol, *IpAddress::parse(address), port);
}

TEST(OwnedServicesFileTest, LinesNameEveryKindOfServiceAndParseBack) {
  const std::set<ipvs::ServiceKey> keys{
      key(ipvs::Protocol::Tcp, "10.0.0.100", 80), key(ipvs::Protocol::Udp, "2001:db8::1", 53),
      key(ipvs::Protocol::Sctp, "10.0.0.7", 0), ipvs::ServiceKey::forFwmark(AF_INET, 7),
      ipvs::ServiceKey::forFwmark(AF_INET6, 9)};
  EXPECT_EQ(ownedServiceLine(key(ipvs::Protocol::Tcp, "10.0.0.100", 80)), "4 TCP 10.0.0.100 80 0");
  EXPECT_EQ(ownedServiceLine(ipvs::ServiceKey::forFwmark(AF_INET6, 9)), "6 - - 0 9");
  for (const ipvs::ServiceKey& k : keys) {
    EXPECT_EQ(parseOwnedServiceLine(ownedServiceLine(k)), k) << ownedServiceLine(k);
  }
  for (const char* bad : {"", "4 TCP 10.0.0.1 80", "4 TCP 10.0.0.1 80 0 x", "5 TCP 10.0.0.1 80 0",
                          "6 TCP 10.0.0.1 80 0", "4 ICMP 10.0.0.1 80 0", "4 TCP 10.0.0.1 70000 0",
                          "4 - - 0 0", "4 TCP 10.0.0.1 80 7"}) {
    EXPECT_FALSE(parseOwnedServiceLine(bad)) << bad;
  }
}

TEST(OwnedServicesFileTest, SavedKeysLoadBackAndAnEmptySetRemovesTheFile) {
  TempDir dir;
  OwnedServicesFile file(dir.file("owned"));
  auto missing = file.load();
  ASSERT_TRUE(missing.ok());
  EXPECT_TRUE(missing->empty());
  const std::set<ipvs::ServiceKey> keys{key(ipvs::Protocol::Tcp, "10.0.0.100", 80),
                                        ipvs::ServiceKey::forFwmark(AF_INET, 7)};
  ASSERT_TRUE(file.save(keys).ok());
  auto loaded = file.load();
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(*loaded, keys);
  ASSERT_TRUE(file.save({}).ok());
  EXPECT_FALSE(std::filesystem::exists(file.path()));
  EXPECT_FALSE(std::filesystem::exists(file.path() + ".tmp"));
}

TEST(OwnedServicesFileTest, AnUnreadableLineIsSkippedAndTheOthersStillLoad) {
  // One damaged line must not disown the services the other lines name.
  TempDir dir;
  OwnedServicesFile file(dir.file("owned"));
  std::ofstream(file.path()) << "4 TCP 10.0.0.100 80 0\ngarbage\n4 - - 0 7\n";
  auto loaded = file.load();
  ASSERT_TRUE(loaded.ok()) << loaded.error().describe();
  EXPECT_EQ(*loaded, (std::set<ipvs::ServiceKey>{key(ipvs::Protocol::Tcp, "10.0.0.100", 80),
                                                 ipvs::ServiceKey::forFwmark(AF_INET, 7)}));
}

TEST(OwnedServicesFileTest, SavingLeavesNoTemporaryFileBehind) {
  TempDir dir;
  OwnedServicesFile file(dir.file("owned"));
  ASSERT_TRUE(file.save({key(ipvs::Protocol::Tcp, "10.0.0.100", 80)}).ok());
  ASSERT_TRUE(file.save({key(ipvs::Protocol::Udp, "10.0.0.100", 53)}).ok());
  size_t entries = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir.path)) {
    ++entries;
  }
  EXPECT_EQ(entries, 1u);
}

}  // namespace
}  // namespace vigil::check
