#include <gtest/gtest.h>

#include <string>

#include "core/supervisor.h"
#include "fakes/run_until.h"
#include "fakes/slotted_worker.h"

namespace vigil {
namespace {

using fakes::runUntil;
using std::chrono::milliseconds;
using std::chrono::seconds;

class SupervisorPatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SupervisorOptions options;
    options.snapshotInterval = milliseconds(50);
    options.afterFullSnapshot = [this] { ++afterFullSnapshot_; };
    supervisor_ = fakes::slottedSupervisor(loop_, state_, options);
    ASSERT_TRUE(supervisor_->start().ok());
  }

  void TearDown() override { EXPECT_TRUE(fakes::stopSupervisor(loop_, *supervisor_)); }

  WorkerStatus status() const { return supervisor_->status()[0]; }

  // The worker builds `patches` more patches (heartbeats included); the
  // supervisor, on the same loop, has read all but the last by then.
  void letWorkerSend(int patches) {
    const int until = state_->partialPatches + patches;
    ASSERT_TRUE(runUntil(
        loop_, [&] { return state_->partialPatches >= until; }, seconds(10)));
  }

  bool reaches(const std::string& text) {
    return runUntil(
        loop_, [&] { return supervisor_->status()[0].lastSnapshot == text; }, seconds(10));
  }

  PosixEventLoop loop_;
  std::shared_ptr<fakes::SlottedWorker::State> state_ =
      fakes::slottedState({"{\"servers\":[", "{\"a\":1}", ",{\"b\":2}", "]}"});
  std::unique_ptr<Supervisor> supervisor_;
  int afterFullSnapshot_ = 0;
};

// The supervisor's text is the worker's whole snapshot after the full patch
// and after each partial one, whatever lengths the slots change to.
TEST_F(SupervisorPatchTest, KeepsTheWorkersWholeSnapshotFromItsPatches) {
  ASSERT_TRUE(reaches("{\"servers\":[{\"a\":1},{\"b\":2}]}"));
  state_->set(1, "{\"a\":1000000}");
  ASSERT_TRUE(reaches("{\"servers\":[{\"a\":1000000},{\"b\":2}]}"));
  state_->set(2, "");
  state_->set(3, "],\"n\":0}");
  ASSERT_TRUE(reaches("{\"servers\":[{\"a\":1000000}],\"n\":0}"));
  EXPECT_EQ(state_->fullPatches, 1);
}

// The hook (vigild: hand the heap's free pages back) runs once per full
// patch applied, after the read that completed it; partial patches and
// heartbeats do not run it.
TEST_F(SupervisorPatchTest, RunsTheAfterFullSnapshotHookOncePerFullPatch) {
  ASSERT_TRUE(reaches("{\"servers\":[{\"a\":1},{\"b\":2}]}"));
  ASSERT_TRUE(runUntil(
      loop_, [&] { return afterFullSnapshot_ == 1; }, seconds(10)));
  state_->set(1, "{\"a\":3}");
  ASSERT_TRUE(reaches("{\"servers\":[{\"a\":3},{\"b\":2}]}"));
  letWorkerSend(3);  // heartbeats
  EXPECT_EQ(afterFullSnapshot_, 1);
  state_->lieAboutCount = true;  // refused: the Resync brings a full patch
  state_->set(2, ",{\"b\":4}");
  ASSERT_TRUE(runUntil(
      loop_, [&] { return state_->fullPatches == 2; }, seconds(10)));
  ASSERT_TRUE(reaches("{\"servers\":[{\"a\":3},{\"b\":4}]}"));
  ASSERT_TRUE(runUntil(
      loop_, [&] { return afterFullSnapshot_ == 2; }, seconds(10)));
  letWorkerSend(3);
  EXPECT_EQ(afterFullSnapshot_, 2);
}

// A snapshot larger than the channel's 8 MiB queue (as the check worker's is
// above about 21,000 real servers) arrives in frames and is whole once the
// last one is in; partial patches follow as usual.
TEST_F(SupervisorPatchTest, ASnapshotLargerThanTheChannelQueueArrivesWhole) {
  std::vector<std::string> slots{"["};
  for (char c = 'a'; c < 'a' + 12; ++c) slots.emplace_back(1u << 20, c);
  slots.emplace_back("]");
  // Before the first heartbeat: its full patch carries these.
  state_->slots = slots;
  state_->edited.assign(slots.size(), false);
  std::string whole;
  for (const std::string& slot : slots) whole += slot;
  ASSERT_TRUE(runUntil(
      loop_, [&] { return status().lastSnapshot.size() == whole.size(); }, seconds(10)));
  EXPECT_EQ(status().lastSnapshot.str(), whole);
  EXPECT_EQ(state_->fullPatches, 1);
  EXPECT_EQ(status().patchesRefused, 0u);
  // Once for the whole patch, not once per frame.
  ASSERT_TRUE(runUntil(
      loop_, [&] { return afterFullSnapshot_ >= 1; }, seconds(10)));

  state_->set(5, "e");
  whole.replace(1 + 4 * (1u << 20), 1u << 20, "e");
  ASSERT_TRUE(reaches(whole));
  EXPECT_EQ(state_->fullPatches, 1);
  EXPECT_EQ(afterFullSnapshot_, 1);
}

