// Checking an advert's address list allocates nothing once the instance's
// ExpectedAddresses exists: counted by support/counting_new.h, which
// replaces this test binary's operator new (sanitizer builds skip the test).
#include <gtest/gtest.h>

#include <vector>

#include "support/counting_new.h"
#include "vrrp/advert_check.h"

namespace vigil::vrrp {
namespace {

using test::AllocationCount;
using test::kCountsAllocations;

IpAddress ip(const char* text) { return *IpAddress::parse(text); }

// A v3 instance of VRID 7 with three addresses, configured out of order.
InstanceParams threeAddresses() {
  InstanceParams params;
  params.version = 3;
  params.vrid = 7;
  params.addresses = {ip("10.0.0.30"), ip("10.0.0.10"), ip("10.0.0.20")};
  return params;
}
const std::vector<IpAddress> kSorted{ip("10.0.0.10"), ip("10.0.0.20"), ip("10.0.0.30")};
const std::vector<IpAddress> kShuffled{ip("10.0.0.20"), ip("10.0.0.30"), ip("10.0.0.10")};

TEST(AdvertCheckAllocationTest, CheckingAnAdvertAllocatesNothing) {
  if (!kCountsAllocations) GTEST_SKIP() << "the sanitizer owns operator new";
  const InstanceParams params = threeAddresses();
  ExpectedAddresses expected(params.addresses);
  VrrpPacket inOrder;
  inOrder.version = 3;
  inOrder.vrid = 7;
  inOrder.priority = 100;
  inOrder.addresses = params.addresses;
  VrrpPacket sorted = inOrder;
  sorted.addresses = kSorted;
  VrrpPacket shuffled = inOrder;
  shuffled.addresses = kShuffled;
  VrrpPacket other = inOrder;
  other.addresses = {ip("10.0.0.20"), ip("10.0.0.31"), ip("10.0.0.10")};

  AllocationCount counted;
  // Each path, twice: the unsorted one reuses its buffer.
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(checkAdvert(inOrder, params, expected), std::nullopt);
    EXPECT_EQ(checkAdvert(sorted, params, expected), std::nullopt);
    EXPECT_EQ(checkAdvert(shuffled, params, expected), std::nullopt);
    EXPECT_EQ(checkAdvert(other, params, expected), RejectReason::AddressListMismatch);
  }
  EXPECT_EQ(counted.calls(), 0u);
}

// The receive path's form: an advert decoded in place and checked
// allocates nothing either.
TEST(AdvertCheckAllocationTest, DecodingInPlaceAndCheckingAllocatesNothing) {
  if (!kCountsAllocations) GTEST_SKIP() << "the sanitizer owns operator new";
  const InstanceParams params = threeAddresses();
  ExpectedAddresses expected(params.addresses);
  VrrpPacket packet;
  packet.version = 3;
  packet.vrid = 7;
  packet.priority = 200;
  packet.advertInterval = Centiseconds(1);
  const ChecksumContext context{ip("10.0.0.2"), ip("224.0.0.18")};
  std::vector<std::vector<uint8_t>> messages;
  for (const auto& list : {params.addresses, kSorted, kShuffled}) {
    packet.addresses = list;
    std::vector<uint8_t> bytes(64);
    bytes.resize(*encode(packet, bytes, context));
    messages.push_back(std::move(bytes));
  }
  RxMeta meta;
  meta.source = context.source;
  meta.destination = context.destination;
  meta.ttl = kVrrpTtl;

  AllocationCount counted;
  for (int i = 0; i < 2; ++i) {
    for (const auto& bytes : messages) {
      auto decoded = decodeInPlace(bytes, meta);
      ASSERT_TRUE(decoded);
      EXPECT_EQ(checkAdvert(decoded->advert, params, expected), std::nullopt);
    }
  }
  EXPECT_EQ(counted.calls(), 0u);
}

// The counter itself works: the one-off checkAdvert prepares (allocates) a list.
TEST(AdvertCheckAllocationTest, TheCounterSeesAnAllocation) {
  if (!kCountsAllocations) GTEST_SKIP() << "the sanitizer owns operator new";
  InstanceParams params;
  params.vrid = 7;
  params.addresses = {ip("10.0.0.30"), ip("10.0.0.10")};
  VrrpPacket packet;
  packet.version = params.version;
  packet.vrid = 7;
  packet.addresses = params.addresses;
  AllocationCount counted;
  EXPECT_EQ(checkAdvert(packet, params), std::nullopt);
  EXPECT_GT(counted.calls(), 0u);
}

}  // namespace
}  // namespace vigil::vrrp
