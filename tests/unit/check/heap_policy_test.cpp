#include "check/heap_policy.h"

#include <gtest/gtest.h>
#include <malloc.h>

#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "support/asan.h"

namespace vigil::check {
namespace {

// Where a block goes must be visible to the compiler's caller, or it may
// drop the allocation altogether.
char* volatile escaped = nullptr;

// glibc's default raises its mmap threshold to the size of a mapped block
// once one is freed, so the next snapshot-sized string would come from the
// brk heap (and stay resident after it is freed). With the policy every
// such block is mapped on its own, however many were freed before it.
// Runs in a child process (a death test's fork), so the process-wide
// setting does not change allocation for the rest of unit_tests.
void largeBlocksStayMapped() {
  keepLargeBuffersOutOfHeap();
  constexpr size_t kBlock = size_t{4} << 20;  // a 10,000-checker snapshot
  for (int round = 0; round < 3; ++round) {
    const size_t mappedBefore = ::mallinfo2().hblks;
    auto block = std::make_unique<char[]>(kBlock);
    escaped = block.get();
    if (::mallinfo2().hblks != mappedBefore + 1) {
      std::fprintf(stderr, "round %d: the block came from the heap\n", round);
      std::_Exit(1);
    }
  }
  escaped = nullptr;
  std::_Exit(0);
}

TEST(HeapPolicyTest, MultiMegabyteBlocksStayMappedAfterOneIsFreed) {
  if (VIGIL_UNDER_ASAN) GTEST_SKIP() << "AddressSanitizer replaces glibc's allocator";
  GTEST_FLAG_SET(death_test_style, "fast");
  EXPECT_EXIT(largeBlocksStayMapped(), ::testing::ExitedWithCode(0), "");
}

}  // namespace
}  // namespace vigil::check