// A patch that does not fit the text held is refused, the text kept, and the
// worker asked for its full snapshot, which puts the view right.
TEST_F(SupervisorPatchTest, APatchThatDoesNotApplyBringsTheFullSnapshot) {
  ASSERT_TRUE(reaches("{\"servers\":[{\"a\":1},{\"b\":2}]}"));
  state_->lieAboutCount = true;
  state_->set(1, "{\"a\":3}");
  ASSERT_TRUE(runUntil(
      loop_, [&] { return state_->fullPatches == 2; }, seconds(10)));
  ASSERT_TRUE(reaches("{\"servers\":[{\"a\":3},{\"b\":2}]}"));
  state_->set(2, ",{\"b\":4}");
  ASSERT_TRUE(reaches("{\"servers\":[{\"a\":3},{\"b\":4}]}"));
}

// Partial patches the worker sent before it saw the Resync build on the text
// the supervisor dropped: they are skipped, not refused and answered with a
// second Resync (a second ~8 MB full snapshot). Until the full snapshot
// applies, Heartbeats do not make the text kept look fresh.
TEST_F(SupervisorPatchTest, AfterOneResyncPatchesInFlightAreSkippedUntilTheFullSnapshot) {
  const std::string initial = "{\"servers\":[{\"a\":1},{\"b\":2}]}";
  ASSERT_TRUE(reaches(initial));
  state_->holdFull = true;
  state_->lieAboutCount = true;
  state_->set(1, "{\"a\":3}");
  ASSERT_TRUE(runUntil(
      loop_, [&] { return status().resyncsAsked == 1; }, seconds(10)));
  const TimePoint frozen = *status().lastSnapshotAt;
  state_->lieAboutCount = true;
  state_->set(2, ",{\"b\":4}");
  letWorkerSend(4);  // the second bad partial patch, then Heartbeats

  EXPECT_EQ(status().patchesRefused, 1u);
  EXPECT_EQ(status().resyncsAsked, 1u);
  EXPECT_EQ(status().lastSnapshot.str(), initial);
  EXPECT_EQ(*status().lastSnapshotAt, frozen);
  EXPECT_GT(*status().lastHeard, frozen);

  state_->holdFull = false;
  ASSERT_TRUE(reaches("{\"servers\":[{\"a\":3},{\"b\":4}]}"));
  EXPECT_GT(*status().lastSnapshotAt, frozen);
  EXPECT_EQ(state_->fullPatches, 2);
  state_->set(1, "{\"a\":5}");
  ASSERT_TRUE(reaches("{\"servers\":[{\"a\":5},{\"b\":4}]}"));
  EXPECT_EQ(status().resyncsAsked, 1u);
  EXPECT_EQ(state_->fullPatches, 2);
}

// A full snapshot that does not apply either is not asked for again (that
// would loop at channel speed): the text kept goes stale.
TEST_F(SupervisorPatchTest, AFullSnapshotThatDoesNotApplyIsNotAskedForAgain) {
  const std::string initial = "{\"servers\":[{\"a\":1},{\"b\":2}]}";
  ASSERT_TRUE(reaches(initial));
  state_->lieInFull = true;
  state_->lieAboutCount = true;
  state_->set(1, "{\"a\":3}");
  ASSERT_TRUE(runUntil(
      loop_, [&] { return status().patchesRefused == 2; }, seconds(10)));
  const TimePoint frozen = *status().lastSnapshotAt;
  state_->set(2, ",{\"b\":4}");
  letWorkerSend(4);

  EXPECT_EQ(status().patchesRefused, 2u);
  EXPECT_EQ(status().resyncsAsked, 1u);
  EXPECT_EQ(state_->fullPatches, 2);
  EXPECT_EQ(status().lastSnapshot.str(), initial);
  EXPECT_EQ(*status().lastSnapshotAt, frozen);
}

}  // namespace
}  // namespace vigil
