#include "cli/vigild/http_module.h"

#include <gtest/gtest.h>

#include "check/probe_factory.h"
#include "core/simulated_loop.h"
#include "fakes/fake_probe.h"

namespace vigil::cli {
namespace {

config::Checker httpChecker() {
  config::Checker c;
  c.base.type = config::CheckerType::Http;
  c.target.address = *IpAddress::parse("10.0.0.2");
  c.target.port = 80;
  c.probe = std::make_shared<const config::CheckerProbe>(config::HttpCheck{});
  return c;
}

// Stands in for the module: counts the probes it was asked for.
class CountingMaker final : public check::HttpProbeMaker {
 public:
  explicit CountingMaker(int& made) : made_(made) {}
  std::unique_ptr<check::Probe> makeHttpProbe(const config::Checker&,
                                              std::shared_ptr<const config::SslContext>) override {
    ++made_;
    return std::make_unique<fakes::FakeProbe>(std::make_shared<fakes::FakeProbeControl>());
  }

 private:
  int& made_;
};

// Starts `probe` once and returns what its attempt reported.
std::optional<check::ProbeResult> attempt(SimulatedLoop& loop, check::Probe& probe) {
  std::optional<check::ProbeResult> result;
  probe.start([&](check::ProbeResult r) { result = std::move(r); });
  loop.runPosted();
  return result;
}

// What vigild's loader returns for a module from another build
// (ModuleLoaderTest): the checker fails, nothing else.
TEST(HttpModuleTest, AModuleFromAnotherBuildFailsItsProbesAsInternal) {
  Status other = checkModuleBuild(kHttpModule, "/b/vigil-http.so", "0123456789abcdef-stale");
  ASSERT_FALSE(other);
  SimulatedLoop loop;
  LazyHttpModule module(
      loop, [&]() -> Result<std::unique_ptr<check::HttpProbeMaker>> { return other.error(); });
  auto probe = module.makeHttpProbe(httpChecker(), nullptr);
  auto result = attempt(loop, *probe);
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->outcome, check::Outcome::Internal);
  EXPECT_NE(result->detail.find("from build 0123456789abcdef-stale"), std::string::npos)
      << result->detail;
}

TEST(HttpModuleTest, LoadsOnceAtTheFirstHttpProbe) {
  SimulatedLoop loop;
  int loads = 0;
  int made = 0;
  LazyHttpModule module(loop, [&]() -> Result<std::unique_ptr<check::HttpProbeMaker>> {
    ++loads;
    return std::unique_ptr<check::HttpProbeMaker>(std::make_unique<CountingMaker>(made));
  });
  EXPECT_EQ(loads, 0);
  ASSERT_NE(module.makeHttpProbe(httpChecker(), nullptr), nullptr);
  ASSERT_NE(module.makeHttpProbe(httpChecker(), nullptr), nullptr);
  EXPECT_EQ(loads, 1);
  EXPECT_EQ(made, 2);
}

TEST(HttpModuleTest, AModuleThatDoesNotLoadFailsEachAttemptAsInternalSayingWhy) {
  SimulatedLoop loop;
  int loads = 0;
  LazyHttpModule module(loop, [&]() -> Result<std::unique_ptr<check::HttpProbeMaker>> {
    ++loads;
    return Error{ENOENT, "vigil-http.so is neither at /a nor at /b"};
  });
  check::ProbeDeps deps;
  deps.http = &module;
  auto first = check::makeProbe(loop, httpChecker(), deps);
  auto second = check::makeProbe(loop, httpChecker(), deps);
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(loads, 1);

  for (int i = 0; i < 2; ++i) {
    auto result = attempt(loop, **first);
    ASSERT_TRUE(result.has_value());
    EXPECT_EQ(result->outcome, check::Outcome::Internal);
    EXPECT_NE(result->detail.find("vigil-http.so is neither at /a nor at /b"), std::string::npos)
        << result->detail;
  }
}

TEST(HttpModuleTest, AnAbortedAttemptOfAnUnavailableProbeReportsNothing) {
  SimulatedLoop loop;
  LazyHttpModule module(loop, []() -> Result<std::unique_ptr<check::HttpProbeMaker>> {
    return Error{ENOENT, "missing"};
  });
  auto probe = module.makeHttpProbe(httpChecker(), nullptr);
  bool reported = false;
  probe->start([&](check::ProbeResult) { reported = true; });
  probe->abort(check::AbortReason::Stopped);
  loop.runPosted();
  EXPECT_FALSE(reported);
}

TEST(HttpModuleTest, ProbeFactoryRefusesHttpWithoutAMaker) {
  SimulatedLoop loop;
  EXPECT_FALSE(check::makeProbe(loop, httpChecker(), {}).ok());
}

}  // namespace
}  // namespace vigil::cli
