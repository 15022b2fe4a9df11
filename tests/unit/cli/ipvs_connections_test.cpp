#include "cli/vigild/ipvs_connections.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace vigil::cli {
namespace {

// /proc/net/ip_vs_conn as the kernel writes it: a header, IPv4 rows in
// hex, IPv6 rows with full addresses, a persistence-engine row.
constexpr const char* kTable =
    "Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData\n"
    "TCP C0A80005 9C40 0A000001 0050 0A000002 0050 ESTABLISHED     899\n"
    "UDP 2001:0db8:0000:0000:0000:0000:0000:0005 1F90 2001:0db8:0000:0000:0000:0000:0000:0001 "
    "0035 2001:0db8:0000:0000:0000:0000:0000:0002 0035 UDP             287\n"
    "UDP C0A80006 13C4 0A000001 13C4 0A000003 13C4 UDP              59 sip abc@example\n"
    "garbage line\n";

TEST(IpvsConnectionsTest, ParsesHexIpv4FullIpv6AndPersistenceEngineRows) {
  std::vector<IpvsConnection> rows = parseIpvsConnections(kTable);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].protocol, "TCP");
  EXPECT_EQ(rows[0].source.toString(), "192.168.0.5");
  EXPECT_EQ(rows[0].sourcePort, 40000);
  EXPECT_EQ(rows[0].virtualAddress.toString(), "10.0.0.1");
  EXPECT_EQ(rows[0].virtualPort, 80);
  EXPECT_EQ(rows[0].destination.toString(), "10.0.0.2");
  EXPECT_EQ(rows[0].state, "ESTABLISHED");
  EXPECT_EQ(rows[0].expiresSeconds, 899u);
  EXPECT_EQ(rows[1].source.toString(), "2001:db8::5");
  EXPECT_EQ(rows[1].virtualPort, 53);
  EXPECT_EQ(rows[2].peName, "sip");
  EXPECT_EQ(rows[2].peData, "abc@example");
}

TEST(IpvsConnectionsTest, JsonSaysWhenTheTableIsAbsent) {
  EXPECT_EQ(readIpvsConnections("/nonexistent/ip_vs_conn"), nlohmann::json({{"available", false}}));
  const auto dir =
      std::filesystem::temp_directory_path() / ("vigil-h5-conn-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "ip_vs_conn") << kTable;
  nlohmann::json doc = readIpvsConnections((dir / "ip_vs_conn").string());
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(doc["available"].get<bool>());
  ASSERT_EQ(doc["connections"].size(), 3u);
  EXPECT_EQ(doc["connections"][0], nlohmann::json({{"protocol", "TCP"},
                                                   {"source_address", "192.168.0.5"},
                                                   {"source_port", 40000},
                                                   {"virtual_address", "10.0.0.1"},
                                                   {"virtual_port", 80},
                                                   {"destination_address", "10.0.0.2"},
                                                   {"destination_port", 80},
                                                   {"state", "ESTABLISHED"},
                                                   {"expires_seconds", 899}}));
}

}  // namespace
}  // namespace vigil::cli
