// What one /status or /metrics request costs the supervisor's heap with a
// check worker of many real servers (issue 4: at 50,000 of them the
// supervisor held 250-450 MB and a /status took seconds). The check
// worker's real snapshot over kServers TCP_CHECKs is the view's; the bytes
// allocated while a request is answered are counted by
// support/counting_new.h, which replaces this test binary's operator new
// (sanitizer builds skip the tests).
#include <gtest/gtest.h>
#include <malloc.h>

#include <cstddef>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "check/check_worker.h"
#include "check/tcp_socket_pool.h"
#include "cli/vigild/monitor_service.h"
#include "core/posix_event_loop.h"
#include "core/simulated_loop.h"
#include "core/supervisor.h"
#include "fakes/run_until.h"
#include "fakes/slotted_worker.h"
#include "fakes/tcp_check_worker.h"
#include "monitor/metrics_cache.h"
#include "monitor/routes.h"
#include "support/counting_new.h"

namespace vigil::monitor {
namespace {

using test::AllocationCount;
using test::kCountsAllocations;

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr size_t kServers = 10000;

HttpRequest get(std::string target) {
  HttpRequest r;
  r.method = "GET";
  r.target = std::move(target);
  return r;
}

HttpRequest getGzip(std::string target) {
  HttpRequest r = get(std::move(target));
  r.headers.emplace_back("accept-encoding", "gzip");
  return r;
}

// Bytes malloc holds for the program now (glibc's count of its heap in use
// and of its mmapped chunks).
size_t heapInUse() {
  const struct mallinfo2 info = ::mallinfo2();
  return info.uordblks + info.hblkhd;
}

size_t wireSize(const std::vector<OutputChunk>& wire) {
  size_t size = 0;
  for (const OutputChunk& chunk : wire) size += chunk.bytes().size();
  return size;
}

class StatusRequestHeapTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!kCountsAllocations) GTEST_SKIP() << "the sanitizer owns operator new";
    worker_ = fakes::makeTcpCheckWorker(loop_, pool_, fakes::tcpCheckConfigText(kServers));
    ASSERT_NE(worker_, nullptr);
    loop_.runPosted();
    WorkerStatus check;
    check.name = "check";
    check.running = true;
    check.pid = 42;
    check.startedAt = TimePoint{seconds(1)};
    check.lastHeard = TimePoint{seconds(100)};
    check.lastSnapshotAt = check.lastHeard;
    check.lastSnapshot = worker_->snapshot();
    view_.now = TimePoint{seconds(100)};
    view_.workers = {std::move(check)};
  }

  const std::string& snapshot() const { return view_.workers[0].lastSnapshot.str(); }

  SimulatedLoop loop_;
  check::TcpSocketPool pool_{loop_, 16};
  std::unique_ptr<check::CheckWorker> worker_;
  MonitorView view_;
  EndpointCache cache_;
};

// The snapshot goes into /status as the worker wrote it, checked but not
// built into a tree and not copied: the response sends the supervisor's
// own text as a piece of its body. A parse into nlohmann::json and a dump
// of it allocated 10 bytes per byte of snapshot; a copy into the body, 1.
TEST_F(StatusRequestHeapTest, StatusSendsTheSnapshotWithoutCopyingIt) {
  ASSERT_GT(snapshot().size(), kServers * 100);
  HttpResponse r;
  size_t allocated = 0;
  {
    AllocationCount count;
    r = route(get("/status"), view_, cache_);
    allocated = count.bytes();
  }
  ASSERT_EQ(r.status, 200);
  RecordProperty("status_bytes_allocated", static_cast<int>(allocated));
  EXPECT_LE(allocated, size_t{64} << 10);
  EXPECT_GE(r.bodySize(), snapshot().size());
  const nlohmann::json doc = nlohmann::json::parse(r.wholeBody());
  EXPECT_EQ(doc["workers"][0]["snapshot"], nlohmann::json::parse(snapshot()));
}

// A scrape of a snapshot already rendered sends the kept text as the cache
// holds it: it allocates the worker series and the response head, not the
// body. Before, a request copied the body (head + kept text) and
// serializeResponse copied it again: 2 x 80 MB per scrape at 50,000 real
// servers.
TEST_F(StatusRequestHeapTest, MetricsScrapeDoesNotCopyTheBody) {
  (void)route(get("/metrics"), view_, cache_);  // renders the snapshot part
  // A real server's series are ~700 bytes plain here (its checker has not
  // run yet), ~20 gzipped.
  for (const auto& [request, leastPerServer] :
       {std::pair{get("/metrics"), size_t{500}}, std::pair{getGzip("/metrics"), size_t{10}}}) {
    // The gzipped part is deflated on the first request that asks for it.
    (void)route(request, view_, cache_);
    std::vector<OutputChunk> wire;
    size_t allocated = 0;
    {
      AllocationCount count;
      wire = serializeResponse(route(request, view_, cache_), false, true);
      allocated = count.bytes();
    }
    RecordProperty("metrics_scrape_bytes_allocated", static_cast<int>(allocated));
    EXPECT_GT(wireSize(wire), kServers * leastPerServer);
    EXPECT_LE(allocated, 64u << 10);
  }
  EXPECT_EQ(cache_.metrics.renders(), 1u);
}

