#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <memory>
#include <string>

#include "core/posix_event_loop.h"
#include "core/unique_fd.h"
#include "fakes/run_until.h"

// A callback that destroys its own watch and registers a new one on the
// same fd (how a reader swaps its handler, e.g. after a reconnect): the
// destroyed watch's callback is parked until the dispatch returns (commit
// c8b3d06), and must never run again, while the new watch gets the fd's
// next readiness.
namespace vigil {
namespace {

using fakes::runUntil;

struct Pipe {
  Pipe() {
    int fds[2];
    EXPECT_EQ(::pipe2(fds, O_NONBLOCK | O_CLOEXEC), 0);
    readEnd = UniqueFd(fds[0]);
    writeEnd = UniqueFd(fds[1]);
  }
  void put(const char* byte) { ASSERT_EQ(::write(writeEnd.get(), byte, 1), 1); }
  std::string take() {
    char buf[16];
    const ssize_t n = ::read(readEnd.get(), buf, sizeof buf);
    return std::string(buf, static_cast<size_t>(n > 0 ? n : 0));
  }
  UniqueFd readEnd;
  UniqueFd writeEnd;
};

TEST(PosixEventLoopRewatch, ANewWatchFromTheOldOnesCallbackGetsTheNextReadiness) {
  PosixEventLoop loop;
  Pipe pipe;
  std::string oldSaw;
  std::string newSaw;
  std::unique_ptr<FdWatch> watch;
  watch = loop.watchFd(pipe.readEnd.get(), EPOLLIN, [&](uint32_t) {
    oldSaw += pipe.take();
    watch.reset();
    watch = loop.watchFd(pipe.readEnd.get(), EPOLLIN, [&](uint32_t) { newSaw += pipe.take(); });
  });
  pipe.put("a");
  ASSERT_TRUE(runUntil(loop, [&] { return oldSaw == "a"; }));
  EXPECT_EQ(newSaw, "");

  pipe.put("b");
  ASSERT_TRUE(runUntil(loop, [&] { return newSaw == "b"; }));
  pipe.put("c");
  ASSERT_TRUE(runUntil(loop, [&] { return newSaw == "bc"; }));
  EXPECT_EQ(oldSaw, "a") << "the destroyed watch's callback ran again";
}

// The old callback leaves the byte unread: the fd is still readable when
// the new watch is registered, so the new watch (not the parked old
// callback) sees it on the next turn.
TEST(PosixEventLoopRewatch, ReadinessLeftPendingGoesToTheNewWatch) {
  PosixEventLoop loop;
  Pipe pipe;
  int oldCalls = 0;
  std::string newSaw;
  std::unique_ptr<FdWatch> watch;
  watch = loop.watchFd(pipe.readEnd.get(), EPOLLIN, [&](uint32_t) {
    ++oldCalls;
    watch.reset();
    watch = loop.watchFd(pipe.readEnd.get(), EPOLLIN, [&](uint32_t) { newSaw += pipe.take(); });
  });
  pipe.put("a");
  ASSERT_TRUE(runUntil(loop, [&] { return newSaw == "a"; }));
  pipe.put("b");
  ASSERT_TRUE(runUntil(loop, [&] { return newSaw == "ab"; }));
  EXPECT_EQ(oldCalls, 1);
}

}  // namespace
}  // namespace vigil
