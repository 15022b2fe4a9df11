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
    options.inProcess = true;  // the test edits the worker's slots directly
    options.snapshotInterval = milliseconds(50);
    WorkerFactory factory = [state = state_](EventLoop&) {
      return std::make_unique<fakes::SlottedWorker>(state);
    };
    supervisor_ =
        std::make_unique<Supervisor>(loop_, std::vector<WorkerSpec>{{"check", factory}}, options);
    ASSERT_TRUE(supervisor_->start().ok());
  }

  void TearDown() override {
    bool stopped = false;
    supervisor_->stop([&] { stopped = true; });
    EXPECT_TRUE(runUntil(
        loop_, [&] { return stopped; }, seconds(10)));
  }

  bool reaches(const std::string& text) {
    return runUntil(
        loop_, [&] { return supervisor_->status()[0].lastSnapshot == text; }, seconds(10));
  }

  PosixEventLoop loop_;
  std::shared_ptr<fakes::SlottedWorker::State> state_ =
      fakes::slottedState({"{\"servers\":[", "{\"a\":1}", ",{\"b\":2}", "]}"});
  std::unique_ptr<Supervisor> supervisor_;
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

}  // namespace
}  // namespace vigil
