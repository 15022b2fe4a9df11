#include "vrrp/advert_check.h"

#include <gtest/gtest.h>

#include <vector>

namespace vigil::vrrp {
namespace {

IpAddress ip(const char* text) { return *IpAddress::parse(text); }

InstanceParams v2Params() {
  InstanceParams p;
  p.version = 2;
  p.vrid = 51;
  p.priority = 100;
  p.advertInterval = Centiseconds(100);
  p.authType = AuthType::Pass;
  p.authData = authDataFromPassword("secret");
  p.primaryAddress = ip("10.0.0.1");
  p.addresses = {ip("10.0.0.100"), ip("10.0.0.101")};
  return p;
}

VrrpPacket matchingAdvert(const InstanceParams& params) {
  VrrpPacket p;
  p.version = params.version;
  p.vrid = params.vrid;
  p.priority = 150;
  p.advertInterval = params.advertInterval;
  p.authType = params.authType;
  p.authData = params.authData;
  p.addresses = params.addresses;
  return p;
}

TEST(AdvertCheckTest, AcceptsAMatchingAdvert) {
  const InstanceParams params = v2Params();
  EXPECT_EQ(checkAdvert(matchingAdvert(params), params), std::nullopt);
}

TEST(AdvertCheckTest, VersionAndVrid) {
  const InstanceParams params = v2Params();
  VrrpPacket p = matchingAdvert(params);
  p.version = 3;
  EXPECT_EQ(checkAdvert(p, params), RejectReason::VersionMismatch);
  p = matchingAdvert(params);
  p.vrid = 52;
  EXPECT_EQ(checkAdvert(p, params), RejectReason::VridMismatch);
}

TEST(AdvertCheckTest, V2Authentication) {
  const InstanceParams params = v2Params();
  VrrpPacket p = matchingAdvert(params);
  p.authData = authDataFromPassword("secreT");
  EXPECT_EQ(checkAdvert(p, params), RejectReason::AuthMismatch);
  p = matchingAdvert(params);
  p.authType = AuthType::None;
  p.authData = {};
  EXPECT_EQ(checkAdvert(p, params), RejectReason::AuthMismatch);

  InstanceParams ah = v2Params();
  ah.authType = AuthType::Ah;
  ah.authData = authDataFromPassword("key");
  p = matchingAdvert(ah);
  p.authData = {};  // AH keeps the key out of the VRRP message
  EXPECT_EQ(checkAdvert(p, ah), std::nullopt);
}

TEST(AdvertCheckTest, V2IntervalMustMatchButV3Learns) {
  const InstanceParams params = v2Params();
  VrrpPacket p = matchingAdvert(params);
  p.advertInterval = Centiseconds(200);
  EXPECT_EQ(checkAdvert(p, params), RejectReason::IntervalMismatch);

  InstanceParams v3 = v2Params();
  v3.version = 3;
  v3.authType = AuthType::None;
  v3.authData = {};
  p = matchingAdvert(v3);
  p.advertInterval = Centiseconds(7);
  EXPECT_EQ(checkAdvert(p, v3), std::nullopt);
}

TEST(AdvertCheckTest, AddressListIsComparedAsASet) {
  const InstanceParams params = v2Params();
  VrrpPacket p = matchingAdvert(params);
  std::swap(p.addresses[0], p.addresses[1]);
  EXPECT_EQ(checkAdvert(p, params), std::nullopt);

  p.addresses.pop_back();
  EXPECT_EQ(checkAdvert(p, params), RejectReason::AddressListMismatch);
  p.addresses = {ip("10.0.0.100"), ip("10.0.0.102")};
  EXPECT_EQ(checkAdvert(p, params), RejectReason::AddressListMismatch);
  EXPECT_EQ(checkAdvert(p, params, /*skipAddressCheck=*/true), std::nullopt);
  // RFC 5798 §7.1: drop a mismatching list unless it comes from the owner.
  p.priority = kPriorityOwner;
  EXPECT_EQ(checkAdvert(p, params), std::nullopt);
}

// ExpectedAddresses takes three paths (the configured order, a sorted list,
// any other order); each must give the multiset answer the sort-both
// comparison gave.
TEST(ExpectedAddressesTest, MatchesTheConfiguredListInAnyOrder) {
  const std::vector<IpAddress> configured = {ip("10.0.0.30"), ip("10.0.0.10"), ip("10.0.0.20")};
  ExpectedAddresses expected(configured);
  EXPECT_TRUE(expected.matches(configured));
  EXPECT_TRUE(expected.matches(std::vector{ip("10.0.0.10"), ip("10.0.0.20"), ip("10.0.0.30")}));
  EXPECT_TRUE(expected.matches(std::vector{ip("10.0.0.20"), ip("10.0.0.30"), ip("10.0.0.10")}));
  // Asked again after an unsorted list: nothing of that one is left over.
  EXPECT_TRUE(expected.matches(configured));
}

TEST(ExpectedAddressesTest, RejectsAnotherListOnEveryPath) {
  ExpectedAddresses expected({ip("10.0.0.30"), ip("10.0.0.10"), ip("10.0.0.20")});
  // Sorted, unsorted, and in the configured order with one address changed.
  EXPECT_FALSE(expected.matches(std::vector{ip("10.0.0.10"), ip("10.0.0.20"), ip("10.0.0.31")}));
  EXPECT_FALSE(expected.matches(std::vector{ip("10.0.0.31"), ip("10.0.0.10"), ip("10.0.0.20")}));
  EXPECT_FALSE(expected.matches(std::vector{ip("10.0.0.30"), ip("10.0.0.10"), ip("10.0.0.21")}));
  // One more or one fewer.
  EXPECT_FALSE(expected.matches(std::vector{ip("10.0.0.30"), ip("10.0.0.10")}));
  EXPECT_FALSE(expected.matches(
      std::vector{ip("10.0.0.30"), ip("10.0.0.10"), ip("10.0.0.20"), ip("10.0.0.40")}));
  EXPECT_FALSE(expected.matches(std::vector<IpAddress>{}));
}

TEST(ExpectedAddressesTest, ComparesAsAMultiset) {
  ExpectedAddresses expected({ip("10.0.0.1"), ip("10.0.0.1"), ip("10.0.0.2")});
  EXPECT_TRUE(expected.matches(std::vector{ip("10.0.0.1"), ip("10.0.0.2"), ip("10.0.0.1")}));
  EXPECT_FALSE(expected.matches(std::vector{ip("10.0.0.1"), ip("10.0.0.2"), ip("10.0.0.2")}));
  EXPECT_FALSE(expected.matches(std::vector{ip("10.0.0.2"), ip("10.0.0.2"), ip("10.0.0.1")}));
}

TEST(ExpectedAddressesTest, EmptyAndIpv6Lists) {
  ExpectedAddresses none;
  EXPECT_TRUE(none.matches(std::vector<IpAddress>{}));
  EXPECT_FALSE(none.matches(std::vector{ip("10.0.0.1")}));

  ExpectedAddresses v6({ip("fd00::20"), ip("fd00::10")});
  EXPECT_TRUE(v6.matches(std::vector{ip("fd00::10"), ip("fd00::20")}));
  EXPECT_FALSE(v6.matches(std::vector{ip("fd00::10"), ip("10.0.0.1")}));
}

std::vector<uint8_t> wireBytes(const std::vector<IpAddress>& list) {
  std::vector<uint8_t> bytes;
  for (const IpAddress& a : list) bytes.insert(bytes.end(), a.bytes(), a.bytes() + a.size());
  return bytes;
}

// The receive path compares the list where it lies in the packet: every
// path (configured order, sorted, shuffled, multiset, size, family) gives
// the answer the IpAddress comparison gives.
TEST(ExpectedAddressesTest, AListReadInPlaceGetsTheAnswersOfTheCopiedList) {
  const std::vector<std::vector<IpAddress>> configurations = {
      {ip("10.0.0.30"), ip("10.0.0.10"), ip("10.0.0.20")},
      {ip("10.0.0.1"), ip("10.0.0.1"), ip("10.0.0.2")},
      {ip("fd00::20"), ip("fd00::10")},
      {ip("10.0.0.1")},
      {},
  };
  const std::vector<std::vector<IpAddress>> received = {
      {ip("10.0.0.30"), ip("10.0.0.10"), ip("10.0.0.20")},
      {ip("10.0.0.10"), ip("10.0.0.20"), ip("10.0.0.30")},
      {ip("10.0.0.20"), ip("10.0.0.30"), ip("10.0.0.10")},
      {ip("10.0.0.10"), ip("10.0.0.20"), ip("10.0.0.31")},
      {ip("10.0.0.30"), ip("10.0.0.10"), ip("10.0.0.21")},
      {ip("10.0.0.30"), ip("10.0.0.10")},
      {ip("10.0.0.1"), ip("10.0.0.2"), ip("10.0.0.1")},
      {ip("10.0.0.1"), ip("10.0.0.2"), ip("10.0.0.2")},
      {ip("fd00::10"), ip("fd00::20")},
      {ip("fd00::20"), ip("fd00::10")},
      {ip("fd00::10"), ip("fd00::21")},
      {ip("10.0.0.1")},
      {},
  };
  for (const auto& configured : configurations) {
    ExpectedAddresses copied(configured);
    ExpectedAddresses inPlace(configured);
    for (const auto& list : received) {
      for (int family : {AF_INET, AF_INET6}) {
        if (!list.empty() && list[0].family() != family) continue;
        const std::vector<uint8_t> bytes = wireBytes(list);
        SCOPED_TRACE(testing::Message() << configured.size() << " configured, " << list.size()
                                        << " received, family " << family);
        EXPECT_EQ(inPlace.matches(AdvertAddresses(bytes, family)), copied.matches(list));
      }
    }
  }
}

// The receive path keeps one ExpectedAddresses per configuration: the same
// reasons come out of it as out of the one-off checkAdvert.
TEST(AdvertCheckTest, PreparedAddressesGiveTheSameReasons) {
  InstanceParams params = v2Params();
  params.addresses = {ip("10.0.0.101"), ip("10.0.0.100"), ip("10.0.0.102")};
  ExpectedAddresses expected(params.addresses);
  VrrpPacket p = matchingAdvert(params);
  p.addresses = {ip("10.0.0.100"), ip("10.0.0.102"), ip("10.0.0.101")};
  EXPECT_EQ(checkAdvert(p, params, expected), std::nullopt);
  EXPECT_EQ(checkAdvert(p, params), std::nullopt);

  p.addresses = {ip("10.0.0.100"), ip("10.0.0.103"), ip("10.0.0.101")};
  EXPECT_EQ(checkAdvert(p, params, expected), RejectReason::AddressListMismatch);
  EXPECT_EQ(checkAdvert(p, params), RejectReason::AddressListMismatch);
  EXPECT_EQ(checkAdvert(p, params, expected, /*skipAddressCheck=*/true), std::nullopt);
  p.priority = kPriorityOwner;
  EXPECT_EQ(checkAdvert(p, params, expected), std::nullopt);

  p = matchingAdvert(params);
  p.vrid = 52;
  EXPECT_EQ(checkAdvert(p, params, expected), RejectReason::VridMismatch);
  p = matchingAdvert(params);
  p.advertInterval = Centiseconds(200);
  EXPECT_EQ(checkAdvert(p, params, expected), RejectReason::IntervalMismatch);
}

}  // namespace
}  // namespace vigil::vrrp
