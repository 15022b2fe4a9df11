#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "check/check_worker.h"
#include "config/loader.h"
#include "core/simulated_loop.h"
#include "fakes/fake_probe.h"
#include "ipvs/memory_dataplane.h"
#include "support/check_worker_generations.h"

// Reload as a diff (doc/reload.md): kept real servers keep their Checker
// (schedule, counters, state), and the dataplane sees only what changed,
// reconciled against what the worker applied, with no table read.
namespace vigil::check {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// The table, and every read and op the worker asked of it, outlive the
// worker so the test can read them.
struct TableLog {
  ipvs::MemoryDataplane table;
  int reads = 0;
  std::vector<ipvs::Op> ops;
};

class CountingDataplane final : public ipvs::Dataplane {
 public:
  explicit CountingDataplane(TableLog& log) : log_(log) {}
  Result<ipvs::IpvsState> read() override {
    ++log_.reads;
    return log_.table.read();
  }
  // The check worker's periodic counter read (StatsPoller) is not a table
  // read for reconciling: not counted.
  Result<ipvs::IpvsStats> readStats() override { return log_.table.readStats(); }
  ipvs::ApplyReport apply(const std::vector<ipvs::Op>& ops) override {
    log_.ops.insert(log_.ops.end(), ops.begin(), ops.end());
    return log_.table.apply(ops);
  }
  std::string_view name() const override { return "counting"; }

 private:
  TableLog& log_;
};

// One virtual service with a TCP_CHECK (every 3 s, no warmup, no retry)
// on each of `servers` (last octets of 10.0.0.x, port 80, weight 1).
std::string serviceWith(const std::vector<int>& servers, const std::string& extra = "") {
  std::string text = "virtual_server 10.0.0.100 80 {\n protocol TCP\n lb_algo rr\n";
  for (int octet : servers) {
    text += " real_server 10.0.0." + std::to_string(octet) +
            " 80 { weight 1\n TCP_CHECK { delay_loop 3\n connect_timeout 1\n retry 0\n"
            " warmup 0\n" +
            (octet == 3 ? extra : "") + " } }\n";
  }
  return text + "}\n";
}

class CheckWorkerReloadTest : public ::testing::Test {
 protected:
  void start(const std::string& text) {
    CheckWorkerIo io;
    io.makeProbe = [this](const config::Checker& checker) {
      auto& control = controls_[checker.target.address.toString()];
      if (!control) {
        control = std::make_shared<fakes::FakeProbeControl>();
        control->loop = &loop_;
        control->autoResult =
            ProbeResult{outcomes_[checker.target.address.toString()], std::nullopt, "fake"};
      }
      return ProbeSpec{std::make_unique<fakes::FakeProbe>(control), seconds(1), {}};
    };
    io.dataplane = std::make_unique<CountingDataplane>(log_);
    io.random = [](Duration) { return Duration{0}; };
    worker_ = generations_.start(loop_, text, std::move(io));
  }

  void reload(uint64_t generation, const std::string& text) {
    generations_.reload(loop_, *worker_, generation, text);
  }

  int starts(const std::string& address) const { return controls_.at(address)->starts; }

  nlohmann::json server(const std::string& address) const {
    const nlohmann::json doc = nlohmann::json::parse(worker_->snapshot());
    for (const auto& rs : doc["virtual_servers"][0]["real_servers"]) {
      if (rs["address"] == address) return rs;
    }
    return nullptr;
  }

  std::set<std::string> destinations() const {
    std::set<std::string> out;
    for (const auto& [key, entry] : log_.table.state().services) {
      for (const auto& [dest, d] : entry.destinations) out.insert(ipvs::toString(dest));
    }
    return out;
  }

  static std::string dest(int octet) { return "10.0.0." + std::to_string(octet) + ":80"; }

