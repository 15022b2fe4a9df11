#include "monitor/sd_notify.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <string>

namespace vigil::monitor {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

WorkerStatus worker(std::string name, std::string snapshot) {
  WorkerStatus w;
  w.name = std::move(name);
  w.running = true;
  w.pid = 42;
  w.startedAt = TimePoint{seconds(1)};
  w.lastHeard = TimePoint{seconds(99)};
  w.lastSnapshotAt = w.lastHeard;
  w.lastSnapshot = std::move(snapshot);
  return w;
}

constexpr const char* kVrrpSnapshot =
    R"({"worker":"vrrp","generation":3,"instances":[{"name":"a","state":"MASTER"},)"
    R"({"name":"b","state":"BACKUP"},{"name":"c","state":"MASTER"}]})";
constexpr const char* kCheckSnapshot =
    R"({"worker":"check","generation":3,"virtual_servers":[)"
    R"({"name":"vs1","real_servers":[{"up":true},{"up":false}]},{"name":"vs2","real_servers":[{"up":1}]}]})";

MonitorView view() {
  MonitorView v;
  v.generation = 3;
  v.now = TimePoint{seconds(100)};
  v.snapshotInterval = seconds(1);
  v.workers = {worker("vrrp", kVrrpSnapshot), worker("check", kCheckSnapshot)};
  return v;
}

TEST(SdNotifyMessage, ReadyCarriesTheStatusOnOneLine) {
  EXPECT_EQ(readyMessage("VRRP: 1 MASTER\nsecond line"),
            "READY=1\nSTATUS=VRRP: 1 MASTER second line");
}

TEST(SdNotifyMessage, ReloadingNamesTheMonotonicTime) {
  EXPECT_EQ(reloadingMessage(123456789),
            "RELOADING=1\nMONOTONIC_USEC=123456789\nSTATUS=reloading the configuration");
}

TEST(SdNotifyMessage, StoppingAndWatchdog) {
  EXPECT_EQ(stoppingMessage(), "STOPPING=1\nSTATUS=stopping");
  EXPECT_EQ(watchdogMessage(), "WATCHDOG=1");
}

TEST(SdNotifyWatchdog, PingsAtHalfTheTimeout) {
  EXPECT_EQ(watchdogPingInterval("10000000", nullptr, 7), milliseconds(5000));
  EXPECT_EQ(watchdogPingInterval("10000000", "", 7), milliseconds(5000));
  EXPECT_EQ(watchdogPingInterval("10000000", "7", 7), milliseconds(5000));
}

TEST(SdNotifyWatchdog, OffForAnotherProcessOrWithoutAUsableTimeout) {
  EXPECT_EQ(watchdogPingInterval("10000000", "8", 7), std::nullopt);
  EXPECT_EQ(watchdogPingInterval("10000000", "x", 7), std::nullopt);
  EXPECT_EQ(watchdogPingInterval(nullptr, nullptr, 7), std::nullopt);
  EXPECT_EQ(watchdogPingInterval("0", nullptr, 7), std::nullopt);
  EXPECT_EQ(watchdogPingInterval("10s", nullptr, 7), std::nullopt);
  EXPECT_EQ(watchdogPingInterval("-5", nullptr, 7), std::nullopt);
}

TEST(SdNotifyStatus, SummarisesRolesAndRealServers) {
  EXPECT_EQ(statusSummary(view()), "VRRP: 2 MASTER, 1 BACKUP; real servers: 2/3 up");
}

// The real servers are read from their text, not parsed into a tree: the
// count is the parser's for every way "up" can be written, and for objects
// the text reader leaves to the parser (an escape, a byte outside ASCII).
TEST(SdNotifyStatus, CountsRealServersUpAsTheParserReadsThem) {
  MonitorView v = view();
  v.workers[1].lastSnapshot =
      R"({"worker":"check","generation":3,"virtual_servers":[{"name":"vs1","real_servers":[)"
      R"({"up":true},{"up":false},{"up":1},{"up":0},{"up":2.5},{"up":"yes"},{"weight":1},)"
      R"({"checkers":[{"up":true}],"up":false},{"checkers":[{"up":false}],"up":true},)"
      R"({"up":false,"up":true},{"last":"a \"quoted\" reason","up":true},)"
      R"({"last":"café","up":false},7,{"up":null}]},)"
      R"({"name":"vs2","real_servers":[{"up":true}]}],"dataplane":{"up":true}})";
  EXPECT_EQ(statusSummary(v), "VRRP: 2 MASTER, 1 BACKUP; real servers: 7/15 up");
}

TEST(SdNotifyStatus, NamesWorkersStartingOrDown) {
  MonitorView v = view();
  v.workers[0].lastSnapshot.clear();
  v.workers[1].running = false;
  EXPECT_EQ(statusSummary(v), "VRRP: starting; real servers: worker not running");
  v.workers.clear();
  EXPECT_EQ(statusSummary(v), "no workers configured");
}

