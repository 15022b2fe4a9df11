#pragma once

#include <array>
#include <string>
#include <string_view>

#include "config/model_global.h"

namespace vigil::monitor {

// One real server's series rendered straight from its object's text in a
// check snapshot, without building a JSON tree: what collectRealServer
// followed by appendSeries writes for it, one text per metric:
// vigil_real_server_up, _weight, _check_attempts_total,
// _check_failures_total, vigil_check_duration_seconds (table order). At 50,000 real servers whose
// counters all move every second, parsing each object into nlohmann::json and collecting it into a
// MetricSet was most of a /metrics render (~2 s of the supervisor's CPU per scrape).
struct RealServerText {
  std::string name;  // the real_server label value
  double up = 0;     // summarizeRealServer's `up`
  std::array<std::string, 5> series;
};

// False when the object is not in the plain shape CheckWorker writes, so
// the caller renders it the JSON way instead, which is exact for anything:
// a string with an escape or a byte outside ASCII, a key it reads given
// twice, two checkers of one type (their series merge), an outcome counted
// twice, metrics_check_duration per_service (the summary carries
// histograms), malformed JSON. `vs` is the virtual server's name as
// parsed. `out` is overwritten (its strings keep their capacity: a caller
// rendering many servers reuses one).
bool renderRealServerText(std::string_view vs, std::string_view object,
                          config::CheckDurationMetrics mode, RealServerText& out);

}  // namespace vigil::monitor
