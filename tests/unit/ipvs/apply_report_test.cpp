#include <gtest/gtest.h>

#include <cerrno>

#include "ipvs/dataplane.h"

namespace vigil::ipvs {
namespace {

TEST(ApplyReportTest, OneFailureKeepsItsCode) {
  ApplyReport report;
  report.attempted = 3;
  report.failures.push_back({Op{}, Error{ENOENT, "add service TCP  10.0.0.1:80 twos"}});
  Status status = report.status();
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ENOENT);
  EXPECT_EQ(report.applied(), 2u);
}

TEST(ApplyReportTest, CountOfTheRestFollowsTheSystemError) {
  ApplyReport report;
  report.attempted = 5;
  report.failures.push_back({Op{}, Error{ENOENT, "add service A"}});
  report.failures.push_back({Op{}, Error{EEXIST, "add service B"}});
  report.failures.push_back({Op{}, Error{EEXIST, "add service C"}});
  const std::string text = report.status().error().describe();
  const Error first{ENOENT, "add service A"};
  EXPECT_EQ(text, first.describe() + " (and 2 more failed ops)");
}

TEST(ApplyReportTest, NoFailureIsOk) {
  ApplyReport report;
  report.attempted = 4;
  EXPECT_TRUE(report.status().ok());
}

}  // namespace
}  // namespace vigil::ipvs