TEST(SdNotifyReady, WhenEveryWorkerReportsTheGeneration) {
  MonitorView v = view();
  EXPECT_TRUE(workersReady(v, 3));
  EXPECT_TRUE(workersReady(v, 2));
  EXPECT_FALSE(workersReady(v, 4));  // a reload the workers have not taken yet
}

TEST(SdNotifyReady, NotBeforeAFirstSnapshotOfTheRunningProcess) {
  MonitorView v = view();
  v.workers[1].lastSnapshotAt = TimePoint{seconds(0)};  // from before its restart
  EXPECT_FALSE(workersReady(v, 3));
  v = view();
  v.workers[0].running = false;
  EXPECT_FALSE(workersReady(v, 3));
  v = view();
  v.workers[0].lastSnapshot = R"({"worker":"vrrp"})";
  EXPECT_FALSE(workersReady(v, 3));
}

// systemd's notifier asks every 100 ms until ready and every second after:
// a reader reads each snapshot text once, and answers as the free
// functions do for whatever text the view holds.
TEST(SdNotifyStatusReader, ReadsEachSnapshotOnceAndAnswersAsAFreshRead) {
  StatusReader reader;
  MonitorView v = view();
  for (int poll = 0; poll < 3; ++poll) {
    EXPECT_EQ(reader.summary(v), statusSummary(v));
    EXPECT_TRUE(reader.ready(v, 3));
    EXPECT_FALSE(reader.ready(v, 4));
  }
  EXPECT_EQ(reader.reads(), 2u);  // one per worker
  // A new text (as a patch makes) is read again, that worker's only.
  v.workers[1].lastSnapshot =
      R"({"worker":"check","generation":4,"virtual_servers":[{"real_servers":[{"up":false}]}]})";
  EXPECT_EQ(reader.summary(v), "VRRP: 2 MASTER, 1 BACKUP; real servers: 0/1 up");
  EXPECT_FALSE(reader.ready(v, 4));  // the VRRP worker still runs generation 3
  EXPECT_EQ(reader.reads(), 3u);
  v.workers[1].lastSnapshot = "{\"worker\":";
  EXPECT_EQ(reader.summary(v), "VRRP: 2 MASTER, 1 BACKUP; real servers: unreadable snapshot");
  EXPECT_FALSE(reader.ready(v, 3));
  v.workers[1].running = false;
  EXPECT_EQ(reader.summary(v), statusSummary(v));
  EXPECT_EQ(reader.reads(), 4u);
}

TEST(SdNotifyLively, WhileWorkersRunAndSpeak) {
  MonitorView v = view();
  EXPECT_TRUE(workersLively(v, seconds(3)));
  v.now = TimePoint{seconds(102)};
  EXPECT_TRUE(workersLively(v, seconds(3)));
  v.now = TimePoint{seconds(103) + milliseconds(1)};
  EXPECT_FALSE(workersLively(v, seconds(3)));  // wedged: no word for too long
}

TEST(SdNotifyLively, AFreshlyStartedWorkerGetsItsGraceAndADeadOneNone) {
  MonitorView v = view();
  v.workers[1].startedAt = TimePoint{seconds(99) + milliseconds(500)};
  v.workers[1].lastHeard.reset();
  EXPECT_TRUE(workersLively(v, seconds(3)));
  v.workers[1].running = false;
  EXPECT_FALSE(workersLively(v, seconds(3)));
}

TEST(SdNotifySocket, RejectsAddressesThatAreNotUnixSockets) {
  EXPECT_FALSE(NotifySocket::open("").ok());
  EXPECT_FALSE(NotifySocket::open("relative/path").ok());
  EXPECT_FALSE(NotifySocket::open("@").ok());
  EXPECT_FALSE(NotifySocket::open("/" + std::string(200, 'x')).ok());
}

TEST(SdNotifySocket, SendsOneDatagramToAnAbstractAddress) {
  const std::string name = "h10-sd-notify-unit-" + std::to_string(::getpid());
  int receiver = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(receiver, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path + 1, name.data(), name.size());
  ASSERT_EQ(::bind(receiver, reinterpret_cast<sockaddr*>(&addr),
                   static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + name.size())),
            0);
  auto socket = NotifySocket::open("@" + name);
  ASSERT_TRUE(socket.ok()) << socket.error().describe();
  ASSERT_TRUE(socket->send("READY=1\nSTATUS=x").ok());
  char buffer[64] = {};
  ssize_t n = ::recv(receiver, buffer, sizeof buffer, MSG_DONTWAIT);
  ::close(receiver);
  EXPECT_EQ(std::string(buffer, n > 0 ? static_cast<size_t>(n) : 0), "READY=1\nSTATUS=x");
}

TEST(SdNotifySocket, ReportsAnAddressNobodyListensOn) {
  auto socket = NotifySocket::open("@h10-sd-notify-nobody-" + std::to_string(::getpid()));
  ASSERT_TRUE(socket.ok());
  EXPECT_FALSE(socket->send("WATCHDOG=1").ok());
}

}  // namespace
}  // namespace vigil::monitor
