#include "monitor/status_json.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "monitor/http_response.h"

// /status writes each worker's snapshot text as it came, around members
// nlohmann writes (in its order), instead of parsing the snapshot and
// dumping the whole document.
namespace vigil::monitor {
namespace {

using std::chrono::seconds;

// The document /status sends: its pieces one after another.
std::string renderStatusJson(const MonitorView& view) {
  HttpResponse response;
  response.sharedBody = renderStatusPieces(view);
  return response.wholeBody();
}

MonitorView viewWith(std::string snapshot) {
  MonitorView view;
  view.generation = 3;
  view.configPath = "/etc/vigil \"main\".conf";
  view.now = TimePoint{seconds(100)};
  view.lastReload = ReloadOutcome{1795286938.5, false, 2, "v.conf:1:1: error: x"};
  WorkerStatus w;
  w.name = "check";
  w.running = true;
  w.pid = 42;
  w.restarts = 1;
  w.lastExitStatus = 9;
  w.startedAt = TimePoint{seconds(10)};
  w.lastHeard = TimePoint{seconds(99)};
  w.lastSnapshotAt = TimePoint{seconds(98)};
  w.lastSnapshot = std::move(snapshot);
  view.workers = {w};
  WorkerStatus down;
  down.name = "vrrp";
  view.workers.push_back(down);
  return view;
}

// A snapshot already in nlohmann's form (names sorted, no spaces) gives
// exactly the text the whole document dumped by nlohmann would: what
// /status showed before, byte for byte.
TEST(StatusJsonTest, AroundTheSnapshotTheTextIsNlohmannsDump) {
  const std::string out = renderStatusJson(viewWith(R"({"a":1.5,"b":[true,null],"c":"x"})"));
  EXPECT_EQ(out, nlohmann::json::parse(out).dump() + "\n");
  const nlohmann::json doc = nlohmann::json::parse(out);
  EXPECT_EQ(doc["workers"][0]["snapshot"]["a"], 1.5);
  EXPECT_EQ(doc["workers"][0]["last_exit_status"], 9);
  EXPECT_TRUE(doc["workers"][1]["snapshot"].is_null());
  EXPECT_EQ(doc["config"], "/etc/vigil \"main\".conf");
}

TEST(StatusJsonTest, TheSnapshotKeepsTheWorkersOrder) {
  const std::string snapshot = R"({"worker":"check","virtual_servers":[],"generation":1})";
  const std::string out = renderStatusJson(viewWith(snapshot));
  EXPECT_NE(out.find("\"snapshot\":" + snapshot + ",\"snapshot_seconds_ago\":2.0,"),
            std::string::npos)
      << out;
}

TEST(StatusJsonTest, ASnapshotThatDoesNotParseIsNull) {
  for (const char* text : {R"({"worker":"check","a":)", "{} {}", "{\"a\":\"\xff\"}"}) {
    const nlohmann::json doc = nlohmann::json::parse(renderStatusJson(viewWith(text)));
    EXPECT_TRUE(doc["workers"][0]["snapshot"].is_null()) << text;
    EXPECT_EQ(doc["workers"][0]["name"], "check");
  }
}

// Checking a snapshot reads all of it (21 MB at 50,000 real servers): a
// text is checked once however many /status ask, and each document is the
// one a fresh check gives.
TEST(StatusJsonTest, EachSnapshotTextIsCheckedOnce) {
  SnapshotChecks checks;
  MonitorView view = viewWith(R"({"worker":"check","a":1})");
  const auto document = [&] {
    HttpResponse response;
    response.sharedBody = renderStatusPieces(view, checks);
    return response.wholeBody();
  };
  EXPECT_EQ(document(), renderStatusJson(view));
  EXPECT_EQ(document(), renderStatusJson(view));
  EXPECT_EQ(checks.checks(), 1u);
  view.workers[0].lastSnapshot = R"({"worker":"check","a":)";  // a new text, not JSON
  EXPECT_EQ(document(), renderStatusJson(view));
  EXPECT_TRUE(nlohmann::json::parse(document())["workers"][0]["snapshot"].is_null());
  EXPECT_EQ(checks.checks(), 2u);
  view.workers[0].lastSnapshot = R"({"worker":"check","a":2})";
  EXPECT_EQ(nlohmann::json::parse(document())["workers"][0]["snapshot"]["a"], 2);
  EXPECT_EQ(checks.checks(), 3u);
}

}  // namespace
}  // namespace vigil::monitor
