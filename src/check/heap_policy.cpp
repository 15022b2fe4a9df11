#include "check/heap_policy.h"

#include <malloc.h>

namespace vigil::check {
namespace {

constexpr int kMmapThreshold = 128 * 1024;

}  // namespace

void keepLargeBuffersOutOfHeap() { (void)::mallopt(M_MMAP_THRESHOLD, kMmapThreshold); }

void returnFreeHeap() { (void)::malloc_trim(0); }

}  // namespace vigil::check
