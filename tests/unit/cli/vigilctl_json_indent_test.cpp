// vigilctl's sources build into its executable only: the part under test is
// compiled in here.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cli/vigilctl/json_indent.cpp"

namespace vigil::cli {
namespace {

// Keys in nlohmann's (sorted) order and numbers as it prints them: the
// layout is then dump(2)'s, byte for byte.
TEST(JsonIndentTest, LaysOutAsDumpTwoDoes) {
  for (const char* text : {
           R"({"a": 1, "b": [1, 2.5, {"c": null, "d": "x \"y\" \\ z"}], "e": {}, "f": []})",
           R"([])",
           R"("text")",
           R"(  -12  )",
           R"({"nested": {"deeper": {"deepest": [true, false, [], {}, [[1]]]}}})",
           "{\"s\":\"caf\xc3\xa9\",\"t\":\"{[,:]}\"}",
       }) {
    SCOPED_TRACE(text);
    const std::optional<std::string> indented = indentJson(text);
    ASSERT_TRUE(indented.has_value());
    EXPECT_EQ(*indented, nlohmann::json::parse(text).dump(2));
  }
}

TEST(JsonIndentTest, KeepsTheKeysInTheOrderSent) {
  EXPECT_EQ(indentJson(R"({"z": 1, "a": {"y": 2, "b": 3}})"),
            "{\n  \"z\": 1,\n  \"a\": {\n    \"y\": 2,\n    \"b\": 3\n  }\n}");
}

TEST(JsonIndentTest, RefusesWhatIsNotJson) {
  for (const char* text : {"", "{", R"({"a": })", R"({"a": 1,})", "[1] [2]", R"("open)"}) {
    EXPECT_FALSE(indentJson(text).has_value()) << text;
  }
}

}  // namespace
}  // namespace vigil::cli
