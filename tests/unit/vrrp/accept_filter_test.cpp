#include "vrrp/accept_filter.h"

#include <gtest/gtest.h>

#include "fakes/fake_process_spawner.h"
#include "vrrp/accept_filter_rules.h"

namespace vigil::vrrp {
namespace {

IpAddress ip(const char* text) { return *IpAddress::parse(text); }

TEST(AcceptFilterRules, ChainNameKeepsBareNamesAndHashesOthers) {
  EXPECT_EQ(nftChainName("VI_1"), "vi_VI_1");
  const std::string dashed = nftChainName("VI-1");
  const std::string dotted = nftChainName("VI.1");
  EXPECT_EQ(dashed.substr(0, 8), "vi_VI_1_");
  EXPECT_NE(dashed, dotted);
  EXPECT_EQ(nftChainName("VI-1"), dashed);  // stable
}

TEST(AcceptFilterRules, BlockDropsEachVipButLetsVrrpAndNeighbourDiscoveryThrough) {
  EXPECT_EQ(nftBlockCommand("VI_1", {ip("10.0.0.100"), ip("fd00::1")}),
            "add table inet vigil; "
            "add chain inet vigil vi_VI_1 { type filter hook input priority -10; policy accept; }; "
            "flush chain inet vigil vi_VI_1; "
            "add rule inet vigil vi_VI_1 ip daddr 10.0.0.100 meta l4proto != 112 drop; "
            "add rule inet vigil vi_VI_1 ip6 daddr fd00::1 meta l4proto != { 58, 112 } drop; "
            "add rule inet vigil vi_VI_1 ip6 daddr fd00::1 icmpv6 type != "
            "{ nd-neighbor-solicit, nd-neighbor-advert } drop");
}

TEST(AcceptFilterRules, UnblockCreatesThenDeletesTheChainSoItNeverFails) {
  EXPECT_EQ(nftUnblockCommand("VI_1"),
            "add table inet vigil; "
            "add chain inet vigil vi_VI_1 { type filter hook input priority -10; policy accept; }; "
            "flush chain inet vigil vi_VI_1; delete chain inet vigil vi_VI_1");
  EXPECT_EQ(nftDeleteTableCommand(), "add table inet vigil; delete table inet vigil");
}

TEST(NftAcceptFilter, RunsOneCommandAtATimeAndKeepsOnlyTheLatestPerInstance) {
  fakes::FakeProcessSpawner spawner;
  NftAcceptFilter filter(spawner);
  filter.block("VI_1", {ip("10.0.0.100")});
  filter.block("VI_1", {ip("10.0.0.101")});
  filter.block("VI_2", {ip("10.0.0.200")});
  filter.unblock("VI_1");
  ASSERT_EQ(spawner.requests.size(), 1u);
  EXPECT_EQ(spawner.requests[0].argv,
            (std::vector<std::string>{"nft", nftBlockCommand("VI_1", {ip("10.0.0.100")})}));
  EXPECT_TRUE(spawner.requests[0].timeout.has_value());

  ASSERT_TRUE(spawner.exitOldest(0));
  ASSERT_EQ(spawner.requests.size(), 2u);
  EXPECT_EQ(spawner.requests[1].argv[1], nftUnblockCommand("VI_1"));  // the 101 block coalesced
  ASSERT_TRUE(spawner.exitOldest(1));
  ASSERT_EQ(spawner.requests.size(), 3u);
  EXPECT_EQ(spawner.requests[2].argv[1], nftBlockCommand("VI_2", {ip("10.0.0.200")}));
  ASSERT_TRUE(spawner.exitOldest(0));

  EXPECT_TRUE(filter.idle());
  EXPECT_EQ(filter.runs(), 2u);
  EXPECT_EQ(filter.failures(), 1u);
}

TEST(NftAcceptFilter, AFailedSpawnIsCountedAndTheQueueMovesOn) {
  fakes::FakeProcessSpawner spawner;
  NftAcceptFilter filter(spawner);
  spawner.failNext = true;
  filter.block("VI_1", {ip("10.0.0.100")});
  EXPECT_EQ(filter.failures(), 1u);
  EXPECT_TRUE(filter.idle());
  filter.unblock("VI_1");
  EXPECT_EQ(spawner.requests.size(), 1u);
}

TEST(NftAcceptFilter, AQueuedUnblockStillRunsAfterTheFilterIsGone) {
  fakes::FakeProcessSpawner spawner;
  {
    NftAcceptFilter filter(spawner);
    filter.block("VI_1", {ip("10.0.0.100")});
    filter.unblock("VI_1");
  }
  ASSERT_TRUE(spawner.exitOldest(0));
  ASSERT_EQ(spawner.requests.size(), 2u);
  EXPECT_EQ(spawner.requests[1].argv[1], nftUnblockCommand("VI_1"));
}

}  // namespace
}  // namespace vigil::vrrp
