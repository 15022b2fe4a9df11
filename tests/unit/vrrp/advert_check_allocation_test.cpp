// Checking an advert's address list allocates nothing once the instance's
// ExpectedAddresses exists: counted by replacing the global operator new in
// this test binary (it forwards to malloc and counts only inside a
// CountAllocations scope). Sanitizer builds keep their own operator new, so
// the test is skipped there.
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdlib>
#include <new>
#include <vector>

#include "vrrp/advert_check.h"

#if defined(__SANITIZE_ADDRESS__)
#define VIGIL_COUNTS_ALLOCATIONS 0
#else
#define VIGIL_COUNTS_ALLOCATIONS 1
#endif

namespace {
thread_local size_t* allocationCounter = nullptr;
}  // namespace

#if VIGIL_COUNTS_ALLOCATIONS
void* operator new(std::size_t size) {
  if (allocationCounter != nullptr) ++*allocationCounter;
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
#endif

namespace vigil::vrrp {
namespace {

// Counts the allocations made on this thread while it lives.
class CountAllocations {
 public:
  CountAllocations() { allocationCounter = &count_; }
  ~CountAllocations() { allocationCounter = nullptr; }
  size_t count() const { return count_; }

 private:
  size_t count_ = 0;
};

IpAddress ip(const char* text) { return *IpAddress::parse(text); }

TEST(AdvertCheckAllocationTest, CheckingAnAdvertAllocatesNothing) {
  if (!VIGIL_COUNTS_ALLOCATIONS) GTEST_SKIP() << "the sanitizer owns operator new";
  InstanceParams params;
  params.version = 3;
  params.vrid = 7;
  params.addresses = {ip("10.0.0.30"), ip("10.0.0.10"), ip("10.0.0.20")};
  ExpectedAddresses expected(params.addresses);
  VrrpPacket inOrder;
  inOrder.version = 3;
  inOrder.vrid = 7;
  inOrder.priority = 100;
  inOrder.addresses = params.addresses;
  VrrpPacket sorted = inOrder;
  sorted.addresses = {ip("10.0.0.10"), ip("10.0.0.20"), ip("10.0.0.30")};
  VrrpPacket shuffled = inOrder;
  shuffled.addresses = {ip("10.0.0.20"), ip("10.0.0.30"), ip("10.0.0.10")};
  VrrpPacket other = inOrder;
  other.addresses = {ip("10.0.0.20"), ip("10.0.0.31"), ip("10.0.0.10")};

  CountAllocations counted;
  // Each path, twice: the unsorted one reuses its buffer.
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(checkAdvert(inOrder, params, expected), std::nullopt);
    EXPECT_EQ(checkAdvert(sorted, params, expected), std::nullopt);
    EXPECT_EQ(checkAdvert(shuffled, params, expected), std::nullopt);
    EXPECT_EQ(checkAdvert(other, params, expected), RejectReason::AddressListMismatch);
  }
  EXPECT_EQ(counted.count(), 0u);
}

// The counter itself works: the one-off checkAdvert prepares (allocates) a list.
TEST(AdvertCheckAllocationTest, TheCounterSeesAnAllocation) {
  if (!VIGIL_COUNTS_ALLOCATIONS) GTEST_SKIP() << "the sanitizer owns operator new";
  InstanceParams params;
  params.vrid = 7;
  params.addresses = {ip("10.0.0.30"), ip("10.0.0.10")};
  VrrpPacket packet;
  packet.version = params.version;
  packet.vrid = 7;
  packet.addresses = params.addresses;
  CountAllocations counted;
  EXPECT_EQ(checkAdvert(packet, params), std::nullopt);
  EXPECT_GT(counted.count(), 0u);
}

}  // namespace
}  // namespace vigil::vrrp
