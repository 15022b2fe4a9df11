// Micro-benchmark: what a PosixEventLoop turn costs when one timer re-armed
// from its own callback wakes it, as a VRRP master's advert timer does, with
// the two kernel timers the loop can use: epoll_pwait2's timeout (the
// default) and the timerfd (the fallback). Both run in one process, in
// alternating rounds, so the machine's load weighs on both alike.
// Prints per wake: the thread's CPU time (CLOCK_THREAD_CPUTIME_ID: user and
// kernel, the timer system calls included), the loop's lateness (mean,
// median, 90th percentile, max) and the waits that ended before the deadline.
// Not part of the build: tests/bench/vrrp_idle.md says how to compile it.
//
//   loop_timer_wake [wakes per round = 500] [interval us = 10000] [rounds = 3]
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <vector>

#include "core/posix_event_loop.h"

namespace vigil {
namespace {

using KernelTimer = PosixEventLoop::KernelTimer;

Duration threadCpu() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return std::chrono::seconds(t.tv_sec) + std::chrono::nanoseconds(t.tv_nsec);
}

double us(Duration d) { return std::chrono::duration<double, std::micro>(d).count(); }

void round(KernelTimer kind, int wakes, Duration interval) {
  PosixEventLoop loop(PosixEventLoop::defaultClock(), kind);
  std::vector<Duration> lateness;
  lateness.reserve(static_cast<size_t>(wakes));
  loop.setLatenessObserver([&](Duration late) { lateness.push_back(late); });
  std::unique_ptr<Timer> advert;
  // Armed from the firing time, as InstanceRuntime arms its adverts.
  advert = loop.createTimer([&] { advert->armAt(loop.now() + interval); });
  advert->armAt(loop.now() + interval);
  loop.runOnce(Duration{0});  // the first turn lowers the timer slack
  const Duration cpu0 = threadCpu();
  // Bounded: each wake is one interval plus the machine's lateness.
  for (int turns = 0; lateness.size() < static_cast<size_t>(wakes) && turns < 4 * wakes; ++turns) {
    loop.runOnce(std::chrono::seconds(1));
  }
  const Duration cpu = threadCpu() - cpu0;
  std::sort(lateness.begin(), lateness.end());
  const size_t n = lateness.size();
  if (n == 0) {
    std::printf("no timer fired\n");
    return;
  }
  Duration total{0};
  for (Duration d : lateness) total += d;
  std::printf(
      "%-13s wakes %5zu  cpu us/wake %6.2f  lateness us mean %7.1f p50 %6.1f p90 %7.1f max %8.1f"
      "  early wake-ups %llu  timerfd_settime %llu\n",
      kind == KernelTimer::EpollTimeout ? "epoll timeout" : "timerfd", n,
      us(cpu) / static_cast<double>(std::max<size_t>(n, 1)), us(total) / static_cast<double>(n),
      us(lateness[n / 2]), us(lateness[n * 9 / 10]), us(lateness[n - 1]),
      static_cast<unsigned long long>(loop.earlyWakeups()),
      static_cast<unsigned long long>(loop.kernelTimerArms()));
}

}  // namespace
}  // namespace vigil

int main(int argc, char** argv) {
  const int wakes = argc > 1 ? std::atoi(argv[1]) : 500;
  const auto interval = std::chrono::microseconds(argc > 2 ? std::atol(argv[2]) : 10000);
  const int rounds = argc > 3 ? std::atoi(argv[3]) : 3;
  if (wakes < 1 || interval.count() < 1 || rounds < 1) {
    std::fprintf(stderr, "usage: loop_timer_wake [wakes >= 1] [interval us >= 1] [rounds >= 1]\n");
    return 2;
  }
  for (int r = 0; r < rounds; ++r) {
    vigil::round(vigil::PosixEventLoop::KernelTimer::TimerFd, wakes, interval);
    vigil::round(vigil::PosixEventLoop::KernelTimer::EpollTimeout, wakes, interval);
  }
  return 0;
}
