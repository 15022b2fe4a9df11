#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <sstream>
#include <string>

#include "check/checker.h"
#include "core/simulated_loop.h"
#include "fakes/fake_probe.h"

// log_all_failures on the checker base: a failure that does not change the
// state (a retry while up, another failure while down) is logged with it
// and not without it; the going-down line is logged either way. The state
// and counters are the same with and without it.
namespace vigil::check {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// What one checker logged and did while every probe was refused for
// `run`: retry 2, delay_loop 1 s, starting up.
struct FailingRun {
  std::string log;
  bool up = true;
  uint64_t downTransitions = 0;
  int attempts = 0;
};

FailingRun runRefused(bool logAllFailures, const std::string& name, Duration run) {
  config::CheckerBase base;
  base.delayLoop = seconds(1);
  base.connectTimeout = milliseconds(300);
  base.delayBeforeRetry = milliseconds(100);
  base.warmup = Duration::zero();
  base.retry = 2;
  base.logAllFailures = logAllFailures;
  SimulatedLoop loop;
  auto control = std::make_shared<fakes::FakeProbeControl>();
  control->loop = &loop;
  control->autoResult = ProbeResult{Outcome::Refused, std::nullopt, "connection refused"};
  Checker checker(
      loop, base, base.connectTimeout, std::make_unique<fakes::FakeProbe>(control),
      [](Duration) { return Duration::zero(); }, name);
  ::testing::internal::CaptureStderr();
  checker.start();
  loop.advance(run);
  FailingRun out;
  out.log = ::testing::internal::GetCapturedStderr();
  out.up = checker.up();
  out.downTransitions = checker.counters().downTransitions();
  out.attempts = control->starts;
  checker.stop();
  return out;
}

// Lines of `log` that name `checker` and contain `what`.
int linesWith(const std::string& log, const std::string& checker, const std::string& what) {
  std::istringstream lines(log);
  int n = 0;
  for (std::string line; std::getline(lines, line);) {
    if (line.find(checker) != std::string::npos && line.find(what) != std::string::npos) ++n;
  }
  return n;
}

TEST(CheckerLogAllFailuresTest, RepeatedFailuresAreLoggedOnlyWithLogAllFailures) {
  const Duration run = milliseconds(5500);
  FailingRun quiet = runRefused(false, "RS-QUIET", run);
  FailingRun loud = runRefused(true, "RS-LOUD", run);

  // Same schedule and state either way: two retries 100 ms apart, down at
  // the third failure (t = 200 ms), then one attempt a second.
  for (const FailingRun* r : {&quiet, &loud}) {
    EXPECT_FALSE(r->up);
    EXPECT_EQ(r->downTransitions, 1U);
    EXPECT_EQ(r->attempts, 3 + 5);
  }
  const int stillDownAttempts = loud.attempts - 3;

  EXPECT_EQ(linesWith(quiet.log, "RS-QUIET", ": down: refused"), 1) << quiet.log;
  EXPECT_EQ(linesWith(quiet.log, "RS-QUIET", "failed:"), 0) << quiet.log;
  EXPECT_EQ(linesWith(quiet.log, "RS-QUIET", "still down:"), 0) << quiet.log;

  EXPECT_EQ(linesWith(loud.log, "RS-LOUD", "failed: refused (connection refused), retry 1 of 2"), 1)
      << loud.log;
  EXPECT_EQ(linesWith(loud.log, "RS-LOUD", "failed: refused (connection refused), retry 2 of 2"), 1)
      << loud.log;
  EXPECT_EQ(linesWith(loud.log, "RS-LOUD", ": down: refused"), 1) << loud.log;
  EXPECT_EQ(linesWith(loud.log, "RS-LOUD", "still down: refused (connection refused)"),
            stillDownAttempts)
      << loud.log;
}

}  // namespace
}  // namespace vigil::check
