#include "core/worker_host.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include "core/simulated_loop.h"
#include "fakes/channel_peer.h"
#include "fakes/slotted_worker.h"

namespace vigil {
namespace {

using fakes::ChannelPeer;
using std::chrono::seconds;

class CountingWorker final : public Worker {
 public:
  explicit CountingWorker(std::vector<uint64_t>* reloads) : reloads_(reloads) {}
  std::string snapshot() const override {
    return "{\"reloads\":" + std::to_string(reloads_->size()) + "}";
  }
  void reload(uint64_t generation) override { reloads_->push_back(generation); }

 private:
  std::vector<uint64_t>* reloads_;
};

class WorkerHostTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto pair = Channel::makePair();
    ASSERT_TRUE(pair.ok());
    workerFd_ = pair->first.get();
    peer_ = std::make_unique<ChannelPeer>(std::move(pair->second));
    host_ = std::make_unique<WorkerHost>(loop_, std::move(pair->first), "vrrp",
                                         std::make_unique<CountingWorker>(&reloads_), seconds(1),
                                         [this] { ++stops_; });
  }

  // The simulated loop does not poll: deliver the socket's readiness.
  void deliverToWorker() { loop_.fire(workerFd_, EPOLLIN); }

  SimulatedLoop loop_;
  int workerFd_ = -1;
  std::unique_ptr<ChannelPeer> peer_;
  std::unique_ptr<WorkerHost> host_;
  std::vector<uint64_t> reloads_;
  int stops_ = 0;
};

TEST_F(WorkerHostTest, SaysHelloThenSendsASnapshotEveryInterval) {
  auto hello = peer_->drain();
  ASSERT_EQ(hello.size(), 1u);
  EXPECT_EQ(hello[0].type, MessageType::Hello);
  EXPECT_EQ(hello[0].payload, "{\"worker\":\"vrrp\",\"pid\":" + std::to_string(::getpid()) + "}");

  loop_.advance(std::chrono::milliseconds(999));
  EXPECT_TRUE(peer_->drain().empty());
  loop_.advance(std::chrono::milliseconds(1));
  auto snapshots = peer_->drain();
  ASSERT_EQ(snapshots.size(), 1u);
  EXPECT_EQ(snapshots[0], (Message{MessageType::Snapshot, "{\"reloads\":0}"}));
  loop_.advance(seconds(3));
  EXPECT_EQ(peer_->drain().size(), 3u);
}

// The supervisor already holds the unchanged text: only a Heartbeat goes out.
TEST_F(WorkerHostTest, UnchangedSnapshotTravelsAsAnEmptyHeartbeat) {
  peer_->drain();
  loop_.advance(seconds(1));
  auto first = peer_->drain();
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0], (Message{MessageType::Snapshot, "{\"reloads\":0}"}));
  loop_.advance(seconds(2));
  auto later = peer_->drain();
  ASSERT_EQ(later.size(), 2u);
  for (const Message& m : later) {
    EXPECT_EQ(m, (Message{MessageType::Heartbeat, ""}));
  }
}

TEST_F(WorkerHostTest, ChangedSnapshotGoesInFullThenHeartbeatsAgain) {
  loop_.advance(seconds(1));
  peer_->drain();
  peer_->send(MessageType::Reload, "3");
  deliverToWorker();
  EXPECT_EQ(peer_->drain(), (std::vector<Message>{{MessageType::Snapshot, "{\"reloads\":1}"}}));
  loop_.advance(seconds(1));
  EXPECT_EQ(peer_->drain(), (std::vector<Message>{{MessageType::Heartbeat, ""}}));
}

// A restarted worker (a new host on a new channel) starts with nothing sent.
TEST_F(WorkerHostTest, NewHostSendsItsFirstSnapshotInFull) {
  loop_.advance(seconds(2));
  auto pair = Channel::makePair();
  ASSERT_TRUE(pair.ok());
  ChannelPeer peer(std::move(pair->second));
  WorkerHost restarted(loop_, std::move(pair->first), "vrrp",
                       std::make_unique<CountingWorker>(&reloads_), seconds(1), [] {});
  peer.drain();
  loop_.advance(seconds(1));
  EXPECT_EQ(peer.drain(), (std::vector<Message>{{MessageType::Snapshot, "{\"reloads\":0}"}}));
}

SnapshotDeduplicator::Fingerprint fp(std::string_view text) {
  return SnapshotDeduplicator::fingerprint(text);
}

