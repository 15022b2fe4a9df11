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
// A "name"_key is written as key() writes the same name from a string,
// first in an object and after other members, nested, and longer than the
// stack buffer it is assembled in.
TEST(JsonWriterTest, LiteralKeysWriteWhatStringKeysDo) {
  using namespace json_literals;
  constexpr JsonKey kLong =
      "a_key_longer_than_sixty_one_characters_goes_through_the_other_branch_xyz"_key;
  static_assert(kLong.text().size() > 61);
  JsonWriter literal;
  literal.object().field("adverts_sent"_key, uint64_t{5}).field(""_key, true);
  literal.key("nested"_key).object().field("x"_key, "y").end();
  literal.field(kLong, 1).field("a b-c.d/e:f"_key, -2).end();
  JsonWriter text;
  text.object()
      .field(std::string_view("adverts_sent"), uint64_t{5})
      .field(std::string_view(""), true);
  text.key(std::string_view("nested")).object().field(std::string_view("x"), "y").end();
  text.field(kLong.text(), 1).field(std::string_view("a b-c.d/e:f"), -2).end();
  EXPECT_EQ(literal.text(), text.text());
  EXPECT_EQ(nlohmann::json::parse(literal.text())["nested"]["x"], "y");
}

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
