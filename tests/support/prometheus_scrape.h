#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "support/netns.h"
#include "support/run_command.h"
#include "support/test_paths.h"

// A vigild /metrics scrape as the Prometheus client library parsed it
// (tests/integration/monitor/scrape.py, python3-prometheus-client), fetched
// from inside a namespace: what the integration tests read values from, so a
// body that does not parse fails the test instead of being read leniently.
namespace vigil::test {

// scrape.py MODE http://127.0.0.1:PORT/ENDPOINT run in `ns`: its JSON, or
// {"error": output} when it printed none.
inline nlohmann::json scrapeHelper(const NetNs& ns, uint16_t port, const std::string& mode,
                                   const std::string& endpoint) {
  const CommandResult r = ns.exec("/usr/bin/python3 " + std::string(VIGIL_SOURCE_DIR) +
                                  "/tests/integration/monitor/scrape.py " + mode +
                                  " http://127.0.0.1:" + std::to_string(port) + endpoint);
  nlohmann::json doc = nlohmann::json::parse(r.output, nullptr, false);
  return doc.is_discarded() ? nlohmann::json{{"error", r.output}} : doc;
}

class PrometheusScrape {
 public:
  explicit PrometheusScrape(nlohmann::json doc) : doc_(std::move(doc)) {}
  // GET /metrics on `port` in `ns`, parsed.
  static PrometheusScrape of(const NetNs& ns, uint16_t port) {
    return PrometheusScrape(scrapeHelper(ns, port, "metrics", "/metrics"));
  }

  bool ok() const { return doc_.contains("samples"); }
  std::string describe() const { return doc_.dump(); }

  // The value of the sample with exactly these labels; nullopt if absent.
  std::optional<double> value(const std::string& name,
                              const std::map<std::string, std::string>& labels = {}) const {
    if (!ok()) return std::nullopt;
    for (const nlohmann::json& s : doc_["samples"]) {
      if (s["name"] != name) continue;
      if (s["labels"].get<std::map<std::string, std::string>>() == labels) {
        return s["value"].get<double>();
      }
    }
    return std::nullopt;
  }

 private:
  nlohmann::json doc_;
};

}  // namespace vigil::test
