// Micro-benchmark: the user-space cost of one TCP_CHECK in the check worker's
// steady state, counted so the machine's load does not move the figure: N
// Checkers with pooled TcpProbes and the worker's CheckPacer, on a real
// PosixEventLoop, connecting to one listener on 127.0.0.1 (the final ACK
// withheld, as tcp_check_mode connect does). Everything a check runs in
// user space runs here: the timer that starts it, the pacer, the probe and
// its pooled socket, the loop's dispatch of the connect's end, the checker's
// bookkeeping and the re-arm. The CheckWorker's status snapshot does not.
//
// Not part of the build. Compile against a build directory, run inside a
// network namespace of your own (loopback only), and count with callgrind
// (the window between CALLGRIND_ZERO_STATS and the dump is the steady state):
//
//   cd build   # then, as one line:
//   c++ -std=c++20 -O2 -g -DNDEBUG -I../src -I../tests ../tests/bench/check_tcp_cpu.cpp
//       -o /tmp/check_tcp_cpu libvigil_check.a libvigil_ipvs.a libvigil_config.a libvigil_core.a
//       -lfmt -lcurl -lpcre2-8 -lnl-route-3 -lnl-genl-3 -lnl-3 -lsystemd
//   ip netns add ctc && ip -n ctc link set lo up
//   ip netns exec ctc /tmp/check_tcp_cpu 5000 10 3 6   # N, delay_loop s, warm-up s, window s
//   ip netns exec ctc valgrind --tool=callgrind --callgrind-out-file=/tmp/ctc.%p
//       /tmp/check_tcp_cpu 5000 10 3 6                  # (one line)
//   callgrind_annotate --inclusive=yes /tmp/ctc.PID.1   # part 1 is the window
//   ip netns del ctc
//
// Prints the checks finished in the window, instructions are callgrind's
// (Ir of the window's dump / checks), allocations per check, and user and
// system CPU us per check (getrusage: moved by the machine's load).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <valgrind/callgrind.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <new>
#include <vector>

#include "check/check_pacer.h"
#include "check/checker.h"
#include "check/tcp_probe.h"
#include "check/tcp_socket_pool.h"
#include "core/posix_event_loop.h"
#include "core/unique_fd.h"
#include "support/counting_new.h"

namespace vigil::check {
namespace {

constexpr uint16_t kPort = 8080;

UniqueFd listenOnLoopback() {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  int one = 1;
  (void)::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(kPort);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(fd.get(), 4096) != 0) {
    std::perror("listen on 127.0.0.1:8080 (run inside a namespace with lo up)");
    std::exit(1);
  }
  return fd;
}

double cpuSeconds(const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; }

struct Usage {
  double user = 0;
  double system = 0;
  static Usage now() {
    rusage r{};
    ::getrusage(RUSAGE_SELF, &r);
    return Usage{cpuSeconds(r.ru_utime), cpuSeconds(r.ru_stime)};
  }
};

uint64_t finishedChecks(const std::vector<std::unique_ptr<Checker>>& checkers, uint64_t& up) {
  uint64_t total = 0;
  up = 0;
  for (const auto& checker : checkers) {
    total += checker->counters().total();
    up += checker->counters().count(Outcome::Up);
  }
  return total;
}

void runFor(PosixEventLoop& loop, Duration span) {
  auto stop = loop.createTimer([&loop] { loop.stop(); });
  stop->armAfter(span);
  loop.run();
}

int run(size_t count, double delayLoopSeconds, double warmupSeconds, double windowSeconds) {
  const UniqueFd listener = listenOnLoopback();
  PosixEventLoop loop;
  CheckPacer pacer(loop);
  TcpSocketPool pool(loop, TcpSocketPool::idleBudgetOfThisProcess());

  config::CheckerBase base;
  base.type = config::CheckerType::Tcp;
  base.delayLoop =
      std::chrono::duration_cast<Duration>(std::chrono::duration<double>(delayLoopSeconds));
  base.warmup = base.delayLoop;  // the default: the pacer spreads the first round
  base.connectTimeout = std::chrono::seconds(1);
  base.delayBeforeRetry = std::chrono::seconds(1);
  config::ProbeTarget target;
  target.address = *IpAddress::parse("127.0.0.1");
  target.port = kPort;

  std::vector<std::unique_ptr<Checker>> checkers;
  checkers.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    checkers.push_back(std::make_unique<Checker>(loop, base, base.connectTimeout,
                                                 std::make_unique<TcpProbe>(loop, target, &pool),
                                                 nullptr, "TCP_CHECK [127.0.0.1]:8080", &pacer));
    checkers.back()->start();
  }
  const auto seconds = [](double s) {
    return std::chrono::duration_cast<Duration>(std::chrono::duration<double>(s));
  };
  runFor(loop, seconds(warmupSeconds));

  uint64_t upBefore = 0;
  const uint64_t before = finishedChecks(checkers, upBefore);
  const test::AllocationCount allocations;
  const Usage usageBefore = Usage::now();
  CALLGRIND_ZERO_STATS;
  runFor(loop, seconds(windowSeconds));
  CALLGRIND_DUMP_STATS_AT("window");
  const Usage usageAfter = Usage::now();
  const size_t made = allocations.calls();
  uint64_t upAfter = 0;
  const uint64_t checks = finishedChecks(checkers, upAfter) - before;
  const double perCheck = checks == 0 ? 0 : 1e6 / static_cast<double>(checks);
  std::printf(
      "%zu checkers, delay_loop %.3g s, window %.3g s: %llu checks (%llu up), %.2f allocations, "
      "user %.2f us, system %.2f us per check; pool idle %zu, pacer deferred %llu\n",
      count, delayLoopSeconds, windowSeconds, static_cast<unsigned long long>(checks),
      static_cast<unsigned long long>(upAfter - upBefore),
      checks == 0 ? 0.0 : static_cast<double>(made) / static_cast<double>(checks),
      (usageAfter.user - usageBefore.user) * perCheck,
      (usageAfter.system - usageBefore.system) * perCheck, pool.idleCount(),
      static_cast<unsigned long long>(pacer.deferredStarts()));
  checkers.clear();
  return 0;
}

}  // namespace
}  // namespace vigil::check

int main(int argc, char** argv) {
  const size_t count = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 5000;
  const double delayLoop = argc > 2 ? std::atof(argv[2]) : 10;
  const double warmup = argc > 3 ? std::atof(argv[3]) : 3;
  const double window = argc > 4 ? std::atof(argv[4]) : 6;
  return vigil::check::run(count, delayLoop, warmup, window);
}