  SimulatedLoop loop_;
  TableLog log_;
  std::map<std::string, Outcome> outcomes_;  // per address; default Up
  test::CheckWorkerGenerations generations_;
  std::map<std::string, std::shared_ptr<fakes::FakeProbeControl>> controls_;
  std::unique_ptr<CheckWorker> worker_;
};

TEST_F(CheckWorkerReloadTest, OneServerAddedOneRemovedIsExactlyTwoOpsAndTheRestKeepsRunning) {
  outcomes_["10.0.0.3"] = Outcome::Refused;  // down since its first attempt
  start(serviceWith({2, 3, 4}));
  ASSERT_EQ(destinations(), (std::set<std::string>{dest(2), dest(4)}));
  ASSERT_EQ(starts("10.0.0.2"), 1);
  loop_.advance(seconds(1));  // t = 1 s; the kept checkers are next due at 3 s
  const int reads = log_.reads;
  log_.ops.clear();

  reload(2, serviceWith({2, 3, 5}));

  // Exactly the two changes, without reading the table.
  EXPECT_EQ(log_.reads, reads);
  ASSERT_EQ(log_.ops.size(), 2u);
  EXPECT_TRUE(std::any_of(log_.ops.begin(), log_.ops.end(), [](const ipvs::Op& op) {
    const auto* add = std::get_if<ipvs::AddDestination>(&op);
    return add != nullptr && ipvs::toString(add->key) == "10.0.0.5:80";
  }));
  EXPECT_TRUE(std::any_of(log_.ops.begin(), log_.ops.end(), [](const ipvs::Op& op) {
    const auto* del = std::get_if<ipvs::DeleteDestination>(&op);
    return del != nullptr && ipvs::toString(del->key) == "10.0.0.4:80";
  }));
  EXPECT_EQ(destinations(), (std::set<std::string>{dest(2), dest(5)}));
  EXPECT_EQ(worker_->checkersKept(), 2u);
  EXPECT_EQ(worker_->checkersStarted(), 1u);

  // The kept checkers were not restarted: no attempt at reload, counters and
  // state carried on (10.0.0.3 still down, out of the table).
  EXPECT_EQ(starts("10.0.0.2"), 1);
  EXPECT_EQ(starts("10.0.0.3"), 1);
  EXPECT_EQ(server("10.0.0.2")["checkers"][0]["attempts"], 1);
  EXPECT_FALSE(server("10.0.0.3")["up"].get<bool>());
  EXPECT_EQ(server("10.0.0.3")["checkers"][0]["outcomes"]["refused"], 1);
  // Their next attempt is still due at 3 s; the new one started at 1 s.
  EXPECT_EQ(starts("10.0.0.5"), 1);
  loop_.advance(milliseconds(1999));  // t = 2.999 s
  EXPECT_EQ(starts("10.0.0.2"), 1);
  loop_.advance(milliseconds(1));  // t = 3 s
  EXPECT_EQ(starts("10.0.0.2"), 2);
  EXPECT_EQ(starts("10.0.0.3"), 2);
  EXPECT_EQ(starts("10.0.0.5"), 1);
  loop_.advance(seconds(1));  // t = 4 s
  EXPECT_EQ(starts("10.0.0.5"), 2);
  EXPECT_EQ(log_.reads, reads);
}

// A kept checker's events go to where the new file puts its server, not
// where the old one had it.
TEST_F(CheckWorkerReloadTest, AKeptCheckerThatMovesReportsToItsNewPlace) {
  start(serviceWith({2, 4}));
  ASSERT_EQ(destinations(), (std::set<std::string>{dest(2), dest(4)}));
  loop_.advance(seconds(1));
  // 10.0.0.5 comes first: the checkers of 10.0.0.2 and 10.0.0.4 are kept one
  // place further on.
  reload(2, serviceWith({5, 2, 4}));
  ASSERT_EQ(worker_->checkersKept(), 2u);
  controls_.at("10.0.0.2")->autoResult->outcome = Outcome::Refused;
  loop_.advance(seconds(2));  // t = 3 s: its next attempt fails
  EXPECT_EQ(starts("10.0.0.2"), 2);
  EXPECT_FALSE(server("10.0.0.2")["up"].get<bool>());
  EXPECT_TRUE(server("10.0.0.5")["up"].get<bool>());
  EXPECT_TRUE(server("10.0.0.4")["up"].get<bool>());
  EXPECT_EQ(destinations(), (std::set<std::string>{dest(4), dest(5)}));
}

TEST_F(CheckWorkerReloadTest, TheSameFileAgainIsNoOpAndNoRead) {
  start(serviceWith({2, 3}));
  const int reads = log_.reads;
  const size_t ops = log_.ops.size();
  reload(2, serviceWith({2, 3}));
  EXPECT_EQ(log_.reads, reads);
  EXPECT_EQ(log_.ops.size(), ops);
  EXPECT_EQ(worker_->checkersKept(), 2u);
  EXPECT_EQ(worker_->checkersStarted(), 0u);
}

// The registry holds a running checker's configuration by pointer into the
// worker's load (issue 4), so a reload that keeps every checker must move
// them onto the new load and let the previous one go, as must a checker
// that only a new virtual service still uses.
TEST_F(CheckWorkerReloadTest, KeptCheckersLetThePreviousConfigurationGo) {
  start(serviceWith({2, 3}));
  std::weak_ptr<const config::Config> first = generations_.forget(1);
  ASSERT_FALSE(first.expired());  // the worker's
  reload(2, serviceWith({2, 3}));
  EXPECT_EQ(worker_->checkersKept(), 2u);
  EXPECT_TRUE(first.expired());

  // The same checker under a new virtual service joins the running one,
  // whose old service then goes.
  std::string moved = serviceWith({2});
  moved.replace(moved.find("10.0.0.100"), 10, "10.0.0.101");
  std::weak_ptr<const config::Config> second = generations_.forget(2);
  reload(3, moved);
  EXPECT_EQ(worker_->checkersKept(), 0u);
  EXPECT_TRUE(second.expired());
  EXPECT_EQ(starts("10.0.0.2"), 1);  // joined, not started again
  loop_.advance(seconds(3));
  EXPECT_EQ(starts("10.0.0.2"), 2);  // and it runs on
  const nlohmann::json doc = nlohmann::json::parse(worker_->snapshot());
  EXPECT_EQ(doc["virtual_servers"][0]["real_servers"][0]["checkers"][0]["attempts"], 2);
}

TEST_F(CheckWorkerReloadTest, AChangedCheckerStartsAnewFromTheServersState) {
  outcomes_["10.0.0.3"] = Outcome::Refused;
  start(serviceWith({2, 3}));
  loop_.advance(seconds(1));
  const size_t ops = log_.ops.size();
  reload(2, serviceWith({2, 3}, "connect_port 8080\n"));
  EXPECT_EQ(worker_->checkersKept(), 1u);
  EXPECT_EQ(worker_->checkersStarted(), 1u);
  // Its server stays down (no op, no notify) until the new checker succeeds.
  EXPECT_EQ(log_.ops.size(), ops);
  EXPECT_FALSE(server("10.0.0.3")["up"].get<bool>());
  // A new Checker: its first attempt ran at the reload (t = 1 s), where the
  // old one's next was due at 3 s.
  EXPECT_EQ(starts("10.0.0.3"), 2);
  EXPECT_EQ(starts("10.0.0.2"), 1);
  EXPECT_EQ(server("10.0.0.3")["checkers"][0]["attempts"], 1);
  EXPECT_EQ(destinations(), (std::set<std::string>{dest(2)}));
}

// A reload while the table has never been read (every read failed so far)
// cannot trust what it applied: it stays a full sync.
TEST_F(CheckWorkerReloadTest, BeforeTheFirstSuccessfulReadAReloadStillReads) {
  log_.table.failReads(Error{EIO, "netlink"});
  start(serviceWith({2}));
  EXPECT_TRUE(log_.table.state().services.empty());
  log_.table.clearFailures();
  const int reads = log_.reads;
  reload(2, serviceWith({2, 3}));
  EXPECT_EQ(log_.reads, reads + 1);
  EXPECT_EQ(destinations(), (std::set<std::string>{dest(2), dest(3)}));
}

}  // namespace
}  // namespace vigil::check
