#include "check/file_probe.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <optional>

#include "core/simulated_loop.h"

namespace vigil::check {
namespace {

FileRule rule(int64_t multiplier, bool dynamic = true, uint32_t configured = 10) {
  FileRule r;
  r.multiplier = multiplier;
  r.dynamic = dynamic;
  r.configuredWeight = configured;
  return r;
}

TEST(FileProbeInterpretTest, WeightZeroReadsTheFileAsAStatus) {
  EXPECT_EQ(FileProbe::interpret("0\n", rule(0)).outcome, Outcome::Up);
  EXPECT_FALSE(FileProbe::interpret("0\n", rule(0)).weight.has_value());
  EXPECT_EQ(FileProbe::interpret("1\n", rule(0)).outcome, Outcome::FileFault);
  EXPECT_EQ(FileProbe::interpret("-4", rule(0)).outcome, Outcome::FileFault);
}

TEST(FileProbeInterpretTest, DynamicAddsValueTimesWeightToTheConfiguredWeight) {
  ProbeResult up = FileProbe::interpret("  5\n", rule(2));
  EXPECT_EQ(up.outcome, Outcome::Up);
  EXPECT_EQ(up.weight, 20U);
  EXPECT_EQ(FileProbe::interpret("-3", rule(2)).weight, 4U);
  FileRule reversed = rule(2);
  reversed.reverse = true;
  EXPECT_EQ(FileProbe::interpret("3", reversed).weight, 4U);
}

TEST(FileProbeInterpretTest, ANegativeWeightIsAFault) {
  EXPECT_EQ(FileProbe::interpret("-6", rule(2)).outcome, Outcome::FileFault);
  EXPECT_EQ(FileProbe::interpret("-5", rule(2)).weight, 0U);
  EXPECT_EQ(FileProbe::interpret("-6", rule(2, false)).outcome, Outcome::FileFault);
}

TEST(FileProbeInterpretTest, WithoutDynamicTheWeightIsLeftAlone) {
  ProbeResult up = FileProbe::interpret("5", rule(2, false));
  EXPECT_EQ(up.outcome, Outcome::Up);
  EXPECT_FALSE(up.weight.has_value());
}

TEST(FileProbeInterpretTest, HugeValuesAreClampedNotOverflowed) {
  EXPECT_EQ(FileProbe::interpret("99999999999999", rule(2147483647)).weight, 2147483647U);
  EXPECT_EQ(FileProbe::interpret("-99999999999999", rule(2147483647)).outcome, Outcome::FileFault);
}

TEST(FileProbeInterpretTest, TextWithoutANumberIsAFault) {
  EXPECT_EQ(FileProbe::interpret("", rule(1)).outcome, Outcome::FileFault);
  EXPECT_EQ(FileProbe::interpret("up", rule(1)).outcome, Outcome::FileFault);
}

TEST(FileProbeTest, ReadsTheFileEachAttemptAndReportsFromTheLoop) {
  SimulatedLoop loop;
  std::string path = ::testing::TempDir() + "/vigil-file-probe-" + std::to_string(::getpid());
  std::ofstream(path) << "1\n";
  FileRule r = rule(0);
  r.path = path;
  FileProbe probe(loop, r);
  std::optional<ProbeResult> got;
  probe.start([&](ProbeResult result) { got = result; });
  EXPECT_FALSE(got.has_value());  // never from inside start()
  loop.advance(Duration::zero());
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->outcome, Outcome::FileFault);

  std::ofstream(path) << "0\n";
  got.reset();
  probe.start([&](ProbeResult result) { got = result; });
  loop.advance(Duration::zero());
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->outcome, Outcome::Up);

  std::filesystem::remove(path);
  got.reset();
  probe.start([&](ProbeResult result) { got = result; });
  probe.abort(AbortReason::Stopped);
  loop.advance(Duration::zero());
  EXPECT_FALSE(got.has_value());
  probe.start([&](ProbeResult result) { got = result; });
  loop.advance(Duration::zero());
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->outcome, Outcome::FileFault);  // the file is gone
}

}  // namespace
}  // namespace vigil::check
