#pragma once

// VIGIL_UNDER_ASAN is 1 in a build under AddressSanitizer, whichever compiler
// built it: gcc defines __SANITIZE_ADDRESS__, clang 14 only answers
// __has_feature(address_sanitizer). Tests that measure glibc's allocator skip
// themselves then, because ASan replaces it.

#if defined(__SANITIZE_ADDRESS__)
#define VIGIL_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define VIGIL_UNDER_ASAN 1
#endif
#endif

#ifndef VIGIL_UNDER_ASAN
#define VIGIL_UNDER_ASAN 0
#endif
