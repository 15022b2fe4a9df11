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
// the larger of the thread's timer slack and t / divisor (1000, or 200 at
// nice > 0), truncated.
Duration latestEnd(Duration t, Duration threadSlack, int64_t divisor = kSlackDivisor) {
  if (threadSlack <= Duration{0}) return t;
  return t + std::max(threadSlack, Duration{t.count() / divisor});
}

TEST(EpollTimeout, TenMillisecondAdvertWithOneNanosecondSlack) {
  // 10 ms - ceil(10 ms / 1001): the kernel's 0.1 % (9,990 ns) then ends
  // the wait 1 ns before the deadline instead of 10 us after it.
  EXPECT_EQ(epollTimeoutFor(milliseconds(10), nanoseconds(1), kSlackDivisor),
            nanoseconds(9'990'009));
  EXPECT_EQ(latestEnd(nanoseconds(9'990'009), nanoseconds(1)), nanoseconds(9'999'999));
}

TEST(EpollTimeout, ThreadSlackLargerThanTheProportionOneIsTakenOff) {
  // The default 50 us slack outweighs 0.1 % of anything below 50 ms.
  EXPECT_EQ(epollTimeoutFor(milliseconds(10), microseconds(50), kSlackDivisor),
            microseconds(9'950));
  EXPECT_EQ(epollTimeoutFor(seconds(1), microseconds(50), kSlackDivisor),
            seconds(1) - nanoseconds(999'001));
}

TEST(EpollTimeout, NiceThreadsLoseHalfAPercent) {
  // At nice > 0 the kernel's share is t / 200: 50 us of a 10 ms wait, which
  // the 0.1 % rule would leave 40 us late.
  EXPECT_EQ(epollTimeoutFor(milliseconds(10), nanoseconds(1), kNiceSlackDivisor),
            nanoseconds(9'950'248));
  EXPECT_EQ(latestEnd(nanoseconds(9'950'248), nanoseconds(1), kNiceSlackDivisor),
            nanoseconds(9'999'999));
  EXPECT_GT(latestEnd(epollTimeoutFor(milliseconds(10), nanoseconds(1), kSlackDivisor),
                      nanoseconds(1), kNiceSlackDivisor),
            milliseconds(10) + microseconds(39));
}

TEST(EpollTimeout, DivisorFollowsTheNiceValue) {
  EXPECT_EQ(slackDivisorForNice(-20), kSlackDivisor);
  EXPECT_EQ(slackDivisorForNice(0), kSlackDivisor);
  EXPECT_EQ(slackDivisorForNice(1), kNiceSlackDivisor);
  EXPECT_EQ(slackDivisorForNice(19), kNiceSlackDivisor);
}

TEST(EpollTimeout, RealtimeThreadsWaitExactly) {
  EXPECT_EQ(epollTimeoutFor(milliseconds(10), Duration{0}, kSlackDivisor), milliseconds(10));
}

TEST(EpollTimeout, PassedDeadlinePolls) {
  EXPECT_EQ(epollTimeoutFor(Duration{0}, nanoseconds(1), kSlackDivisor), Duration{0});
  EXPECT_EQ(epollTimeoutFor(-milliseconds(3), microseconds(50), kSlackDivisor), Duration{0});
}

TEST(EpollTimeout, LessLeftThanTheSlackWaitsWhatIsLeft) {
  // Not a busy poll until the deadline: at most the slack late.
  EXPECT_EQ(epollTimeoutFor(microseconds(30), microseconds(50), kSlackDivisor), microseconds(30));
  EXPECT_EQ(epollTimeoutFor(nanoseconds(1), nanoseconds(1), kSlackDivisor), nanoseconds(1));
}

// Never late, and never earlier than needed: over waits from 1 us to 1000 s,
// at 0.1 % and at 0.5 %, the far end lands on the deadline or at most 1 ns
// before it.
TEST(EpollTimeout, FarEndIsTheDeadlineForEveryLength) {
  for (int64_t divisor : {kSlackDivisor, kNiceSlackDivisor}) {
    for (Duration slack : {Duration{nanoseconds(1)}, Duration{microseconds(50)}}) {
      for (Duration t = microseconds(1); t <= seconds(1000); t = t * 3 + nanoseconds(7)) {
        const Duration wait = epollTimeoutFor(t, slack, divisor);
        if (t <= slack) continue;  // covered above
        const Duration end = latestEnd(wait, slack, divisor);
        const auto where = testing::Message() << "t " << t.count() << " slack " << slack.count()
                                              << " divisor " << divisor;
        EXPECT_LE(end, t) << where;
        EXPECT_GE(end, t - nanoseconds(1)) << where;
      }
    }
  }
}

}  // namespace
}  // namespace vigil