TEST(SnapshotDeduplicator, FirstIsNeverUnchangedThenOnlyTheSameTextIs) {
  SnapshotDeduplicator dedup;
  EXPECT_FALSE(dedup.unchanged(fp("")));
  EXPECT_FALSE(dedup.unchanged(fp("{\"a\":1}")));
  dedup.remember(fp("{\"a\":1}"));
  EXPECT_TRUE(dedup.unchanged(fp("{\"a\":1}")));
  EXPECT_FALSE(dedup.unchanged(fp("{\"a\":2}")));   // same length, other text
  EXPECT_FALSE(dedup.unchanged(fp("{\"a\":1} ")));  // a prefix of it
  EXPECT_FALSE(dedup.unchanged(fp("")));
  dedup.remember(fp("{\"a\":2}"));
  EXPECT_TRUE(dedup.unchanged(fp("{\"a\":2}")));
  EXPECT_FALSE(dedup.unchanged(fp("{\"a\":1}")));
}

TEST(SnapshotDeduplicator, ComparesALargeTextWithoutKeepingIt) {
  SnapshotDeduplicator dedup;
  std::string text(8u << 20, 'r');  // a check worker's snapshot at 20,000 servers
  dedup.remember(fp(text));
  const std::string same = text;  // another buffer, the same bytes
  EXPECT_TRUE(dedup.unchanged(fp(same)));
  text[text.size() / 2] = 'R';  // one byte in the middle
  EXPECT_FALSE(dedup.unchanged(fp(text)));
  // What it keeps is a fingerprint, not a copy of the text.
  EXPECT_LE(sizeof(SnapshotDeduplicator), 4 * sizeof(size_t));
}

TEST_F(WorkerHostTest, ReloadReachesTheWorkerAndIsAcknowledgedBySnapshot) {
  peer_->drain();
  peer_->send(MessageType::Reload, "7");
  peer_->send(MessageType::Reload, "not-a-number");
  deliverToWorker();
  EXPECT_EQ(reloads_, std::vector<uint64_t>{7});
  auto replies = peer_->drain();
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0], (Message{MessageType::Snapshot, "{\"reloads\":1}"}));
}

TEST_F(WorkerHostTest, StopMessageAndSupervisorLossBothStop) {
  peer_->send(MessageType::Stop, "");
  deliverToWorker();
  EXPECT_EQ(stops_, 1);
  peer_->close();
  deliverToWorker();
  EXPECT_EQ(stops_, 2);
  EXPECT_FALSE(host_->channel().isOpen());
}

class WorkerHostPatchTest : public ::testing::Test {
 protected:
  void SetUp() override { start(); }

  // A host over state_ (again, when a test has replaced state_).
  void start() {
    auto pair = Channel::makePair();
    ASSERT_TRUE(pair.ok());
    workerFd_ = pair->first.get();
    peer_ = std::make_unique<ChannelPeer>(std::move(pair->second));
    host_ = std::make_unique<WorkerHost>(loop_, std::move(pair->first), "check",
                                         std::make_unique<fakes::SlottedWorker>(state_), seconds(1),
                                         [] {});
    peer_->drain();  // Hello
  }

  // The one message the last heartbeat sent.
  Message next() {
    loop_.advance(seconds(1));
    auto messages = peer_->drain();
    EXPECT_EQ(messages.size(), 1u);
    return messages.empty() ? Message{} : messages[0];
  }

  static Message patch(bool full, const std::vector<std::pair<uint32_t, std::string>>& slots) {
    SnapshotPatchBuilder builder(full, 3);
    for (const auto& [index, text] : slots) builder.add(index, text);
    return {MessageType::SnapshotPatch, builder.take()};
  }

  SimulatedLoop loop_;
  int workerFd_ = -1;
  std::shared_ptr<fakes::SlottedWorker::State> state_ = fakes::slottedState({"[", "1", "]"});
  std::unique_ptr<ChannelPeer> peer_;
  std::unique_ptr<WorkerHost> host_;
};

// Full first, then only what changed, and a Heartbeat while nothing did.
TEST_F(WorkerHostPatchTest, SendsTheFullPatchFirstThenChangesThenHeartbeats) {
  EXPECT_EQ(next(), patch(true, {{0, "["}, {1, "1"}, {2, "]"}}));
  state_->set(1, "22");
  EXPECT_EQ(next(), patch(false, {{1, "22"}}));
  EXPECT_EQ(next(), (Message{MessageType::Heartbeat, ""}));
  EXPECT_EQ(state_->fullPatches, 1);
}

