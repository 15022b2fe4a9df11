#include "core/json_writer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

namespace vigil {
namespace {

TEST(JsonWriterTest, NestedContainersAndScalars) {
  JsonWriter out;
  out.object().field("name", "vs").field("up", true).field("weight", uint64_t{7});
  out.field("delta", int64_t{-3});
  out.key("servers").array();
  out.object().field("port", 80).end();
  out.object().end();
  out.end();
  out.key("empty").array().end();
  out.end();
  EXPECT_EQ(
      out.text(),
      R"({"name":"vs","up":true,"weight":7,"delta":-3,"servers":[{"port":80},{}],"empty":[]})");
}

// Members rendered once by another writer go in with the commas a member
// written here would get; empty ones add nothing.
TEST(JsonWriterTest, RawMembersJoinTheOpenObject) {
  JsonWriter head;
  head.object().field("name", "VI_1").field("vrid", 51).end();
  const std::string members = head.text().substr(1, head.text().size() - 2);

  JsonWriter out;
  out.object().rawMembers(members).field("count", 2).end();
  EXPECT_EQ(out.text(), R"({"name":"VI_1","vrid":51,"count":2})");
  JsonWriter after;
  after.object().field("count", 2).rawMembers(members).rawMembers("").end();
  EXPECT_EQ(after.text(), R"({"count":2,"name":"VI_1","vrid":51})");
}

TEST(JsonWriterTest, StringsAreEscapedAndAlwaysParse) {
  const std::string nasty = std::string("a\"b\\c\n\x01 caf\xc3\xa9 bad\xff\xc3 end");
  JsonWriter out;
  out.object().field("detail", nasty).end();
  nlohmann::json parsed = nlohmann::json::parse(out.text());
  EXPECT_EQ(parsed["detail"].get<std::string>(),
            "a\"b\\c\n\x01 caf\xc3\xa9 bad\xef\xbf\xbd\xef\xbf\xbd end");
}

TEST(JsonWriterTest, IntegersAtTheirLimits) {
  JsonWriter out;
  out.array()
      .value(uint64_t{0})
      .value(std::numeric_limits<uint64_t>::max())
      .value(std::numeric_limits<int64_t>::min())
      .value(-1)
      .end();
  EXPECT_EQ(out.text(), "[0,18446744073709551615,-9223372036854775808,-1]");
}

TEST(JsonWriterTest, PlainRunsAroundEscapesKeepTheirBytes) {
  JsonWriter out;
  out.object().field("plain text", "a\"b").field("\"", "tail\x7f\n").end();
  EXPECT_EQ(out.text(), "{\"plain text\":\"a\\\"b\",\"\\\"\":\"tail\x7f\\u000a\"}");
}

// The scan reads 8 bytes at a time: a byte that needs escaping is found at
// every position of a word and of the tail, in keys and values alike.
TEST(JsonWriterTest, EveryPositionOfAnEscapeIsFound) {
  const std::pair<std::string, std::string> cases[] = {
      {"\"", "\\\""},      {"\\", "\\\\"},           {"\x01", "\\u0001"}, {"\x1f", "\\u001f"},
      {"\xff", "\\ufffd"}, {"\xc3\xa9", "\xc3\xa9"}, {"\x7f", "\x7f"},    {" ", " "}};
  for (const auto& [raw, escaped] : cases) {
    for (size_t before = 0; before < 18; ++before) {
      const std::string text = std::string(before, 'a') + raw + std::string(17 - before, 'b');
      const std::string expected =
          "\"" + std::string(before, 'a') + escaped + std::string(17 - before, 'b') + "\"";
      JsonWriter value;
      value.value(text);
      EXPECT_EQ(value.text(), expected) << before;
      JsonWriter key;
      key.object().field(text, 1).end();
      EXPECT_EQ(key.text(), "{" + expected + ":1}") << before;
    }
  }
}

TEST(JsonWriterTest, DoublesReadBackExactlyAndNonFiniteBecomesNull) {
  JsonWriter out;
  out.array().value(0.001).value(10.0).value(2.5e-7).value(std::nan("")).end();
  EXPECT_EQ(out.text(), "[0.001,10,2.5e-07,null]");
}

}  // namespace
}  // namespace vigil
