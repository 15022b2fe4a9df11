#include "check/http_regex.h"

#include <gtest/gtest.h>

namespace vigil::check {
namespace {

config::HttpRegex regexOf(std::string pattern) {
  config::HttpRegex regex;
  regex.pattern = std::move(pattern);
  return regex;
}

std::shared_ptr<const HttpRegexMatcher> compiled(const config::HttpRegex& regex) {
  auto result = HttpRegexMatcher::compile(regex);
  EXPECT_TRUE(result.ok()) << (result.ok() ? "" : result.error().describe());
  return result.ok() ? result.value() : nullptr;
}

TEST(HttpRegex, RegexPassesOnlyWhenThePatternOccurs) {
  auto matcher = compiled(regexOf("status: (ok|fine)"));
  ASSERT_TRUE(matcher);
  EXPECT_TRUE(matcher->passes("<p>status: ok</p>"));
  EXPECT_FALSE(matcher->passes("<p>status: broken</p>"));
}

TEST(HttpRegex, RegexNoMatchFailsWhenThePatternOccurs) {
  auto regex = regexOf("maintenance");
  regex.noMatch = true;
  auto matcher = compiled(regex);
  ASSERT_TRUE(matcher);
  EXPECT_TRUE(matcher->passes("all good"));
  EXPECT_FALSE(matcher->passes("down for maintenance"));
}

TEST(HttpRegex, OptionsMapToPcre2) {
  auto plain = compiled(regexOf("HELLO"));
  auto regex = regexOf("HELLO");
  regex.options = 1U << static_cast<unsigned>(config::RegexOption::Caseless);
  auto caseless = compiled(regex);
  ASSERT_TRUE(plain && caseless);
  EXPECT_FALSE(plain->passes("hello"));
  EXPECT_TRUE(caseless->passes("hello"));
}

TEST(HttpRegex, MinOffsetSkipsTheStartOfTheBody) {
  auto regex = regexOf("needle");
  regex.minOffset = 10;
  auto matcher = compiled(regex);
  ASSERT_TRUE(matcher);
  EXPECT_FALSE(matcher->passes("needle...."));
  EXPECT_TRUE(matcher->passes("..........needle"));
  EXPECT_FALSE(matcher->passes("short"));
}

TEST(HttpRegex, MaxOffsetBoundsWhereAMatchMayStart) {
  auto regex = regexOf("needle");
  regex.maxOffset = 4;
  auto matcher = compiled(regex);
  ASSERT_TRUE(matcher);
  EXPECT_TRUE(matcher->passes("...needle"));
  EXPECT_FALSE(matcher->passes("..........needle"));
}

TEST(HttpRegex, JitStackSettingsStillMatch) {
  auto regex = regexOf("(a|b)+c");
  regex.stackStart = 32 * 1024;
  regex.stackMax = 256 * 1024;
  auto matcher = compiled(regex);
  ASSERT_TRUE(matcher);
  EXPECT_TRUE(matcher->passes("ababababc"));
}

TEST(HttpRegex, BadPatternSaysWhere) {
  auto result = HttpRegexMatcher::compile(regexOf("ok(("));
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().message.find("offset"), std::string::npos);
}

}  // namespace
}  // namespace vigil::check
