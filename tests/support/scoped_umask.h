#pragma once

#include <sys/stat.h>
#include <sys/types.h>

// Sets the process umask for one test and restores the previous one, so a
// test of a file's mode asserts against a known mask rather than whatever
// the shell running the tests had. Unit tests run on one thread, so the
// set/restore cannot race here.
namespace vigil::test {

class ScopedUmask {
 public:
  explicit ScopedUmask(mode_t mask) : previous_(::umask(mask)) {}
  ~ScopedUmask() { ::umask(previous_); }
  ScopedUmask(const ScopedUmask&) = delete;
  ScopedUmask& operator=(const ScopedUmask&) = delete;

 private:
  mode_t previous_;
};

}  // namespace vigil::test