// What /metrics keeps between scrapes: the rendered text once, and a small
// record per real server to reuse its series by. Before, it also kept each
// server's series apart (the text again) and each server's object text as
// its key (the snapshot again).
TEST_F(StatusRequestHeapTest, MetricsCacheKeepsTheTextOnce) {
  const size_t before = heapInUse();
  size_t body = 0;
  {
    EndpointCache cache;
    body = route(get("/metrics"), view_, cache).bodySize();
    const size_t held = heapInUse() - before;
    RecordProperty("metrics_cache_bytes_held_per_body_byte_x100",
                   static_cast<int>(held * 100 / body));
    EXPECT_GT(body, kServers * 500);
    EXPECT_LE(held, body + kServers * 320);
  }
}

// The daemon's own path: MonitorService::handle over a Supervisor holding a
// worker's 4 MB snapshot (in-process, on a real loop). Every request takes
// the workers' status; it shares the snapshot text instead of copying it, so
// /healthz and /status allocate next to nothing. Before, each request copied
// every worker's snapshot first (22 MB at 50,000 real servers), /healthz
// included, and /status copied it again into its body.
class MonitorServiceRequestHeapTest : public ::testing::Test {
 protected:
  static constexpr size_t kSlotBytes = 64 << 10;
  static constexpr int kSlots = 64;

  void SetUp() override {
    if (!kCountsAllocations) GTEST_SKIP() << "the sanitizer owns operator new";
    // Short strings, as a check snapshot's are: checking the text keeps
    // its longest token.
    std::vector<std::string> slots{"{\"worker\":\"check\",\"filler\":[0"};
    const std::string item = ",\"" + std::string(60, 'x') + "\"";
    for (int i = 0; i < kSlots; ++i) {
      std::string slot;
      while (slot.size() < kSlotBytes) slot += item;
      slots.push_back(std::move(slot));
    }
    slots.emplace_back("]}");
    state_ = fakes::slottedState(slots);
    for (const std::string& slot : slots) snapshotSize_ += slot.size();
    SupervisorOptions options;
    options.snapshotInterval = milliseconds(50);
    supervisor_ = fakes::slottedSupervisor(loop_, state_, options);
    ASSERT_TRUE(supervisor_->start().ok());
    ASSERT_TRUE(fakes::runUntil(
        loop_, [&] { return supervisor_->status()[0].lastSnapshot.size() == snapshotSize_; },
        seconds(10)));
    service_ =
        std::make_unique<cli::MonitorService>(loop_, *supervisor_, cli::MonitorService::Info{});
  }

  void TearDown() override {
    if (!supervisor_) return;
    service_.reset();
    EXPECT_TRUE(fakes::stopSupervisor(loop_, *supervisor_));
  }

  // What answering `request` allocated, and the response.
  std::pair<size_t, HttpResponse> allocatedBy(const HttpRequest& request) {
    AllocationCount count;
    HttpResponse r = service_->handle(request);
    return {count.bytes(), std::move(r)};
  }

  PosixEventLoop loop_;
  std::shared_ptr<fakes::SlottedWorker::State> state_;
  size_t snapshotSize_ = 0;
  std::unique_ptr<Supervisor> supervisor_;
  std::unique_ptr<cli::MonitorService> service_;
};

TEST_F(MonitorServiceRequestHeapTest, HealthzCopiesNoSnapshot) {
  ASSERT_GT(snapshotSize_, size_t{kSlots} * kSlotBytes);
  const auto [allocated, r] = allocatedBy(get("/healthz"));
  RecordProperty("healthz_bytes_allocated", static_cast<int>(allocated));
  EXPECT_FALSE(r.body.empty());
  EXPECT_LE(allocated, size_t{16} << 10);
}

TEST_F(MonitorServiceRequestHeapTest, StatusCopiesNoSnapshot) {
  const auto [allocated, r] = allocatedBy(get("/status"));
  ASSERT_EQ(r.status, 200);
  RecordProperty("status_bytes_allocated", static_cast<int>(allocated));
  EXPECT_GE(r.bodySize(), snapshotSize_);
  EXPECT_LE(allocated, size_t{64} << 10);
}

TEST_F(MonitorServiceRequestHeapTest, AScrapeOfARenderedSnapshotCopiesNoSnapshot) {
  (void)service_->handle(get("/metrics"));  // renders the snapshot part
  const auto [allocated, r] = allocatedBy(get("/metrics"));
  ASSERT_EQ(r.status, 200);
  RecordProperty("metrics_scrape_bytes_allocated", static_cast<int>(allocated));
  EXPECT_LE(allocated, size_t{64} << 10);
}

}  // namespace
}  // namespace vigil::monitor
