#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "check/check_worker.h"
#include "config/loader.h"
#include "core/simulated_loop.h"
#include "ipvs/memory_dataplane.h"

// What a reload costs the dataplane beyond its ops (issue 5): the counters
// (StatsPoller) are read again at once only when the set of services or
// destinations changed, and a configuration the worker cannot have changes
// nothing at all.
namespace vigil::check {
namespace {

using std::chrono::milliseconds;

class CountingDataplane final : public ipvs::Dataplane {
 public:
  Result<ipvs::IpvsState> read() override {
    ++reads;
    return table.read();
  }
  Result<ipvs::IpvsStats> readStats() override {
    ++statsReads;
    return table.readStats();
  }
  ipvs::ApplyReport apply(const std::vector<ipvs::Op>& ops) override {
    opsApplied += ops.size();
    return table.apply(ops);
  }
  std::string_view name() const override { return "counting"; }

  ipvs::MemoryDataplane table;
  int reads = 0;
  int statsReads = 0;
  size_t opsApplied = 0;
};

// One virtual server, no checkers (every real server is up), real servers
// 10.0.0.1.. with `firstWeight` on the first and 1 on the others.
std::string configText(int servers, int firstWeight) {
  std::string text = "virtual_server 10.0.0.100 80 {\n protocol TCP\n lb_algo rr\n";
  for (int i = 1; i <= servers; ++i) {
    text += " real_server 10.0.0." + std::to_string(i) + " 80 { weight " +
            std::to_string(i == 1 ? firstWeight : 1) + " }\n";
  }
  return text + "}\n";
}

class CheckWorkerReloadCountersTest : public ::testing::Test {
 protected:
  CheckWorkerReloadCountersTest() {
    configs_[1] = load(configText(2, 1));
    auto dataplane = std::make_unique<CountingDataplane>();
    dp_ = dataplane.get();
    CheckWorkerIo io;
    io.dataplane = std::move(dataplane);
    worker_ = std::make_unique<CheckWorker>(
        loop_, configs_[1], 1, [this](uint64_t g) { return configs_[g]; }, std::move(io));
    loop_.advance(milliseconds(0));
    loop_.runPosted();
  }

  void reload(uint64_t generation, std::shared_ptr<const config::Config> config) {
    configs_[generation] = std::move(config);
    worker_->reload(generation);
    loop_.runPosted();
  }

  static std::shared_ptr<const config::Config> load(const std::string& text) {
    auto r = config::loadConfigText("t.conf", text, config::LoadOptions{});
    EXPECT_NE(r.config, nullptr);
    return r.config;
  }

  nlohmann::json snapshot() const { return nlohmann::json::parse(worker_->snapshot()); }

  SimulatedLoop loop_;
  std::map<uint64_t, std::shared_ptr<const config::Config>> configs_;
  CountingDataplane* dp_ = nullptr;  // owned by the worker
  std::unique_ptr<CheckWorker> worker_;
};

TEST_F(CheckWorkerReloadCountersTest, AWeightEditIsOneOpAndNoCounterRead) {
  const int statsReads = dp_->statsReads;
  const size_t ops = dp_->opsApplied;
  reload(2, load(configText(2, 5)));
  EXPECT_EQ(dp_->opsApplied, ops + 1);
  EXPECT_EQ(dp_->statsReads, statsReads);
  EXPECT_EQ(dp_->reads, 1);  // the start's full sync only
  // The counters' entry shows the new weight all the same (from the table applied).
  const nlohmann::json doc = snapshot();
  EXPECT_EQ(doc["generation"], 2);
  const auto& dests = doc["dataplane"]["stats"]["services"][0]["destinations"];
  ASSERT_EQ(dests.size(), 2u);
  EXPECT_EQ(dests[0]["name"], "10.0.0.1:80");
  EXPECT_EQ(dests[0]["weight"], 5);
}

TEST_F(CheckWorkerReloadCountersTest, ANewDestinationIsReadAtOnce) {
  const int statsReads = dp_->statsReads;
  reload(2, load(configText(3, 1)));
  EXPECT_EQ(dp_->statsReads, statsReads + 1);
  EXPECT_EQ(snapshot()["dataplane"]["stats"]["services"][0]["destinations"].size(), 3u);
}

TEST_F(CheckWorkerReloadCountersTest, NoConfigurationForTheGenerationChangesNothing) {
  const std::string before = worker_->snapshot();
  const size_t ops = dp_->opsApplied;
  const int statsReads = dp_->statsReads;
  reload(2, nullptr);
  EXPECT_EQ(dp_->opsApplied, ops);
  EXPECT_EQ(dp_->statsReads, statsReads);
  EXPECT_EQ(dp_->reads, 1);
  EXPECT_EQ(snapshot()["generation"], 1);
  EXPECT_EQ(worker_->snapshot(), before);
}

}  // namespace
}  // namespace vigil::check
