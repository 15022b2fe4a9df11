#include "check/check_worker.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <variant>

#include "check/desired_state.h"
#include "config/loader.h"
#include "core/simulated_loop.h"
#include "core/snapshot_patch.h"
#include "fakes/fake_probe.h"
#include "fakes/fake_process_spawner.h"
#include "ipvs/expand.h"
#include "ipvs/memory_dataplane.h"

namespace vigil::check {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// Checkers here probe every second with no warmup and no retry, so one
// failed attempt takes a server down and one success brings it back.
constexpr const char* kTiming = "delay_loop 1\n connect_timeout 1\n retry 0\n warmup 0\n";

std::shared_ptr<const config::Config> load(const std::string& text) {
  auto r = config::loadConfigText("t.conf", text, config::LoadOptions{});
  EXPECT_NE(r.config, nullptr);
  return r.config;
}

Result<SpawnRequest> splitOnBlanks(const config::ScriptCommand& command) {
  SpawnRequest request;
  std::string word;
  for (char c : command.command + " ") {
    if (c != ' ') {
      word += c;
    } else if (!word.empty()) {
      request.argv.push_back(std::move(word));
      word.clear();
    }
  }
  return request;
}

// Hand the worker a table and a spawner the test owns, so both can be read
// after the worker has gone.
class BorrowedDataplane final : public ipvs::Dataplane {
 public:
  BorrowedDataplane(ipvs::MemoryDataplane& table, int& reads, std::vector<ipvs::Op>& applied)
      : table_(table), reads_(reads), applied_(applied) {}
  Result<ipvs::IpvsState> read() override {
    ++reads_;
    return table_.read();
  }
  // The check worker's periodic counter read (StatsPoller) is not a table
  // read for reconciling: not counted.
  Result<ipvs::IpvsStats> readStats() override { return table_.readStats(); }
  ipvs::ApplyReport apply(const std::vector<ipvs::Op>& ops) override {
    applied_.insert(applied_.end(), ops.begin(), ops.end());
    return table_.apply(ops);
  }
  std::string_view name() const override { return "memory"; }

 private:
  ipvs::MemoryDataplane& table_;
  int& reads_;
  std::vector<ipvs::Op>& applied_;
};

class BorrowedSpawner final : public ProcessSpawner {
 public:
  explicit BorrowedSpawner(ProcessSpawner& spawner) : spawner_(spawner) {}
  Result<pid_t> spawn(const SpawnRequest& request, EventLoop::ChildCallback onExit) override {
    return spawner_.spawn(request, std::move(onExit));
  }
  void terminate(pid_t pid) override { spawner_.terminate(pid); }

 private:
  ProcessSpawner& spawner_;
};

// A CheckWorker on a SimulatedLoop whose probes are fakes that answer at
// once with what the test sets per real server address.
class CheckWorkerTest : public ::testing::Test {
 protected:
  void start(const std::string& text, bool withDataplane = true) {
    configs_[1] = load(text);
    ASSERT_NE(configs_[1], nullptr);
    CheckWorkerIo io;
    io.makeProbe = [this](const config::Checker& checker) {
      auto& control = controls_[checker.target.address.toString()];
      if (!control) {
        control = std::make_shared<fakes::FakeProbeControl>();
        control->loop = &loop_;
        control->autoResult = ProbeResult{Outcome::Up, std::nullopt, "fake"};
      }
      return ProbeSpec{std::make_unique<fakes::FakeProbe>(control), seconds(1), {}};
    };
    io.spawner = std::make_unique<BorrowedSpawner>(spawner_);
    io.prepareScript = splitOnBlanks;
    if (withDataplane) {
      io.dataplane = std::make_unique<BorrowedDataplane>(table_, tableReads_, appliedOps_);
    }
    io.random = [](Duration) { return Duration{0}; };
    worker_ = std::make_unique<CheckWorker>(
        loop_, configs_[1], 1, [this](uint64_t g) { return configs_[g]; }, std::move(io));
    loop_.runPosted();
  }

  // Every later probe of `address` answers `outcome` (with `weight`).
  void answer(const std::string& address, Outcome outcome,
              std::optional<uint32_t> weight = std::nullopt) {
    controls_.at(address)->autoResult = ProbeResult{outcome, weight, "fake"};
  }

  // Lets every checker run one more attempt.
  void poll() {
    loop_.advance(milliseconds(1001));
    loop_.runPosted();
  }