// The supervisor could not apply a patch: the full one goes at once.
TEST_F(WorkerHostPatchTest, ResyncSendsTheFullPatchAtOnce) {
  next();
  peer_->send(MessageType::Resync, "");
  loop_.fire(workerFd_, EPOLLIN);
  EXPECT_EQ(peer_->drain(), (std::vector<Message>{patch(true, {{0, "["}, {1, "1"}, {2, "]"}})}));
  EXPECT_EQ(next(), (Message{MessageType::Heartbeat, ""}));
}

// A patch the channel refused leaves the supervisor's view unknown: the next
// one is full.
TEST_F(WorkerHostPatchTest, AfterARefusedSendTheNextPatchIsFull) {
  next();
  peer_->close();  // every send now fails
  loop_.fire(workerFd_, EPOLLIN);
  state_->set(1, "2");
  loop_.advance(seconds(1));
  EXPECT_EQ(state_->partialPatches, 1);
  loop_.advance(seconds(1));
  EXPECT_EQ(state_->fullPatches, 2);
}

// While the supervisor has not read the last patch, no new one is built (a
// refused one would make the next full again); what changed meanwhile goes in
// the patch after the channel drains.
TEST_F(WorkerHostPatchTest, NoPatchIsBuiltWhileTheLastOneIsUnread) {
  state_->set(1, std::string(16u << 20 >> 2, 'x'));  // 4 MB: more than the socket holds
  loop_.advance(seconds(1));
  ASSERT_EQ(state_->fullPatches, 1);
  state_->set(1, "2");
  loop_.advance(seconds(3));
  EXPECT_EQ(state_->fullPatches, 1);
  EXPECT_EQ(state_->partialPatches, 0);

  // The peer reads; the worker flushes. The 4 MB slot has a frame of its
  // own, between the head's and the tail's.
  std::vector<Message> read;
  for (int i = 0; i < 1000 && read.size() < 3; ++i) {
    loop_.fire(workerFd_, EPOLLOUT);
    for (Message& m : peer_->drain()) read.push_back(std::move(m));
  }
  ASSERT_EQ(read.size(), 3u);
  for (const Message& m : read) EXPECT_EQ(m.type, MessageType::SnapshotPatch);
  EXPECT_EQ(next(), patch(false, {{1, "2"}}));
  EXPECT_EQ(state_->fullPatches, 1);
}

// A full patch larger than the channel's queue (12 MiB against 8 MiB, as at
// 25,000 real servers) goes a frame each time the queue drains, and the
// frames put the worker's whole text together; nothing new is built meanwhile.
TEST_F(WorkerHostPatchTest, APatchLargerThanTheQueueGoesInFramesAsTheChannelDrains) {
  std::vector<std::string> slots;
  for (char c = 'a'; c < 'a' + 12; ++c) slots.emplace_back(1u << 20, c);
  state_ = fakes::slottedState(slots);
  ASSERT_NO_FATAL_FAILURE(start());
  loop_.advance(seconds(1));
  ASSERT_EQ(state_->fullPatches, 1);
  loop_.advance(seconds(3));  // the first frame fills the socket: heartbeats build nothing
  EXPECT_EQ(state_->fullPatches + state_->partialPatches, 1);

  PatchedSnapshot patched;
  SharedText text;
  int frames = 0;
  for (int i = 0; i < 10000 && (frames == 0 || patched.assembling()); ++i) {
    for (const Message& m : peer_->drain()) {
      ASSERT_EQ(m.type, MessageType::SnapshotPatch);
      auto view = decodeSnapshotPatch(m.payload);
      ASSERT_TRUE(view.ok()) << view.error().describe();
      ASSERT_TRUE(patched.apply(*view, text).ok());
      ++frames;
    }
    loop_.fire(workerFd_, EPOLLOUT);
  }
  EXPECT_EQ(frames, 12);
  EXPECT_FALSE(patched.assembling());
  EXPECT_EQ(text.size(), 12u << 20);
  EXPECT_EQ(text.str(), host_->worker().snapshot());
  EXPECT_EQ(state_->fullPatches, 1);
  EXPECT_EQ(state_->partialPatches, 0);
  EXPECT_EQ(host_->channel().droppedMessages(), 0u);

  state_->set(3, "d");
  EXPECT_EQ(next(), (Message{MessageType::SnapshotPatch, [] {
                               SnapshotPatchBuilder builder(false, 12);
                               builder.add(3, "d");
                               return builder.take();
                             }()}));
}

TEST(JsonQuote, EscapesQuotesBackslashesAndControls) {
  EXPECT_EQ(jsonQuote("a\"b\\c\n\x01"), "\"a\\\"b\\\\c\\n\\u0001\"");
}

}  // namespace
}  // namespace vigil
