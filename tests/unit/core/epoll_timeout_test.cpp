#include "core/epoll_timeout.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>

namespace vigil {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::nanoseconds;
using std::chrono::seconds;

// The far end of a timed epoll wait of t, as the kernel sets it: slack is
// the larger of the thread's timer slack and t / 1000, truncated.
Duration latestEnd(Duration t, Duration threadSlack) {
  if (threadSlack <= Duration{0}) return t;
  return t + std::max(threadSlack, Duration{t.count() / 1000});
}

TEST(EpollTimeout, TenMillisecondAdvertWithOneNanosecondSlack) {
  // 10 ms - ceil(10 ms / 1001): the kernel's 0.1 % (9,990 ns) then ends
  // the wait 1 ns before the deadline instead of 10 us after it.
  EXPECT_EQ(epollTimeoutFor(milliseconds(10), nanoseconds(1)), nanoseconds(9'990'009));
  EXPECT_EQ(latestEnd(nanoseconds(9'990'009), nanoseconds(1)), nanoseconds(9'999'999));
}

TEST(EpollTimeout, ThreadSlackLargerThanTheProportionOneIsTakenOff) {
  // The default 50 us slack outweighs 0.1 % of anything below 50 ms.
  EXPECT_EQ(epollTimeoutFor(milliseconds(10), microseconds(50)), microseconds(9'950));
  EXPECT_EQ(epollTimeoutFor(seconds(1), microseconds(50)), seconds(1) - nanoseconds(999'001));
}

TEST(EpollTimeout, RealtimeThreadsWaitExactly) {
  EXPECT_EQ(epollTimeoutFor(milliseconds(10), Duration{0}), milliseconds(10));
}

TEST(EpollTimeout, PassedDeadlinePolls) {
  EXPECT_EQ(epollTimeoutFor(Duration{0}, nanoseconds(1)), Duration{0});
  EXPECT_EQ(epollTimeoutFor(-milliseconds(3), microseconds(50)), Duration{0});
}

TEST(EpollTimeout, LessLeftThanTheSlackWaitsWhatIsLeft) {
  // Not a busy poll until the deadline: at most the slack late.
  EXPECT_EQ(epollTimeoutFor(microseconds(30), microseconds(50)), microseconds(30));
  EXPECT_EQ(epollTimeoutFor(nanoseconds(1), nanoseconds(1)), nanoseconds(1));
}

// Never late, and never earlier than needed: over waits from 1 us to 1000 s
// the far end lands on the deadline or at most 1 ns before it.
TEST(EpollTimeout, FarEndIsTheDeadlineForEveryLength) {
  for (Duration slack : {Duration{nanoseconds(1)}, Duration{microseconds(50)}}) {
    for (Duration t = microseconds(1); t <= seconds(1000); t = t * 3 + nanoseconds(7)) {
      const Duration wait = epollTimeoutFor(t, slack);
      if (t <= slack) continue;  // covered above
      const Duration end = latestEnd(wait, slack);
      EXPECT_LE(end, t) << "t " << t.count() << " slack " << slack.count();
      EXPECT_GE(end, t - nanoseconds(1)) << "t " << t.count() << " slack " << slack.count();
    }
  }
}

}  // namespace
}  // namespace vigil
