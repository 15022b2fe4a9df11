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
    path = ::mkdtemp(pattern);
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

TEST(OwnedServicesFileTest, AnUnreadableLineIsAnErrorNamingIt) {
  TempDir dir;
  OwnedServicesFile file(dir.file("owned"));
  std::ofstream(file.path()) << "4 TCP 10.0.0.100 80 0\ngarbage\n";
  auto loaded = file.load();
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.error().message.find(":2:"), std::string::npos) << loaded.error().message;
}

}  // namespace
}  // namespace vigil::check
