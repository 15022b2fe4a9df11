#include "core/staged_stop.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/simulated_loop.h"

namespace vigil {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr size_t kVrrp = 0;
constexpr size_t kCheck = 1;
constexpr Duration kBound = seconds(3);

// Fake workers: records which were signalled, in order; an in-process
// worker exits while being signalled.
struct Workers {
  SimulatedLoop loop;
  std::vector<size_t> signalled;
  bool exitOnSignal = false;
  StagedStop stop{loop, kBound, [this](size_t i) {
                    signalled.push_back(i);
                    if (exitOnSignal) stop.onExit(i);
                  }};
};

TEST(StagedStop, CheckWorkerIsSignalledOnlyAfterTheVrrpWorkerExits) {
  Workers w;
  w.stop.start({0, 1}, {true, true});
  EXPECT_EQ(w.signalled, (std::vector<size_t>{kVrrp}));
  w.loop.advance(kBound - milliseconds(1));
  EXPECT_FALSE(w.stop.signalled(kCheck));
  w.stop.onExit(kVrrp);
  EXPECT_EQ(w.signalled, (std::vector<size_t>{kVrrp, kCheck}));
  // The bound's timer was cancelled: nothing is signalled twice.
  w.loop.advance(seconds(10));
  EXPECT_EQ(w.signalled.size(), 2u);
}

TEST(StagedStop, CheckWorkerIsSignalledAtTheBoundWhenTheVrrpWorkerHangs) {
  Workers w;
  w.stop.start({0, 1}, {true, true});
  w.loop.advance(kBound - milliseconds(1));
  EXPECT_EQ(w.signalled, (std::vector<size_t>{kVrrp}));
  w.loop.advance(milliseconds(1));
  EXPECT_EQ(w.signalled, (std::vector<size_t>{kVrrp, kCheck}));
  // The VRRP worker exiting late changes nothing.
  w.stop.onExit(kVrrp);
  w.stop.onExit(kCheck);
  EXPECT_EQ(w.signalled.size(), 2u);
}

TEST(StagedStop, ACrashedVrrpWorkerDelaysNothing) {
  Workers w;
  w.stop.start({0, 1}, {false, true});
  EXPECT_EQ(w.signalled, (std::vector<size_t>{kCheck}));
  EXPECT_EQ(w.loop.armedTimers(), 0u);
}

TEST(StagedStop, WithoutAVrrpWorkerTheCheckWorkerIsSignalledAtOnce) {
  Workers w;
  w.stop.start({1}, {true});
  EXPECT_EQ(w.signalled, (std::vector<size_t>{0u}));
  EXPECT_EQ(w.loop.armedTimers(), 0u);
}

TEST(StagedStop, AVrrpWorkerCrashingWhileStoppingReleasesTheCheckWorker) {
  Workers w;
  w.stop.start({0, 1}, {true, true});
  w.stop.onExit(kCheck);  // the check worker dies on its own meanwhile
  EXPECT_EQ(w.signalled, (std::vector<size_t>{kVrrp}));
  w.stop.onExit(kVrrp);
  // Nothing left running in the last stage: no signal to a dead worker.
  EXPECT_EQ(w.signalled, (std::vector<size_t>{kVrrp}));
  EXPECT_EQ(w.loop.armedTimers(), 0u);
}

TEST(StagedStop, WorkersThatExitWhileSignalledRunTheStagesInOrder) {
  Workers w;
  w.exitOnSignal = true;  // --single-process: teardown is synchronous
  w.stop.start({1, 0, 1}, {true, true, true});
  EXPECT_EQ(w.signalled, (std::vector<size_t>{1u, 0u, 2u}));
  EXPECT_EQ(w.loop.armedTimers(), 0u);
}

TEST(StagedStop, NothingRunningSignalsNothing) {
  Workers w;
  w.stop.start({0, 1}, {false, false});
  w.loop.advance(seconds(10));
  EXPECT_TRUE(w.signalled.empty());
}

}  // namespace
}  // namespace vigil
