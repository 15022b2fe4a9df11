#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "core/posix_event_loop.h"
#include "fakes/run_until.h"
#include "vrrp/notify.h"

// Notify scripts and FIFO readers as real processes.
namespace vigil::vrrp {
namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

struct TempDir {
  TempDir() {
    char tmpl[] = "/tmp/vigil-notify-XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::string path;
};

config::ScriptCommand command(std::string text) {
  config::ScriptCommand c;
  c.command = std::move(text);
  return c;
}

TEST(NotifyComponentTest, ScriptsGetKeepalivedsArguments) {
  TempDir d;
  PosixEventLoop loop;
  PosixProcessSpawner spawner(loop);
  config::GlobalDefs global;
  Notifier notifier(loop, spawner, global);
  config::VrrpInstance inst;
  inst.name = "VI_1";
  std::string record = "/bin/sh -c 'echo \"$*\" >> " + d.path + "/";
  inst.notify.master = command(record + "master' sh to-master");
  inst.notify.any = command(record + "any' sh");
  notifier.instance(inst, NotifyState::Master, 150);
  ASSERT_TRUE(fakes::runUntil(loop, [&] { return loop.watchedChildren() == 0; }));
  EXPECT_EQ(slurp(d.path + "/master"), "to-master\n");
  EXPECT_EQ(slurp(d.path + "/any"), "INSTANCE VI_1 MASTER 150\n");
  EXPECT_EQ(notifier.counters().scriptsStarted, 2u);
  EXPECT_EQ(notifier.counters().scriptsFailed, 0u);
}

TEST(NotifyComponentTest, TheFifoScriptReceivesTheExactLines) {
  TempDir d;
  std::string fifo = d.path + "/vrrp.fifo";
  std::string out = d.path + "/out";
  PosixEventLoop loop;
  PosixProcessSpawner spawner(loop);
  config::GlobalDefs global;
  // The FIFO path arrives as the script's last argument ($0 of sh -c).
  global.vrrpNotifyFifo =
      config::NotifyFifo{fifo, "", "", command("/bin/sh -c 'exec cat \"$0\" > " + out + "'"), {}};
  config::VrrpInstance inst;
  inst.name = "VI_1";
  config::VrrpSyncGroup group;
  group.name = "G1";
  {
    Notifier notifier(loop, spawner, global);
    notifier.start();
    ASSERT_EQ(notifier.fifos().size(), 1u);
    const NotifyFifoWriter& writer = *notifier.fifos()[0];
    // Until the reader has opened the FIFO, lines are dropped, not queued.
    ASSERT_TRUE(fakes::runUntil(loop, [&] {
      notifier.instance(inst, NotifyState::Backup, 100);
      return writer.written() == 1;
    }));
    notifier.group(group, NotifyState::Master);
    notifier.instance(inst, NotifyState::Master, 100);
    const std::string expected =
        "INSTANCE \"VI_1\" BACKUP 100\nGROUP \"G1\" MASTER\nINSTANCE \"VI_1\" MASTER 100\n";
    ASSERT_TRUE(fakes::runUntil(loop, [&] { return slurp(out) == expected; })) << slurp(out);
  }
  // The notifier stopped its FIFO script.
  EXPECT_TRUE(fakes::runUntil(loop, [&] { return loop.watchedChildren() == 0; }));
}

}  // namespace
}  // namespace vigil::vrrp
