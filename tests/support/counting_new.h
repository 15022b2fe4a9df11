#pragma once

// Replaces the global operator new of the binary whose ONE translation unit
// includes this header: it forwards to malloc and, on a thread inside an
// AllocationCount scope, counts the calls and the bytes asked for (freed or
// not). Tests that bound the allocations of a path and the benchmarks that
// report them use it.
//
// Sanitizer builds keep their own operator new (it checks new/delete
// pairing), so there nothing is replaced and kCountsAllocations is false:
// tests skip themselves then.

#include <cstddef>
#include <cstdlib>
#include <new>

#include "support/asan.h"

#define VIGIL_COUNTS_ALLOCATIONS (!VIGIL_UNDER_ASAN)

namespace vigil::test {

inline constexpr bool kCountsAllocations = VIGIL_COUNTS_ALLOCATIONS != 0;

// Counts this thread's allocations while it lives.
class AllocationCount {
 public:
  AllocationCount() : outer_(active) { active = this; }
  ~AllocationCount() { active = outer_; }
  AllocationCount(const AllocationCount&) = delete;
  AllocationCount& operator=(const AllocationCount&) = delete;

  size_t calls() const { return calls_; }
  size_t bytes() const { return bytes_; }

  static void record(size_t size) {
    if (active == nullptr) return;
    ++active->calls_;
    active->bytes_ += size;
  }

 private:
  static inline thread_local AllocationCount* active = nullptr;
  AllocationCount* outer_;
  size_t calls_ = 0;
  size_t bytes_ = 0;
};

}  // namespace vigil::test

#if VIGIL_COUNTS_ALLOCATIONS
void* operator new(std::size_t size) {
  vigil::test::AllocationCount::record(size);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
#endif