  std::string table() const { return ipvs::toText(dataplane_->state()); }

  std::vector<std::string> scriptsRun() const {
    std::vector<std::string> out;
    for (const SpawnRequest& r : spawner_.requests) out.push_back(r.argv.at(0));
    return out;
  }

  nlohmann::json snapshot() const { return nlohmann::json::parse(worker_->snapshot()); }

  // One heartbeat as the supervisor sees it: the worker's patch applied to
  // the text it holds (view_). Returns the texts of the slots it carried.
  std::vector<std::string> heartbeat(bool full = false) {
    std::optional<SnapshotPatchBuilder> patch = worker_->snapshotPatch(full);
    EXPECT_TRUE(patch.has_value());
    lastPatchFull_ = patch->full();
    const std::string payload = patch->take();
    auto decoded = decodeSnapshotPatch(payload);
    EXPECT_TRUE(decoded.ok()) << decoded.error().describe();
    Status applied = view_.apply(*decoded, viewText_);
    EXPECT_TRUE(applied.ok()) << applied.error().describe();
    std::vector<std::string> carried;
    for (const auto& slot : decoded->slots) carried.emplace_back(slot.text);
    return carried;
  }
  nlohmann::json view() const { return nlohmann::json::parse(viewText_.str()); }

  SimulatedLoop loop_;
  std::map<uint64_t, std::shared_ptr<const config::Config>> configs_;
  std::map<std::string, std::shared_ptr<fakes::FakeProbeControl>> controls_;
  fakes::FakeProcessSpawner spawner_;
  ipvs::MemoryDataplane table_;
  ipvs::MemoryDataplane* dataplane_ = &table_;
  int tableReads_ = 0;                // read() calls the worker made
  std::vector<ipvs::Op> appliedOps_;  // every op the worker handed the table
  std::unique_ptr<CheckWorker> worker_;
  PatchedSnapshot view_;
  SharedText viewText_;
  bool lastPatchFull_ = false;
};

std::string twoServers(const std::string& vsExtra, const std::string& rsExtra = "") {
  return std::string("virtual_server 10.0.0.100 80 {\n protocol TCP\n lb_algo rr\n") + vsExtra +
         "\n real_server 10.0.0.2 80 { weight 2\n notify_up /rs2-up\n notify_down /rs2-down\n" +
         rsExtra + "\n TCP_CHECK { " + kTiming + " } }\n" +
         " real_server 10.0.0.3 80 { weight 3\n" + rsExtra + "\n TCP_CHECK { " + kTiming +
         " } }\n}\n";
}

TEST_F(CheckWorkerTest, ProgramsUpServersAndRemovesAFailedOne) {
  start(twoServers(""));
  poll();
  EXPECT_EQ(table(),
            "Prot LocalAddress:Port Scheduler Flags\n"
            "  -> RemoteAddress:Port           Forward Weight\n"
            "TCP  10.0.0.100:80 rr\n"
            "  -> 10.0.0.2:80                  Masq    2\n"
            "  -> 10.0.0.3:80                  Masq    3\n");
  answer("10.0.0.2", Outcome::Refused);
  poll();
  EXPECT_EQ(dataplane_->state().services.begin()->second.destinations.size(), 1u);
  EXPECT_EQ(scriptsRun(), (std::vector<std::string>{"/rs2-down"}));
  EXPECT_FALSE(snapshot()["virtual_servers"][0]["real_servers"][0]["up"].get<bool>());
  answer("10.0.0.2", Outcome::Up);
  poll();
  EXPECT_EQ(dataplane_->state().services.begin()->second.destinations.size(), 2u);
  EXPECT_EQ(scriptsRun(), (std::vector<std::string>{"/rs2-down", "/rs2-up"}));
}

TEST_F(CheckWorkerTest, InhibitOnFailureKeepsTheServerAtWeightZero) {
  start(twoServers("inhibit_on_failure"));
  poll();
  answer("10.0.0.3", Outcome::Timeout);
  poll();
  const auto& dests = dataplane_->state().services.begin()->second.destinations;
  ASSERT_EQ(dests.size(), 2u);
  EXPECT_EQ(dests.rbegin()->second.weight, 0u);
  EXPECT_EQ(dests.begin()->second.weight, 2u);
}

TEST_F(CheckWorkerTest, QuorumLossSwapsInTheSorryServerAndRunsQuorumScripts) {
  // Weights 2 + 3; quorum 4: losing either server loses the quorum.
  start(twoServers("quorum 4\n sorry_server 10.0.0.9 80\n quorum_up /q-up\n quorum_down /q-down"));
  poll();
  answer("10.0.0.3", Outcome::Refused);
  poll();
  EXPECT_EQ(scriptsRun(), (std::vector<std::string>{"/q-down"}));
  auto dests = dataplane_->state().services.begin()->second.destinations;
  ASSERT_EQ(dests.size(), 1u);
  EXPECT_EQ(ipvs::toString(dests.begin()->first), "10.0.0.9:80");
  EXPECT_EQ(dests.begin()->second.weight, 1u);
  EXPECT_TRUE(snapshot()["virtual_servers"][0]["sorry_server_active"].get<bool>());
  answer("10.0.0.3", Outcome::Up);
  poll();
  EXPECT_EQ(scriptsRun(), (std::vector<std::string>{"/q-down", "/q-up"}));
  dests = dataplane_->state().services.begin()->second.destinations;
  EXPECT_EQ(dests.size(), 2u);
  EXPECT_FALSE(dests.contains(ipvs::DestinationKey{*IpAddress::parse("10.0.0.9"), 80}));
}

TEST_F(CheckWorkerTest, SorryServerInhibitKeepsItAtWeightZeroWhileQuorumHolds) {
  start(twoServers("quorum 4\n sorry_server 10.0.0.9 80\n sorry_server_inhibit"));
  poll();
  const auto& dests = dataplane_->state().services.begin()->second.destinations;
  auto sorry = dests.find(ipvs::DestinationKey{*IpAddress::parse("10.0.0.9"), 80});
  ASSERT_NE(sorry, dests.end());
  EXPECT_EQ(sorry->second.weight, 0u);
}

TEST_F(CheckWorkerTest, HysteresisHoldsTheQuorumInsideTheBand) {
  // quorum 4, hysteresis 1: lost below 3, regained at 5. Losing 10.0.0.2
  // leaves 3: kept.
  start(twoServers("quorum 4\n hysteresis 1\n quorum_down /q-down"));
  poll();
  answer("10.0.0.2", Outcome::Refused);
  poll();
  EXPECT_TRUE(snapshot()["virtual_servers"][0]["quorum_up"].get<bool>());
  EXPECT_EQ(scriptsRun(), (std::vector<std::string>{"/rs2-down"}));
}

TEST_F(CheckWorkerTest, MiscDynamicWeightReachesTheDataplane) {
  start(std::string("virtual_server 10.0.0.100 80 {\n protocol TCP\n"
                    " real_server 10.0.0.2 80 { weight 5\n MISC_CHECK { misc_path /bin/true\n"
                    " misc_dynamic\n ") +
        kTiming + " } }\n}\n");
  poll();
  answer("10.0.0.2", Outcome::Up, 40);
  poll();
  EXPECT_EQ(dataplane_->state().services.begin()->second.destinations.begin()->second.weight, 40u);
  EXPECT_EQ(snapshot()["virtual_servers"][0]["real_servers"][0]["weight"].get<uint32_t>(), 40u);
}

TEST_F(CheckWorkerTest, AlphaKeepsServersOutUntilTheirFirstSuccess) {
  start(twoServers("alpha"));
  EXPECT_TRUE(dataplane_->state().services.begin()->second.destinations.empty());
  poll();
  EXPECT_EQ(dataplane_->state().services.begin()->second.destinations.size(), 2u);
  EXPECT_EQ(scriptsRun(), (std::vector<std::string>{"/rs2-up"}));
}

TEST_F(CheckWorkerTest, DataplaneNoneStillNotifiesAndReports) {
  start(twoServers(""), false);
  poll();
  answer("10.0.0.2", Outcome::Refused);
  poll();
  EXPECT_EQ(scriptsRun(), (std::vector<std::string>{"/rs2-down"}));
  nlohmann::json j = snapshot();
  EXPECT_EQ(j["dataplane"]["backend"], "none");
  EXPECT_FALSE(j["virtual_servers"][0]["real_servers"][0]["up"].get<bool>());
  EXPECT_EQ(j["virtual_servers"][0]["real_servers"][0]["checkers"][0]["outcomes"]["refused"], 1);
}

TEST_F(CheckWorkerTest, ReloadKeepsTheHealthOfUnchangedServers) {
  start(twoServers(""));
  poll();
  answer("10.0.0.2", Outcome::Refused);
  poll();
  // Generation 2 adds a third server; 10.0.0.2 must stay down, with no new
  // notify, until a probe succeeds.
  std::string next = twoServers("");
  next.insert(next.rfind('}'), " real_server 10.0.0.4 80 { }\n");
  configs_[2] = load(next);
  worker_->reload(2);
  loop_.runPosted();
  EXPECT_FALSE(dataplane_->state().services.begin()->second.destinations.contains(
      ipvs::DestinationKey{*IpAddress::parse("10.0.0.2"), 80}));
  EXPECT_EQ(dataplane_->state().services.begin()->second.destinations.size(), 2u);
  EXPECT_EQ(scriptsRun(), (std::vector<std::string>{"/rs2-down"}));
  answer("10.0.0.2", Outcome::Up);
  poll();
  EXPECT_EQ(scriptsRun(), (std::vector<std::string>{"/rs2-down", "/rs2-up"}));
  EXPECT_EQ(dataplane_->state().services.begin()->second.destinations.size(), 3u);
}

TEST_F(CheckWorkerTest, IdenticalCheckersUnderTwoServicesProbeOnceAndBothFollow) {
  std::string second = twoServers("");
  second.replace(second.find("10.0.0.100 80"), 13, "10.0.0.101 80");
  start(twoServers("") + second);
  poll();
  const int starts = controls_.at("10.0.0.2")->starts;
  poll();
  EXPECT_EQ(controls_.at("10.0.0.2")->starts, starts + 1);  // one probe for both services
  answer("10.0.0.2", Outcome::Refused);
  poll();
  for (const auto& [key, entry] : dataplane_->state().services) {
    EXPECT_EQ(entry.destinations.size(), 1u) << ipvs::toString(key);
  }
  EXPECT_EQ(scriptsRun(), (std::vector<std::string>{"/rs2-down", "/rs2-down"}));
}

std::string manyServers(int count) {
  std::string text = "virtual_server 10.0.0.100 80 {\n protocol TCP\n lb_algo rr\n";
  for (int i = 0; i < count; ++i) {
    text +=
        " real_server 10.0.1." + std::to_string(i + 1) + " 80 { TCP_CHECK { " + kTiming + " } }\n";
  }
  return text + "}\n";
}

// The heartbeat carries what changed: a health change in the next patch,
// probe counters (which move on every attempt) within kRefreshPatches
// patches, a rolling share of the real servers each time, never all of them.
TEST_F(CheckWorkerTest, PatchesCarryHealthAtOnceAndCountersWithinTenHeartbeats) {
  constexpr int kServers = 40;
  start(manyServers(kServers));
  EXPECT_EQ(heartbeat().size(), 1u + 1 + kServers + 5);  // head, service, servers, tail
  EXPECT_TRUE(lastPatchFull_);
  EXPECT_EQ(viewText_.str(), worker_->snapshot());
  const auto attempts = [](const nlohmann::json& snapshot, int server) {
    return snapshot["virtual_servers"][0]["real_servers"][server]["checkers"][0]["attempts"]
        .get<uint64_t>();
  };
  for (int beat = 0; beat < 30; ++beat) {
    if (beat == 12) answer("10.0.1.7", Outcome::Refused);
    poll();
    const size_t carried = heartbeat().size();
    EXPECT_FALSE(lastPatchFull_);
    // A share of 41 body slots (5), the head and the tail, plus the server and
    // service the change touched; not the 40 servers.
    EXPECT_LE(carried, 5u + 2 + 2 + 5) << "beat " << beat;
    const nlohmann::json fresh = snapshot();
    const nlohmann::json seen = view();
    EXPECT_EQ(seen["virtual_servers"][0]["real_servers"][6]["up"], beat < 12);
    EXPECT_EQ(seen["virtual_servers"][0]["live_weight"],
              fresh["virtual_servers"][0]["live_weight"]);
    for (int server = 0; server < kServers; ++server) {
      EXPECT_LE(attempts(fresh, server) - attempts(seen, server),
                uint64_t{CheckWorker::kRefreshPatches})
          << "beat " << beat << " server " << server;
    }
  }
  // With nothing probed in between, kRefreshPatches heartbeats bring every
  // slot up to date: the view is the worker's whole text.
  for (uint32_t beat = 0; beat < CheckWorker::kRefreshPatches; ++beat) heartbeat();
  EXPECT_EQ(viewText_.str(), worker_->snapshot());
  EXPECT_TRUE(heartbeat().empty());  // nothing left to send: a Heartbeat
}

// A reload changes the slots' layout: the next patch is full, and the view
// is the new configuration's.
TEST_F(CheckWorkerTest, APatchAfterAReloadIsFull) {
  start(twoServers(""));
  poll();
  heartbeat();
  configs_[2] = load(manyServers(3));
  worker_->reload(2);
  loop_.runPosted();
  heartbeat();
  EXPECT_TRUE(lastPatchFull_);
  EXPECT_EQ(viewText_.str(), worker_->snapshot());
  EXPECT_EQ(view()["virtual_servers"][0]["real_servers"].size(), 3u);
  poll();
  heartbeat();
  EXPECT_FALSE(lastPatchFull_);
  // The supervisor asks for the whole snapshot (Resync): full again.
  heartbeat(/*full=*/true);
  EXPECT_TRUE(lastPatchFull_);
  EXPECT_EQ(viewText_.str(), worker_->snapshot());
}

// The dataplane's table and counters travel only when they changed: their
// slots are the largest on a big director.
TEST_F(CheckWorkerTest, PatchesCarryTheTableOnlyWhenItChanged) {
  const auto carriesTable = [](const std::vector<std::string>& slots) {
    return std::any_of(slots.begin(), slots.end(),
                       [](const std::string& slot) { return slot.starts_with("\"Prot "); });
  };
  start(twoServers(""));
  poll();
  EXPECT_TRUE(carriesTable(heartbeat()));  // the full patch
  for (int beat = 0; beat < 5; ++beat) {
    poll();
    EXPECT_FALSE(carriesTable(heartbeat())) << "beat " << beat;
  }
  answer("10.0.0.2", Outcome::Refused);
  poll();
  EXPECT_TRUE(carriesTable(heartbeat()));
  EXPECT_EQ(view()["dataplane"]["table"].get<std::string>(), table());
  EXPECT_EQ(view()["dataplane"]["table"], snapshot()["dataplane"]["table"]);
}

TEST_F(CheckWorkerTest, AFailedSyncIsCountedAndRetriedUntilItSucceeds) {
  table_.failReads(Error{EIO, "netlink"});
  start(twoServers(""));
  EXPECT_GE(worker_->syncFailures(), 1u);
  EXPECT_TRUE(table_.state().services.empty());
  table_.clearFailures();
  loop_.advance(seconds(1));  // the retry, with no health change to prompt it
  EXPECT_EQ(table_.state().services.size(), 1u);
  EXPECT_FALSE(snapshot()["dataplane"].contains("last_error"));
}

TEST_F(CheckWorkerTest, SyncingTwiceIssuesNoOps) {
  start(twoServers(""));
  poll();
  const size_t ops = dataplane_->opsAttempted();
  poll();
  poll();
  EXPECT_EQ(dataplane_->opsAttempted(), ops);
}

TEST_F(CheckWorkerTest, AHealthChangeIsOneOpAndReadsNoTable) {
  start(twoServers(""));
  poll();
  const int reads = tableReads_;
  const size_t ops = dataplane_->opsAttempted();
  answer("10.0.0.2", Outcome::Refused);
  poll();
  EXPECT_EQ(dataplane_->opsAttempted(), ops + 1);
  EXPECT_EQ(dataplane_->state().services.begin()->second.destinations.size(), 1u);
  answer("10.0.0.2", Outcome::Up);
  poll();
  EXPECT_EQ(dataplane_->opsAttempted(), ops + 2);
  EXPECT_EQ(dataplane_->state().services.begin()->second.destinations.size(), 2u);
  EXPECT_EQ(tableReads_, reads);
}

// A reload reconciles against what the worker applied: no table read
// (check_worker_reload_test.cpp has the op-by-op cases).
TEST_F(CheckWorkerTest, AReloadReconcilesWithoutReadingTheTable) {
  start(twoServers(""));
  poll();
  const int reads = tableReads_;
  configs_[2] = load(twoServers("", "inhibit_on_failure"));
  worker_->reload(2);
  EXPECT_EQ(tableReads_, reads);
  answer("10.0.0.3", Outcome::Refused);
  poll();
  EXPECT_EQ(dataplane_->state().services.begin()->second.destinations.begin()->second.weight, 2u);
  EXPECT_EQ(dataplane_->state().services.begin()->second.destinations.rbegin()->second.weight, 0u);
}

TEST_F(CheckWorkerTest, OmegaAnnouncesDownOnShutdownAndTheTableIsCleared) {
  start(twoServers("omega\n quorum_down /q-down"));
  poll();
  worker_.reset();
  EXPECT_EQ(scriptsRun(), (std::vector<std::string>{"/rs2-down", "/q-down"}));
  EXPECT_TRUE(table_.state().services.empty());
}

// Steady state and the heartbeat cost no table read: the snapshot shows
// what the worker applied, in the text a read would give.
TEST_F(CheckWorkerTest, SteadyStateAndSnapshotsReadNoTable) {
  start(twoServers(""));
  poll();
  const int reads = tableReads_;
  for (int i = 0; i < 25; ++i) {  // past kRefreshPatches twice
    poll();
    EXPECT_EQ(snapshot()["dataplane"]["table"].get<std::string>(), table());
  }
  answer("10.0.0.2", Outcome::Refused);
  poll();
  EXPECT_EQ(snapshot()["dataplane"]["table"].get<std::string>(), table());
  EXPECT_EQ(tableReads_, reads);
}

// A second virtual server whose AddService the table refuses, as the kernel
// does without the scheduler's module.
std::string withRefusedService() {
  return twoServers("") +
         "virtual_server 10.0.0.200 80 {\n protocol TCP\n lb_algo twos\n"
         " real_server 10.0.0.4 80 { TCP_CHECK { " +
         kTiming + " } }\n real_server 10.0.0.5 80 { TCP_CHECK { " + kTiming + " } }\n}\n";
}

void refuseSecondService(ipvs::MemoryDataplane& table, const config::Config& config) {
  const config::VirtualServer& vs = config.lvs.virtualServers.at(1);
  ServiceState health(vs);
  table.failOp(
      ipvs::AddService{ipvs::serviceKeys(vs, config.lvs).at(0), desiredEntry(vs, health).service},
      Error{ENOENT, "no scheduler twos"});
}

size_t countLines(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

TEST_F(CheckWorkerTest, ARefusedServiceIsLoggedOnceCountedAndRetriedWithBackoff) {
  refuseSecondService(table_, *load(withRefusedService()));
  ::testing::internal::CaptureStderr();
  start(withRefusedService());
  const int readsAtStart = tableReads_;
  for (int i = 0; i < 120; ++i) poll();  // two minutes, health unchanged
  answer("10.0.0.2", Outcome::Refused);  // a change retries at once
  poll();
  const std::string logged = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(countLines(logged, "no scheduler twos"), 1u);
  EXPECT_EQ(countLines(logged, "dataplane:"), 1u);  // the refused dests are not logged
  // Retries 1, 2, 4, 8, 16 and 32 s apart (6 in two minutes), then the change.
  EXPECT_LE(tableReads_ - readsAtStart, 9);
  EXPECT_GE(tableReads_ - readsAtStart, 7);
  const nlohmann::json dp = snapshot()["dataplane"];
  // Each failed sync counts its AddService and the two AddDestinations after it.
  EXPECT_EQ(dp["dataplane_failures"].get<uint64_t>(), 3 * dp["sync_failures"].get<uint64_t>());
  EXPECT_GE(dp["sync_failures"].get<uint64_t>(), 8u);
  EXPECT_EQ(table_.state().services.size(), 1u);  // the good service is programmed
  EXPECT_EQ(table_.state().services.begin()->second.destinations.size(), 1u);
  // Once the table accepts it, the next retry installs it and failures stop.
  table_.clearFailures();
  for (int i = 0; i < 61; ++i) poll();
  EXPECT_EQ(table_.state().services.size(), 2u);
  EXPECT_FALSE(snapshot()["dataplane"].contains("last_error"));
}

TEST_F(CheckWorkerTest, StopDeletesEachInstalledServiceOnceWithoutARead) {
  start(withRefusedService());  // nothing refused: two services, four destinations
  poll();
  ASSERT_EQ(table_.state().services.size(), 2u);
  const int reads = tableReads_;
  appliedOps_.clear();
  worker_.reset();
  EXPECT_EQ(tableReads_, reads);
  ASSERT_EQ(appliedOps_.size(), 2u);
  for (const ipvs::Op& op : appliedOps_) {
    EXPECT_TRUE(std::holds_alternative<ipvs::DeleteService>(op)) << ipvs::toString(op);
  }
  EXPECT_TRUE(table_.state().services.empty());
}

}  // namespace
}  // namespace vigil::check
