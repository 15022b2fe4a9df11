// What one /status or /metrics request costs the supervisor's heap with a
// check worker of many real servers (issue 4: at 50,000 of them the
// supervisor held 250-450 MB and a /status took seconds). The check
// worker's real snapshot over kServers TCP_CHECKs is the view's; the bytes
// allocated while a request is answered are counted by
// support/counting_new.h, which replaces this test binary's operator new
// (sanitizer builds skip the tests).
#include <gtest/gtest.h>

#include <cstddef>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "check/check_worker.h"
#include "check/tcp_socket_pool.h"
#include "core/simulated_loop.h"
#include "fakes/tcp_check_worker.h"
#include "monitor/metrics_cache.h"
#include "monitor/routes.h"
#include "support/counting_new.h"

namespace vigil::monitor {
namespace {

using test::AllocationCount;
using test::kCountsAllocations;

using std::chrono::seconds;

constexpr size_t kServers = 10000;

HttpRequest get(std::string target) {
  HttpRequest r;
  r.method = "GET";
  r.target = std::move(target);
  return r;
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

  const std::string& snapshot() const { return view_.workers[0].lastSnapshot; }

  SimulatedLoop loop_;
  check::TcpSocketPool pool_{loop_, 16};
  std::unique_ptr<check::CheckWorker> worker_;
  MonitorView view_;
  MetricsCache cache_;
};

// The snapshot goes into /status as the worker wrote it, checked but not
// built into a tree: the body (one snapshot's size) and little else. A
// parse into nlohmann::json and a dump of it allocated 10 bytes
// per byte of snapshot.
TEST_F(StatusRequestHeapTest, StatusAllocatesAboutItsBody) {
  ASSERT_GT(snapshot().size(), kServers * 100);
  HttpResponse r;
  size_t allocated = 0;
  {
    AllocationCount count;
    r = route(get("/status"), view_, cache_);
    allocated = count.bytes();
  }
  ASSERT_EQ(r.status, 200);
  RecordProperty("bytes_allocated_per_snapshot_byte_x100",
                 static_cast<int>(allocated * 100 / snapshot().size()));
  EXPECT_LE(allocated, snapshot().size() + snapshot().size() / 4 + (64 << 10));
  EXPECT_GE(r.body.size(), snapshot().size());
  const nlohmann::json doc = nlohmann::json::parse(r.body);
  EXPECT_EQ(doc["workers"][0]["snapshot"], nlohmann::json::parse(snapshot()));
}

}  // namespace
}  // namespace vigil::monitor
