// The lexer below parameters and includes: words, braces, comments, quotes,
// escapes and the position of every token.
#include "unit/config/lexer_test_util.h"

namespace vigil::config {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using Kind = Token::Kind;

TEST_F(LexerTest, WordsAndBracesWithPositions) {
  TokenList tokens = lex("vrrp_instance VI_1 {\n  priority 100\n}\n");
  EXPECT_THAT(placed(tokens), ElementsAre("vrrp_instance@1:1", "VI_1@1:15", "{@1:20",
                                          "priority@2:3", "100@2:12", "}@3:1"));
  EXPECT_THAT(lines(tokens), ElementsAre("vrrp_instance VI_1 {", "priority 100", "}"));
  ASSERT_EQ(tokens.size(), 9u);
  EXPECT_EQ(tokens[3].kind, Kind::EndOfLine);
  EXPECT_EQ(tokens[3].pos.line, 1u);
  EXPECT_EQ(*tokens[0].pos.file, "t.conf");
  EXPECT_THAT(messages(), IsEmpty());
}

TEST_F(LexerTest, BracesGluedToWordsAreTokensOfTheirOwn) {
  TokenList tokens = lex("a{b}c {}\n");
  EXPECT_THAT(placed(tokens),
              ElementsAre("a@1:1", "{@1:2", "b@1:3", "}@1:4", "c@1:5", "{@1:7", "}@1:8"));
  EXPECT_EQ(tokens[1].kind, Kind::OpenBrace);
  EXPECT_EQ(tokens[3].kind, Kind::CloseBrace);
}

TEST_F(LexerTest, BlankAndCommentLinesMakeNoTokens) {
  TokenList tokens = lex("\n   \n# comment\n  ! bang comment\n\tword\n");
  EXPECT_THAT(placed(tokens), ElementsAre("word@5:2"));
  EXPECT_THAT(lines(tokens), ElementsAre("word"));
}

TEST_F(LexerTest, CommentsStartAnywhereOutsideQuotes) {
  TokenList tokens = lex("a b # c d\ne!f g\nh#i\n\"j # k\" 'l ! m' # n\n");
  EXPECT_THAT(lines(tokens), ElementsAre("a b", "e", "h", "j # k l ! m"));
}

TEST_F(LexerTest, LastLineWithoutNewlineAndCrLf) {
  EXPECT_THAT(lines(lex("a b\r\nc\r\nd")), ElementsAre("a b", "c", "d"));
}

TEST_F(LexerTest, QuotesJoinWithAdjacentTextAndKeepBlanks) {
  // The man page's examples: quotes are removed, blanks inside them kept.
  TokenList tokens = lex("abcd\" efg h jkl \"mnop\nabcd \"efg h jkl\" mnop\n");
  EXPECT_THAT(placed(tokens),
              ElementsAre("abcd efg h jkl mnop@1:1", "abcd@2:1", "efg h jkl@2:6", "mnop@2:18"));
  EXPECT_TRUE(tokens[0].quoted);
  EXPECT_FALSE(tokens[2].quoted);
  EXPECT_TRUE(tokens[3].quoted);
}

TEST_F(LexerTest, EachQuoteKeepsTheOtherLiteral) {
  TokenList tokens = lex("'say \"hi\"' \"it's\"\n");
  EXPECT_THAT(lines(tokens), ElementsAre("say \"hi\" it's"));
}

TEST_F(LexerTest, BracesAndBlanksInsideQuotesAreText) {
  TokenList tokens = lex("x \"{ a }\" y\n");
  ASSERT_EQ(tokens.size(), 4u);
  EXPECT_EQ(tokens[1].kind, Kind::Word);
  EXPECT_EQ(tokens[1].text, "{ a }");
}

TEST_F(LexerTest, EmptyQuotedStringIsAWord) {
  TokenList tokens = lex("a \"\" ''\n");
  EXPECT_THAT(placed(tokens), ElementsAre("a@1:1", "@1:3", "@1:6"));
  EXPECT_TRUE(tokens[1].quoted);
}

TEST_F(LexerTest, NamedEscapesInQuotes) {
  TokenList tokens = lex(R"("\a\b\E\f\n\r\t\v")");
  ASSERT_FALSE(tokens.empty());
  EXPECT_EQ(tokens[0].text, std::string("\a\b\x1b\f\n\r\t\v"));
}

TEST_F(LexerTest, OctalEscapesTakeUpToThreeDigits) {
  TokenList tokens = lex(R"("\101\60\0x\1234")");
  ASSERT_FALSE(tokens.empty());
  EXPECT_EQ(tokens[0].text, std::string("A0\0x"
                                        "S4",
                                        6));
}

TEST_F(LexerTest, HexEscapesTakeEveryHexDigit) {
  TokenList tokens = lex(R"("\x41\x7e|\x4142|\xg")");
  ASSERT_FALSE(tokens.empty());
  // \x4142 keeps the low byte of 0x4142; \x without a digit is x.
  EXPECT_EQ(tokens[0].text, "A~|B|xg");
}

TEST_F(LexerTest, ControlEscapes) {
  TokenList tokens = lex(R"("\cA\ca\c[\c?")");
  ASSERT_FALSE(tokens.empty());
  EXPECT_EQ(tokens[0].text, "\x01\x01\x1b\x7f");
}

TEST_F(LexerTest, AnyOtherEscapedCharacterIsItself) {
  TokenList tokens = lex(R"("a\"b\\c\'d\qe" 'f\'g')");
  EXPECT_THAT(lines(tokens), ElementsAre(R"(a"b\c'dqe f'g)"));
}

TEST_F(LexerTest, EscapedQuoteDoesNotStartAComment) {
  TokenList tokens = lex(R"("a\" # b" c)");
  EXPECT_THAT(lines(tokens), ElementsAre(R"(a" # b c)"));
}

TEST_F(LexerTest, BackslashOutsideQuotesIsLiteral) {
  EXPECT_THAT(lines(lex(R"(a\tb c\)")), ElementsAre(R"(a\tb c\)"));
}

TEST_F(LexerTest, UnterminatedQuoteIsReportedAtTheQuote) {
  TokenList tokens = lex("ok\nnotify \"/bin/true arg\nnext\n");
  EXPECT_THAT(messages(), ElementsAre("t.conf:2:8: error: unterminated quoted string (no closing "
                                      "\" on this line)"));
  // The line is still tokenized so the rest of the file reads normally.
  EXPECT_THAT(lines(tokens), ElementsAre("ok", "notify /bin/true arg", "next"));
}

TEST_F(LexerTest, Utf8TextIsAccepted) {
  TokenList tokens = lex("name \"caf\xc3\xa9 \xe2\x82\xac\"\n");
  EXPECT_THAT(lines(tokens), ElementsAre("name caf\xc3\xa9 \xe2\x82\xac"));
  EXPECT_THAT(messages(), IsEmpty());
}

TEST_F(LexerTest, ByteOrderMarkIsSkipped) {
  TokenList tokens = lex("\xEF\xBB\xBFglobal_defs {\n}\n");
  EXPECT_THAT(placed(tokens), ElementsAre("global_defs@1:4", "{@1:16", "}@2:1"));
}

TEST_F(LexerTest, EndOfLineFollowsEveryLogicalLine) {
  TokenList tokens = lex("a\n\nb c");
  ASSERT_EQ(tokens.size(), 5u);
  EXPECT_EQ(tokens[1].kind, Kind::EndOfLine);
  EXPECT_EQ(tokens[4].kind, Kind::EndOfLine);
  EXPECT_EQ(tokens[4].pos.line, 3u);
  EXPECT_EQ(tokens[4].pos.col, 4u);
}

}  // namespace
}  // namespace vigil::config
