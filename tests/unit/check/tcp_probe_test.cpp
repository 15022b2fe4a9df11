#include "check/tcp_probe.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <memory>
#include <optional>
#include <vector>

#include "check/tcp_socket_pool.h"
#include "core/posix_event_loop.h"
#include "core/unique_fd.h"
#include "fakes/run_until.h"

// TCP_CHECK against loopback listeners: the pooled socket path (no bind
// options) reuses one socket across attempts, resets each connection, and
// a failed attempt leaves nothing behind for the next one. By default the
// reset goes before the handshake's final ACK, so the listener never has a
// connection to accept; `tcp_check_mode handshake` completes it.
namespace vigil::check {
namespace {

class Listener {
 public:
  explicit Listener(int backlog = 16) : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof(address);
    ok_ = ::bind(fd_.get(), reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
          ::listen(fd_.get(), backlog) == 0 &&
          ::getsockname(fd_.get(), reinterpret_cast<sockaddr*>(&address), &length) == 0;
    port_ = ntohs(address.sin_port);
  }
  bool ok() const { return ok_; }
  uint16_t port() const { return port_; }
  // The next connection the kernel completed, waiting at most 5 s for it.
  UniqueFd accept(sockaddr* peer = nullptr, socklen_t* length = nullptr) {
    pollfd ready{fd_.get(), POLLIN, 0};
    if (::poll(&ready, 1, 5000) != 1) {
      return UniqueFd();
    }
    return UniqueFd(::accept4(fd_.get(), peer, length, SOCK_CLOEXEC));
  }
  // A plain blocking connection to the listener, left in its accept queue.
  UniqueFd connectBlocking() const {
    UniqueFd client(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    to.sin_port = htons(port_);
    if (::connect(client.get(), reinterpret_cast<sockaddr*>(&to), sizeof(to)) != 0) {
      return UniqueFd();
    }
    return client;
  }
  // How many connections were queued before a fresh one from a plain
  // blocking connect: each is a probe whose final ACK left. The accept
  // queue is FIFO and loopback delivers in order, so such a connection is
  // accepted before the fresh one. -1 when the fresh connection never
  // shows among the first kMaxQueued.
  int connectionsQueuedBeforeAFreshOne() {
    constexpr int kMaxQueued = 64;
    UniqueFd client(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    to.sin_port = htons(port_);
    sockaddr_in local{};
    socklen_t length = sizeof(local);
    if (::connect(client.get(), reinterpret_cast<sockaddr*>(&to), sizeof(to)) != 0 ||
        ::getsockname(client.get(), reinterpret_cast<sockaddr*>(&local), &length) != 0) {
      return -1;
    }
    for (int queued = 0; queued < kMaxQueued; ++queued) {
      sockaddr_in peer{};
      length = sizeof(peer);
      UniqueFd accepted = accept(reinterpret_cast<sockaddr*>(&peer), &length);
      if (!accepted) {
        return -1;
      }
      if (peer.sin_port == local.sin_port) {
        return queued;
      }
    }
    return -1;
  }
  void close() { fd_.reset(); }

 private:
  UniqueFd fd_;
  bool ok_ = false;
  uint16_t port_ = 0;
};

// Withheld final ACKs that may leave anyway. The kernel only delays the
// ACK (40-200 ms): a loop turn that late between the connect completing and
// the reset lets it out, as a loaded CI machine can do once (the integration
// test tcp_final_ack_test allows the same). A regression that always sends
// the ACK escapes on every attempt, so tests that make kWithheldAttempts
// still fail on it.
constexpr int kEscapedAckTolerance = 1;
constexpr int kWithheldAttempts = 6;

config::ProbeTarget loopbackTarget(uint16_t port) {
  config::ProbeTarget target;
  target.address = *IpAddress::parse("127.0.0.1");
  target.port = port;
  return target;
}

class TcpProbeTest : public ::testing::Test {
 protected:
  std::optional<ProbeResult> run(TcpProbe& probe) {
    std::optional<ProbeResult> result;
    probe.start([&](ProbeResult r) { result = std::move(r); });
    EXPECT_FALSE(result.has_value()) << "done ran inside start()";
    EXPECT_TRUE(fakes::runUntil(loop_, [&] { return result.has_value(); }));
    return result;
  }

  // kWithheldAttempts attempts are all up, and at most kEscapedAckTolerance
  // of them left a connection in the listener's queue.
  void expectUpWithNoConnectionQueued(TcpProbe& probe, Listener& listener) {
    for (int attempt = 0; attempt < kWithheldAttempts; ++attempt) {
      auto result = run(probe);
      ASSERT_TRUE(result);
      EXPECT_EQ(result->outcome, Outcome::Up) << result->detail;
    }
    int escaped = listener.connectionsQueuedBeforeAFreshOne();
    EXPECT_GE(escaped, 0);
    EXPECT_LE(escaped, kEscapedAckTolerance) << "probes' connections were accepted";
  }

  PosixEventLoop loop_;
  // Declared after the loop: its sockets go first. The idle budget of a
  // process allowed 8,192 descriptors: 1,024 sockets.
  TcpSocketPool pool_{loop_, TcpSocketPool::idleBudgetFor(8192)};
};

TEST_F(TcpProbeTest, EveryAttemptIsUpAndResetBeforeTheServerHasAConnection) {
  Listener listener;
  ASSERT_TRUE(listener.ok());
  TcpProbe probe(loop_, loopbackTarget(listener.port()), &pool_);
  expectUpWithNoConnectionQueued(probe, listener);
  EXPECT_EQ(pool_.idleCount(), 1U) << "one socket served all attempts";
}

TEST_F(TcpProbeTest, HandshakeModeCompletesEveryConnectionAndResetsIt) {
  Listener listener;
  ASSERT_TRUE(listener.ok());
  TcpProbe probe(loop_, loopbackTarget(listener.port()), &pool_, config::TcpCheckMode::Handshake);
  for (int attempt = 0; attempt < 3; ++attempt) {
    auto result = run(probe);
    ASSERT_TRUE(result);
    EXPECT_EQ(result->outcome, Outcome::Up) << result->detail;
    UniqueFd accepted = listener.accept();
    ASSERT_TRUE(accepted) << "attempt " << attempt << " made no connection";
    char byte = 0;
    EXPECT_EQ(::recv(accepted.get(), &byte, 1, 0), -1);
    EXPECT_EQ(errno, ECONNRESET) << "closed with a RST, not a FIN";
  }
  EXPECT_EQ(pool_.idleCount(), 1U) << "one socket served all attempts";
}

TEST_F(TcpProbeTest, ARefusedAttemptLeavesNoErrorForTheNextOne) {
  Listener listener;
  ASSERT_TRUE(listener.ok());
  TcpProbe refused(loop_, loopbackTarget(listener.port()), &pool_);
  listener.close();
  auto result = run(refused);
  ASSERT_TRUE(result);
  EXPECT_EQ(result->outcome, Outcome::Refused) << result->detail;

  Listener live;
  ASSERT_TRUE(live.ok());
  TcpProbe probe(loop_, loopbackTarget(live.port()), &pool_);
  result = run(probe);  // on the socket the refused attempt gave back
  ASSERT_TRUE(result);
  EXPECT_EQ(result->outcome, Outcome::Up) << result->detail;
  EXPECT_EQ(pool_.idleCount(), 1U);
}

TEST_F(TcpProbeTest, ThePoolKeepsHandshakeSocketsApartFromTheOthers) {
  Listener listener;
  ASSERT_TRUE(listener.ok());
  TcpProbe withheld(loop_, loopbackTarget(listener.port()), &pool_);
  TcpProbe handshake(loop_, loopbackTarget(listener.port()), &pool_,
                     config::TcpCheckMode::Handshake);
  for (int round = 0; round < 2; ++round) {
    auto result = run(withheld);
    ASSERT_TRUE(result);
    EXPECT_EQ(result->outcome, Outcome::Up) << result->detail;
    result = run(handshake);
    ASSERT_TRUE(result);
    EXPECT_EQ(result->outcome, Outcome::Up) << result->detail;
    EXPECT_TRUE(listener.accept()) << "round " << round << ": the handshake made no connection";
  }
  EXPECT_EQ(pool_.idleCount(), 2U) << "one socket of each kind, each reused";
  // An escaped withheld ACK queues ahead of that round's handshake, whose
  // connection then waits here instead; always sending it leaves two.
  int escaped = listener.connectionsQueuedBeforeAFreshOne();
  EXPECT_GE(escaped, 0);
  EXPECT_LE(escaped, kEscapedAckTolerance);
}

TEST_F(TcpProbeTest, AnAbortedAttemptNeverReportsAndItsSocketIsReused) {
  Listener listener;
  ASSERT_TRUE(listener.ok());
  TcpProbe probe(loop_, loopbackTarget(listener.port()), &pool_);
  bool called = false;
  probe.start([&](ProbeResult) { called = true; });
  probe.abort(AbortReason::Stopped);
  EXPECT_FALSE(probe.inFlight());
  loop_.runOnce(std::chrono::milliseconds(50));
  EXPECT_FALSE(called);
  auto result = run(probe);
  ASSERT_TRUE(result);
  EXPECT_EQ(result->outcome, Outcome::Up) << result->detail;
}

// A probe holds an attempt's state (its `done`, socket, watch) only while
// the attempt is in flight (issue 4: 20,000 idle TcpProbes): it is freed as
// the attempt reports, is aborted (AnAbortedAttempt... above), or the probe
// goes (AProbeDestroyedInFlight... below).
TEST_F(TcpProbeTest, AProbeHoldsAnAttemptOnlyWhileItIsInFlight) {
  Listener listener;
  ASSERT_TRUE(listener.ok());
  TcpProbe probe(loop_, loopbackTarget(listener.port()), &pool_);
  EXPECT_FALSE(probe.inFlight());
  std::optional<ProbeResult> result;
  probe.start([&](ProbeResult r) {
    EXPECT_FALSE(probe.inFlight()) << "freed before it reports";
    result = std::move(r);
  });
  EXPECT_TRUE(probe.inFlight());
  ASSERT_TRUE(fakes::runUntil(loop_, [&] { return result.has_value(); }));
  EXPECT_EQ(result->outcome, Outcome::Up) << result->detail;
  EXPECT_FALSE(probe.inFlight());
}

// A checker removed (a reload, a shutdown) while its connect is in flight
// destroys its probe: the socket goes back to the pool, and the handshake
// that ends later reaches nobody. The next probe takes the same socket.
TEST_F(TcpProbeTest, AProbeDestroyedInFlightLeavesNothingToReport) {
  Listener listener;
  ASSERT_TRUE(listener.ok());
  bool called = false;
  {
    auto probe = std::make_unique<TcpProbe>(loop_, loopbackTarget(listener.port()), &pool_);
    probe->start([&](ProbeResult) { called = true; });
    ASSERT_TRUE(probe->inFlight());
  }
  EXPECT_EQ(pool_.idleCount(), 1U) << "the socket went back to the pool";
  loop_.runOnce(std::chrono::milliseconds(50));  // the handshake's edge, if it comes
  EXPECT_FALSE(called);
  TcpProbe next(loop_, loopbackTarget(listener.port()), &pool_);
  auto result = run(next);
  ASSERT_TRUE(result);
  EXPECT_EQ(result->outcome, Outcome::Up) << result->detail;
  EXPECT_FALSE(called);
  EXPECT_EQ(pool_.idleCount(), 1U);
}

// An attempt that ends inside start() reports from a posted callback; the
// post finds nothing to report to once the attempt was aborted, replaced or
// its probe destroyed.
TEST_F(TcpProbeTest, APostedResultOfAnEndedAttemptIsDropped) {
  config::ProbeTarget nowhere;  // no address: the attempt fails in start()
  nowhere.port = 80;
  int reported = 0;
  {
    TcpProbe gone(loop_, nowhere, &pool_);
    gone.start([&](ProbeResult) { ++reported; });
  }
  TcpProbe probe(loop_, nowhere, &pool_);
  probe.start([&](ProbeResult) { ++reported; });
  probe.abort(AbortReason::Stopped);
  std::optional<ProbeResult> last;
  probe.start([&](ProbeResult) { ++reported; });  // replaced by the next start
  probe.start([&](ProbeResult r) { last = std::move(r); });
  ASSERT_TRUE(fakes::runUntil(loop_, [&] { return last.has_value(); }));
  loop_.runOnce(std::chrono::milliseconds(10));
  EXPECT_EQ(reported, 0);
  EXPECT_EQ(last->outcome, Outcome::Internal) << last->detail;
  EXPECT_FALSE(probe.inFlight());
}

// A listener whose accept queue is full drops further SYNs: an attempt
// against it stays in SYN_SENT, as against a silent server, until the
// checker's timeout aborts it. The pool then disconnects the socket in that
// state, which leaves ECONNRESET pending on it; the next attempt on the same
// socket must not report it.
TEST_F(TcpProbeTest, ATimedOutAttemptLeavesNoErrorForTheNextOne) {
  Listener silent(/*backlog=*/0);
  ASSERT_TRUE(silent.ok());
  UniqueFd filler = silent.connectBlocking();
  ASSERT_TRUE(filler) << "cannot fill the accept queue";
  TcpProbe unanswered(loop_, loopbackTarget(silent.port()), &pool_);
  bool called = false;
  unanswered.start([&](ProbeResult) { called = true; });
  loop_.runOnce(std::chrono::milliseconds(100));
  ASSERT_FALSE(called) << "the SYN was answered: the accept queue was not full";
  unanswered.abort(AbortReason::Timeout);
  ASSERT_EQ(pool_.idleCount(), 1U);

  Listener live;
  ASSERT_TRUE(live.ok());
  TcpProbe probe(loop_, loopbackTarget(live.port()), &pool_);
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto result = run(probe);  // on the socket the timed-out attempt gave back
    ASSERT_TRUE(result);
    EXPECT_EQ(result->outcome, Outcome::Up) << result->detail;
  }
  EXPECT_FALSE(called);
  EXPECT_EQ(pool_.idleCount(), 1U);
}

// Every check of a 50 ms tick takes its socket at once, hundreds of them
// with thousands of real servers: the pool keeps them all for the next tick
// instead of closing what exceeds a small cap and making it anew.
TEST_F(TcpProbeTest, ThePoolKeepsEverySocketOfABurst) {
  struct NoEvents final : TcpSocketPool::Client {
    void onSocketEvents(uint32_t /*epollEvents*/) override {}
  } client;
  constexpr size_t kBurst = 300;  // more than the 256 it once kept
  std::vector<TcpSocketPool::Lease> leases;
  for (size_t i = 0; i < kBurst; ++i) {
    leases.push_back(pool_.acquire(AF_INET, TcpFinalAck::Withheld, client));
    ASSERT_TRUE(leases.back()) << "socket " << i;
  }
  std::vector<int> fds;
  for (TcpSocketPool::Lease& lease : leases) {
    fds.push_back(lease->fd());
    pool_.release(std::move(lease));
  }
  EXPECT_EQ(pool_.idleCount(), kBurst);
  for (size_t i = 0; i < kBurst; ++i) {
    leases[i] = pool_.acquire(AF_INET, TcpFinalAck::Withheld, client);
    ASSERT_TRUE(leases[i]);
    EXPECT_NE(std::find(fds.begin(), fds.end(), leases[i]->fd()), fds.end())
        << "the second burst made a socket anew";
  }
  EXPECT_EQ(pool_.idleCount(), 0U);
}

TEST(TcpSocketPoolBudgetTest, IdleSocketsTakeAnEighthOfTheDescriptorLimitAtMost) {
  EXPECT_EQ(TcpSocketPool::idleBudgetFor(0), 0U);
  EXPECT_EQ(TcpSocketPool::idleBudgetFor(1024), 128U);
  EXPECT_EQ(TcpSocketPool::idleBudgetFor(4096), 512U);
  // Past 131,072 descriptors kMaxIdle per list is the bound.
  EXPECT_EQ(TcpSocketPool::idleBudgetFor(1U << 20), 4 * TcpSocketPool::kMaxIdle);
  EXPECT_EQ(TcpSocketPool::idleBudgetFor(RLIM_INFINITY), 4 * TcpSocketPool::kMaxIdle);
}

// In a process allowed 256 descriptors a burst of 60 checks (of both
// modes) leaves 32 sockets open, not 60: the rest of the descriptors stay
// for HTTP_GET connections, MISC_CHECK pipes and bound sockets.
TEST(TcpSocketPoolBudgetTest, ASmallDescriptorLimitCapsTheIdleSockets) {
  struct NoEvents final : TcpSocketPool::Client {
    void onSocketEvents(uint32_t /*epollEvents*/) override {}
  } client;
  PosixEventLoop loop;
  TcpSocketPool pool(loop, TcpSocketPool::idleBudgetFor(256));
  constexpr size_t kBudget = 32;
  std::vector<TcpSocketPool::Lease> leases;
  for (size_t i = 0; i < 60; ++i) {
    leases.push_back(
        pool.acquire(AF_INET, i % 2 == 0 ? TcpFinalAck::Withheld : TcpFinalAck::Sent, client));
    ASSERT_TRUE(leases.back()) << "socket " << i;
  }
  std::vector<int> fds;
  for (TcpSocketPool::Lease& lease : leases) {
    fds.push_back(lease->fd());
    pool.release(std::move(lease));
  }
  EXPECT_EQ(pool.idleCount(), kBudget);
  // Nothing was opened since: a descriptor still valid is an idle socket.
  auto open =
      std::count_if(fds.begin(), fds.end(), [](int fd) { return ::fcntl(fd, F_GETFD) != -1; });
  EXPECT_EQ(static_cast<size_t>(open), kBudget);
  // The next burst of 32 takes the kept ones and makes none anew.
  for (size_t i = 0; i < kBudget; ++i) {
    leases[i] =
        pool.acquire(AF_INET, i % 2 == 0 ? TcpFinalAck::Withheld : TcpFinalAck::Sent, client);
    ASSERT_TRUE(leases[i]);
    EXPECT_NE(std::find(fds.begin(), fds.end(), leases[i]->fd()), fds.end())
        << "socket " << i << " was made anew";
  }
  EXPECT_EQ(pool.idleCount(), 0U);
}

TEST_F(TcpProbeTest, ProbesWithBindOptionsConnectFromTheirOwnBoundSocket) {
  Listener listener;
  Listener spare;  // its port is free to bind to once it is closed
  ASSERT_TRUE(listener.ok() && spare.ok());
  config::ProbeTarget target = loopbackTarget(listener.port());
  target.setBinding(config::ProbeBinding{.port = spare.port()});
  spare.close();
  TcpProbe probe(loop_, target, &pool_, config::TcpCheckMode::Handshake);
  auto result = run(probe);
  ASSERT_TRUE(result);
  EXPECT_EQ(result->outcome, Outcome::Up) << result->detail;
  sockaddr_in peer{};
  socklen_t length = sizeof(peer);
  UniqueFd accepted = listener.accept(reinterpret_cast<sockaddr*>(&peer), &length);
  ASSERT_TRUE(accepted);
  EXPECT_EQ(ntohs(peer.sin_port), target.bindPort());
  EXPECT_EQ(pool_.idleCount(), 0U) << "a bound probe does not use the pool";
}

TEST_F(TcpProbeTest, WithoutAPoolEveryAttemptHasItsOwnSocket) {
  Listener listener;
  ASSERT_TRUE(listener.ok());
  TcpProbe probe(loop_, loopbackTarget(listener.port()), nullptr, config::TcpCheckMode::Handshake);
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto result = run(probe);
    ASSERT_TRUE(result);
    EXPECT_EQ(result->outcome, Outcome::Up) << result->detail;
    EXPECT_TRUE(listener.accept());
  }
  EXPECT_EQ(pool_.idleCount(), 0U);
}

TEST_F(TcpProbeTest, AnOwnSocketAlsoResetsBeforeTheServerHasAConnection) {
  Listener listener;
  ASSERT_TRUE(listener.ok());
  TcpProbe probe(loop_, loopbackTarget(listener.port()));
  expectUpWithNoConnectionQueued(probe, listener);
}

}  // namespace
}  // namespace vigil::check
