#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "config/loader.h"

// Loading LVS configuration text the way `vigild -t` does; findings are
// compared exactly as `vigild -t` prints them ("t.conf:LINE:COL: ...").
namespace vigil::config::lvstest {

inline LoadResult load(std::string_view text) {
  return loadConfigText("t.conf", text, LoadOptions{});
}

inline std::vector<std::string> findings(const LoadResult& result, Severity severity) {
  std::vector<std::string> out;
  for (const Diagnostic& d : result.diagnostics.all()) {
    if (d.severity == severity) {
      out.push_back(d.format());
    }
  }
  return out;
}

inline std::vector<std::string> errors(const LoadResult& r) { return findings(r, Severity::Error); }
inline std::vector<std::string> warnings(const LoadResult& r) {
  return findings(r, Severity::Warning);
}

// The model of a configuration expected to load without errors.
inline const LvsModel& lvsOf(const LoadResult& r) {
  static const LvsModel kEmpty;
  EXPECT_NE(r.config, nullptr) << ::testing::PrintToString(errors(r));
  return r.config ? r.config->lvs : kEmpty;
}

// The one virtual server of a configuration expected to load.
inline const VirtualServer& onlyService(const LoadResult& r) {
  static const VirtualServer kEmpty;
  const LvsModel& lvs = lvsOf(r);
  EXPECT_EQ(lvs.virtualServers.size(), 1u);
  return lvs.virtualServers.empty() ? kEmpty : lvs.virtualServers.front();
}

// `virtual_server 10.0.0.1 80 { protocol TCP <body> }` with one real server
// 10.0.0.2 80 whose block is `rsBody`.
inline std::string service(std::string_view vsBody, std::string_view rsBody = "") {
  return "virtual_server 10.0.0.1 80 {\n  protocol TCP\n" + std::string(vsBody) +
         "  real_server 10.0.0.2 80 {\n" + std::string(rsBody) + "  }\n}\n";
}

}  // namespace vigil::config::lvstest
