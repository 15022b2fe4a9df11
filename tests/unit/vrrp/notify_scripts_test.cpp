#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "core/simulated_loop.h"
#include "fakes/fake_process_spawner.h"
#include "vrrp/notify.h"

namespace vigil::vrrp {
namespace {

using Argv = std::vector<std::string>;

config::ScriptCommand command(std::string text) {
  config::ScriptCommand c;
  c.command = std::move(text);
  return c;
}

TEST(NotifyFormatTest, FifoLinesUseKeepalivedsFormat) {
  EXPECT_EQ(instanceFifoLine("VI_1", NotifyState::Master, 100), "INSTANCE \"VI_1\" MASTER 100");
  EXPECT_EQ(instanceFifoLine("VI_1", NotifyState::MasterRxLowerPri, 254),
            "INSTANCE \"VI_1\" MASTER_RX_LOWER_PRI 254");
  EXPECT_EQ(groupFifoLine("G1", NotifyState::Backup), "GROUP \"G1\" BACKUP");
}

TEST(NotifyFormatTest, GenericNotifyGetsFourArgumentsAfterTheConfiguredOnes) {
  EXPECT_EQ(genericNotifyArgv(command("/bin/n.sh 'a b'"), false, "VI_1", NotifyState::Fault, 90),
            (Argv{"/bin/n.sh", "a b", "INSTANCE", "VI_1", "FAULT", "90"}));
  EXPECT_EQ(genericNotifyArgv(command("/bin/n.sh"), true, "G1", NotifyState::Stop, 0),
            (Argv{"/bin/n.sh", "GROUP", "G1", "STOP", "0"}));
}

struct Fixture {
  SimulatedLoop loop;
  fakes::FakeProcessSpawner spawner;
  config::GlobalDefs global;
};

TEST(NotifierTest, RunsTheStateScriptThenTheGenericOne) {
  Fixture f;
  Notifier notifier(f.loop, f.spawner, f.global);
  notifier.start();
  config::VrrpInstance inst;
  inst.name = "VI_1";
  inst.notify.master = command("/bin/to_master.sh x");
  inst.notify.backup = command("/bin/to_backup.sh");
  inst.notify.any = command("/bin/notify.sh");
  notifier.instance(inst, NotifyState::Master, 120);
  ASSERT_EQ(f.spawner.requests.size(), 2u);
  EXPECT_EQ(f.spawner.requests[0].argv, (Argv{"/bin/to_master.sh", "x"}));
  EXPECT_EQ(f.spawner.requests[1].argv,
            (Argv{"/bin/notify.sh", "INSTANCE", "VI_1", "MASTER", "120"}));
  EXPECT_FALSE(f.spawner.requests[0].timeout.has_value());
  EXPECT_EQ(notifier.counters().scriptsStarted, 2u);
  // Fire and forget: a failing script is only counted.
  ASSERT_TRUE(f.spawner.exitOldest(3));
  ASSERT_TRUE(f.spawner.exitOldest(0));
  EXPECT_EQ(notifier.counters().scriptsFailed, 1u);
}

TEST(NotifierTest, DeletedIsFaultUnlessNotifyDeleted) {
  Fixture f;
  Notifier notifier(f.loop, f.spawner, f.global);
  config::VrrpInstance inst;
  inst.name = "VI_1";
  inst.notify.fault = command("/bin/fault.sh");
  inst.notify.any = command("/bin/notify.sh");
  notifier.instance(inst, NotifyState::Deleted, 100);
  ASSERT_EQ(f.spawner.requests.size(), 2u);
  EXPECT_EQ(f.spawner.requests[0].argv, (Argv{"/bin/fault.sh"}));
  EXPECT_EQ(f.spawner.requests[1].argv.at(3), "FAULT");
  inst.notify.deleted = true;
  notifier.instance(inst, NotifyState::Deleted, 100);
  ASSERT_EQ(f.spawner.requests.size(), 3u);  // no notify_deleted script: generic only
  EXPECT_EQ(f.spawner.requests[2].argv.at(3), "DELETED");
}

TEST(NotifierTest, GroupScriptsAndSpawnFailures) {
  Fixture f;
  Notifier notifier(f.loop, f.spawner, f.global);
  config::VrrpSyncGroup group;
  group.name = "G1";
  group.notify.backup = command("/bin/b.sh");
  f.spawner.failNext = true;
  notifier.group(group, NotifyState::Backup);
  EXPECT_EQ(notifier.counters().spawnErrors, 1u);
  EXPECT_EQ(notifier.counters().scriptsStarted, 0u);
}

// A FIFO in a fresh directory, removed at the end.
struct FifoDir {
  FifoDir() {
    char tmpl[] = "/tmp/vigil-fifo-XXXXXX";
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
  while ((n = ::read(fd, buf, sizeof buf)) > 0) {
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

TEST(NotifyFifoTest, DropsAndCountsWithoutAReaderThenDeliversOnceOneOpens) {
  FifoDir d;
  SimulatedLoop loop;
  NotifyFifoWriter writer(d.path);
  ASSERT_TRUE(writer.create().ok());
  struct stat st {};
  ASSERT_EQ(::stat(d.path.c_str(), &st), 0);
  EXPECT_TRUE(S_ISFIFO(st.st_mode));
  EXPECT_FALSE(writer.write("INSTANCE \"VI_1\" BACKUP 100", loop.now()));
  EXPECT_EQ(writer.dropped(), 1u);

  UniqueFd reader(::open(d.path.c_str(), O_RDONLY | O_NONBLOCK));
  ASSERT_TRUE(reader);
  EXPECT_TRUE(writer.write("INSTANCE \"VI_1\" MASTER 100", loop.now()));
  EXPECT_TRUE(writer.write("GROUP \"G1\" MASTER", loop.now()));
  EXPECT_EQ(readAll(reader.get()), "INSTANCE \"VI_1\" MASTER 100\nGROUP \"G1\" MASTER\n");
  EXPECT_EQ(writer.written(), 2u);
}

TEST(NotifyFifoTest, AFullPipeDropsInsteadOfBlocking) {
  FifoDir d;
  SimulatedLoop loop;
  NotifyFifoWriter writer(d.path);
  ASSERT_TRUE(writer.create().ok());
  UniqueFd reader(::open(d.path.c_str(), O_RDONLY | O_NONBLOCK));
  ASSERT_TRUE(reader);
  std::string line(200, 'x');
  size_t writes = 0;
  while (writer.write(line, loop.now()) && writes < 100000) {
    ++writes;
  }
  EXPECT_LT(writes, 100000u);  // the pipe filled up
  EXPECT_EQ(writer.dropped(), 1u);
}

TEST(NotifyFifoTest, SomethingElseAtThePathIsAnError) {
  FifoDir d;
  NotifyFifoWriter writer(d.dir);  // a directory
  Status s = writer.create();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, EEXIST);
}

TEST(NotifierTest, WritesInstanceAndGroupLinesToEveryFifo) {
  FifoDir a;
  FifoDir b;
  Fixture f;
  f.global.notifyFifo = config::NotifyFifo{a.path, "", "", std::nullopt, {}};
  f.global.vrrpNotifyFifo = config::NotifyFifo{b.path, "", "", std::nullopt, {}};
  Notifier notifier(f.loop, f.spawner, f.global);
  notifier.start();
  ASSERT_EQ(notifier.fifos().size(), 2u);
  UniqueFd ra(::open(a.path.c_str(), O_RDONLY | O_NONBLOCK));
  UniqueFd rb(::open(b.path.c_str(), O_RDONLY | O_NONBLOCK));
  config::VrrpInstance inst;
  inst.name = "VI_1";
  notifier.instance(inst, NotifyState::Master, 100);
  config::VrrpSyncGroup group;
  group.name = "G1";
  notifier.group(group, NotifyState::Master);
  const std::string expected = "INSTANCE \"VI_1\" MASTER 100\nGROUP \"G1\" MASTER\n";
  EXPECT_EQ(readAll(ra.get()), expected);
  EXPECT_EQ(readAll(rb.get()), expected);
  EXPECT_TRUE(f.spawner.requests.empty());
}

TEST(NotifierTest, PriorityChangesReachTheFifoOnlyWhenAskedFor) {
  FifoDir a;
  Fixture f;
  f.global.notifyFifo = config::NotifyFifo{a.path, "", "", std::nullopt, {}};
  Notifier notifier(f.loop, f.spawner, f.global);
  notifier.start();
  UniqueFd reader(::open(a.path.c_str(), O_RDONLY | O_NONBLOCK));
  config::VrrpInstance inst;
  inst.name = "VI_1";
  notifier.priorityChanged(inst, NotifyState::Master, 90);
  inst.notifyPriorityChanges = true;
  notifier.priorityChanged(inst, NotifyState::Fault, 80);  // only MASTER and BACKUP
  notifier.priorityChanged(inst, NotifyState::Master, 90);
  notifier.priorityChanged(inst, NotifyState::Backup, 70);
  EXPECT_EQ(readAll(reader.get()),
            "INSTANCE \"VI_1\" MASTER_PRIORITY 90\nINSTANCE \"VI_1\" BACKUP_PRIORITY 70\n");
  EXPECT_TRUE(f.spawner.requests.empty());
}

TEST(NotifierTest, StartsTheFifoScriptWithThePathLast) {
  FifoDir a;
  Fixture f;
  f.global.vrrpNotifyFifo = config::NotifyFifo{a.path, "", "", command("/bin/reader -v"), {}};
  {
    Notifier notifier(f.loop, f.spawner, f.global);
    notifier.start();
    ASSERT_EQ(f.spawner.requests.size(), 1u);
    EXPECT_EQ(f.spawner.requests[0].argv, (Argv{"/bin/reader", "-v", a.path}));
  }
  EXPECT_EQ(f.spawner.terminated, (std::vector<pid_t>{1000}));  // stopped with the notifier
}

}  // namespace
}  // namespace vigil::vrrp
