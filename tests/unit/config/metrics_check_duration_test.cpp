// global_defs metrics_check_duration (doc/monitoring.md): which series
// vigil_check_duration_seconds gets.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/config_json.h"
#include "unit/config/vrrp_test_support.h"

namespace vigil::config {
namespace {

using ::testing::ElementsAre;
using testing::errors;
using ::testing::IsEmpty;
using testing::load;

std::optional<CheckDurationMetrics> modeOf(const std::string& text) {
  LoadResult r = load(text);
  if (!r.config) return std::nullopt;
  return r.config->global.metricsCheckDuration;
}

TEST(MetricsCheckDurationTest, PerServerByDefault) {
  EXPECT_EQ(modeOf(""), CheckDurationMetrics::PerServer);
  EXPECT_EQ(modeOf("global_defs {\n  router_id lb1\n}\n"), CheckDurationMetrics::PerServer);
}

TEST(MetricsCheckDurationTest, EachValue) {
  EXPECT_EQ(modeOf("global_defs {\n  metrics_check_duration per_server\n}\n"),
            CheckDurationMetrics::PerServer);
  EXPECT_EQ(modeOf("global_defs {\n  metrics_check_duration per_service\n}\n"),
            CheckDurationMetrics::PerService);
  EXPECT_EQ(modeOf("global_defs {\n  metrics_check_duration off\n}\n"), CheckDurationMetrics::Off);
}

TEST(MetricsCheckDurationTest, TheLastOneCountsAndTheDumpNamesIt) {
  LoadResult r = load(
      "global_defs {\n  metrics_check_duration off\n  metrics_check_duration per_service\n}\n");
  ASSERT_TRUE(r.config);
  EXPECT_THAT(errors(r), IsEmpty());
  EXPECT_EQ(toJson(r.config->global)["metrics_check_duration"], "per_service");
}

TEST(MetricsCheckDurationTest, ABadValueOrCountIsAnErrorAtItsPlace) {
  LoadResult r = load(
      "global_defs {\n"
      "  metrics_check_duration per_rs\n"
      "  metrics_check_duration\n"
      "  metrics_check_duration off per_service\n"
      "}\n");
  EXPECT_FALSE(r.config);
  const std::vector<std::string> e = errors(r);
  ASSERT_EQ(e.size(), 3u) << ::testing::PrintToString(e);
  EXPECT_EQ(e[0],
            "t.conf:2:26: error: unknown metrics_check_duration 'per_rs' (expected one of "
            "per_server|per_service|off)");
  EXPECT_THAT(e[1], ::testing::StartsWith("t.conf:3:3: error: "));
  EXPECT_THAT(e[2], ::testing::StartsWith("t.conf:4:"));
}

}  // namespace
}  // namespace vigil::config
