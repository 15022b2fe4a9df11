#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <vector>

#include "config/loader.h"
#include "core/simulated_loop.h"
#include "fakes/fake_process_spawner.h"
#include "fakes/null_vrrp_effects.h"
#include "support/vrrp_instance_fixture.h"
#include "vrrp/instance_runtime.h"
#include "vrrp/runtime_notify.h"
#include "vrrp/runtime_params.h"

// notify_priority_changes end to end on the simulated loop: tracking moves
// an InstanceRuntime's effective priority, and what reaches the notify FIFO
// and the notify scripts is what keepalived 2.2.7 produces (checked against
// it: FIFO lines `INSTANCE "VI_1" MASTER_PRIORITY 90`, no script run).
namespace vigil::vrrp {
namespace {

using std::chrono::seconds;
using Argv = std::vector<std::string>;

using fakes::NullAcceptFilter;
using fakes::NullAnnouncer;
using fakes::NullSender;
using fakes::NullVips;

struct FifoDir {
  FifoDir() {
    char tmpl[] = "/tmp/vigil-prio-XXXXXX";
    dir = ::mkdtemp(tmpl);
    path = dir + "/notify";
  }
  ~FifoDir() {
    ::unlink(path.c_str());
    ::rmdir(dir.c_str());
  }
  std::string dir;
  std::string path;
};

std::string readAll(int fd) {
  std::string out;
  char buf[512];
  ssize_t n = 0;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  return out;
}

class PriorityNotifyTest : public ::testing::Test {
 protected:
  // VI_1 with a notify script and the notify FIFO; `option` is put in the
  // instance ("notify_priority_changes") or global_defs
  // ("vrrp_notify_priority_changes"), or left out.
  void start(const std::string& instanceOption, const std::string& globalOption = "") {
    const std::string text = "global_defs {\n  notify_fifo " + fifo.path + "\n  " + globalOption +
                             "\n}\n"
                             "vrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 51\n"
                             "  priority 100\n  advert_int 1\n  notify /bin/notify.sh\n  " +
                             instanceOption +
                             "\n  virtual_ipaddress {\n    10.0.0.100/24\n  }\n}\n";
    auto loaded = config::loadConfigText("prio.conf", text, config::LoadOptions{});
    ASSERT_TRUE(loaded.config);
    config = loaded.config;
    auto fake = std::make_unique<fakes::FakeProcessSpawner>();
    spawner = fake.get();
    notifier = std::make_unique<ScriptTransitionNotifier>(loop, std::move(fake), config);
    reader = ::open(fifo.path.c_str(), O_RDONLY | O_NONBLOCK);
    ASSERT_GE(reader, 0);
    const config::VrrpInstance& inst = config->vrrp.instances.at(0);
    runtime = std::make_unique<InstanceRuntime>(
        loop, inst, paramsFor(inst, test::ip("10.0.0.1")),
        RuntimeIo{sender, vips, announcer, *notifier, &accept}, std::nullopt);
    runtime->start();
  }
  void TearDown() override {
    runtime.reset();
    if (reader >= 0) ::close(reader);
  }
  void track(uint8_t priority) { runtime->track({PriorityChanged{priority}}); }
  std::vector<Argv> scripts() const {
    std::vector<Argv> out;
    for (const SpawnRequest& r : spawner->requests) out.push_back(r.argv);
    return out;
  }

  FifoDir fifo;
  SimulatedLoop loop;
  NullSender sender;
  NullVips vips;
  NullAnnouncer announcer;
  NullAcceptFilter accept;
  std::shared_ptr<const config::Config> config;
  fakes::FakeProcessSpawner* spawner = nullptr;
  std::unique_ptr<ScriptTransitionNotifier> notifier;
  std::unique_ptr<InstanceRuntime> runtime;
  int reader = -1;
};

TEST_F(PriorityNotifyTest, BackupAndMasterPriorityChangesReachTheFifoAndRunNoScript) {
  start("notify_priority_changes");
  ASSERT_EQ(runtime->state().state, State::Backup);
  track(90);
  loop.advance(seconds(5));  // no peer: Master_Down_Interval runs out
  ASSERT_EQ(runtime->state().state, State::Master);
  track(120);
  track(120);  // unchanged: nothing
  track(255);  // clamped to 254

  EXPECT_EQ(readAll(reader),
            "INSTANCE \"VI_1\" BACKUP 100\n"
            "INSTANCE \"VI_1\" BACKUP_PRIORITY 90\n"
            "INSTANCE \"VI_1\" MASTER 90\n"
            "INSTANCE \"VI_1\" MASTER_PRIORITY 120\n"
            "INSTANCE \"VI_1\" MASTER_PRIORITY 254\n");
  // The generic notify script runs for transitions only.
  EXPECT_EQ(scripts(), (std::vector<Argv>{{"/bin/notify.sh", "INSTANCE", "VI_1", "BACKUP", "100"},
                                          {"/bin/notify.sh", "INSTANCE", "VI_1", "MASTER", "90"}}));
}

TEST_F(PriorityNotifyTest, TheGlobalDefaultTurnsItOnForEveryInstance) {
  start("", "vrrp_notify_priority_changes");
  track(80);
  EXPECT_EQ(readAll(reader),
            "INSTANCE \"VI_1\" BACKUP 100\n"
            "INSTANCE \"VI_1\" BACKUP_PRIORITY 80\n");
}

TEST_F(PriorityNotifyTest, WithoutTheOptionOnlyTransitionsAreReported) {
  start("");
  track(90);
  loop.advance(seconds(5));
  track(120);
  EXPECT_EQ(readAll(reader),
            "INSTANCE \"VI_1\" BACKUP 100\n"
            "INSTANCE \"VI_1\" MASTER 90\n");
  EXPECT_EQ(spawner->requests.size(), 2u);
}

TEST_F(PriorityNotifyTest, AFaultedInstanceReportsNoPriorityChange) {
  start("notify_priority_changes");
  runtime->track({FaultRaised{}});
  ASSERT_EQ(runtime->state().state, State::Fault);
  track(70);
  EXPECT_EQ(readAll(reader),
            "INSTANCE \"VI_1\" BACKUP 100\n"
            "INSTANCE \"VI_1\" FAULT 100\n");
}

}  // namespace
}  // namespace vigil::vrrp
