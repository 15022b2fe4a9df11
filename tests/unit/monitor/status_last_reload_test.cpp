#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "config/loader.h"
#include "monitor/http_response.h"
#include "monitor/status_json.h"

// /status `last_reload` (doc/reload.md#errors) and the loader's error text
// it carries.
namespace vigil::monitor {
namespace {

// The document /status sends: its pieces one after another.
std::string renderStatusJson(const MonitorView& view) {
  HttpResponse response;
  response.sharedBody = renderStatusPieces(view);
  return response.wholeBody();
}

nlohmann::json status(const MonitorView& view) {
  return nlohmann::json::parse(renderStatusJson(view));
}

TEST(StatusLastReloadTest, NullBeforeTheFirstReload) {
  MonitorView view;
  EXPECT_TRUE(status(view)["last_reload"].is_null());
}

TEST(StatusLastReloadTest, ARefusedReloadCarriesItsErrors) {
  MonitorView view;
  view.lastReload = ReloadOutcome{1795286938.5, false, 7, "v.conf:3:3: error: x"};
  const nlohmann::json last = status(view)["last_reload"];
  EXPECT_FALSE(last["ok"].get<bool>());
  EXPECT_EQ(last["generation"], 7);
  EXPECT_DOUBLE_EQ(last["time"].get<double>(), 1795286938.5);
  EXPECT_EQ(last["error"], "v.conf:3:3: error: x");
}

TEST(StatusLastReloadTest, AnAcceptedReloadHasNoError) {
  MonitorView view;
  view.lastReload = ReloadOutcome{1.0, true, 8, ""};
  const nlohmann::json last = status(view)["last_reload"];
  EXPECT_TRUE(last["ok"].get<bool>());
  EXPECT_FALSE(last.contains("error"));
}

TEST(LoaderErrorSummaryTest, ErrorsAsFileLineColumnLinesWarningsLeftOut) {
  auto result = config::loadConfigText("v.conf",
                                       "virtual_server 10.0.0.1 80 {\n  protocol TCP\n  lb_algo\n"
                                       "  delay_loop\n}\n",
                                       config::LoadOptions{});
  ASSERT_EQ(result.config, nullptr);
  const std::string summary = config::errorSummary(result);
  EXPECT_EQ(summary.find("v.conf:3:3: error: "), 0u) << summary;
  EXPECT_NE(summary.find("\nv.conf:4:3: error: "), std::string::npos) << summary;
  EXPECT_EQ(summary.find("warning"), std::string::npos) << summary;
  EXPECT_EQ(config::errorSummary(result, 1).find("(1 more errors)"), summary.find('\n') + 1)
      << config::errorSummary(result, 1);
}

}  // namespace
}  // namespace vigil::monitor
