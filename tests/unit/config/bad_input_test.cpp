// Broken and hostile input: every case ends in a clear diagnostic naming the
// place, within bounded time and memory, never a crash or a hang.
#include "config/loader.h"
#include "unit/config/lexer_test_util.h"

namespace vigil::config {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

TEST_F(LexerTest, TruncatedFileEndingInsideAQuote) {
  TokenList tokens = lex("vrrp_script chk {\n  script \"/usr/bin/check --host");
  EXPECT_THAT(messages(), ElementsAre("t.conf:2:10: error: unterminated quoted string (no closing "
                                      "\" on this line)"));
  EXPECT_THAT(lines(tokens), ElementsAre("vrrp_script chk {", "script /usr/bin/check --host"));
}

TEST_F(LexerTest, TruncatedFileIsReportedByTheWholeLoader) {
  LoadResult result = loadConfigText("t.conf", "global_defs {\n  router_id \"lb", {});
  EXPECT_EQ(result.config, nullptr);
  std::vector<std::string> texts;
  for (const Diagnostic& d : result.diagnostics.all()) {
    texts.push_back(d.format());
  }
  EXPECT_THAT(texts, ::testing::Contains("t.conf:2:13: error: unterminated quoted string (no "
                                         "closing \" on this line)"));
  EXPECT_THAT(texts, ::testing::Contains(HasSubstr("t.conf:1:13: error:")));  // the open `{`
}

TEST_F(LexerTest, NulByteIsAnErrorAtItsColumn) {
  TokenList tokens = lex(std::string("ok\nab\0cd\nnext\n", 14));
  EXPECT_THAT(messages(),
              ElementsAre("t.conf:2:3: error: NUL byte (not a text file?); line ignored"));
  EXPECT_THAT(lines(tokens), ElementsAre("ok", "next"));
}

TEST_F(LexerTest, InvalidUtf8IsAnError) {
  (void)lex("name caf\xe9\nx \xc3\x28\n\xed\xa0\x80\n");  // Latin-1, bad continuation, surrogate
  EXPECT_THAT(
      messages(),
      ElementsAre("t.conf:1:9: error: invalid UTF-8 byte 0xe9 (not a text file?); line ignored",
                  "t.conf:2:3: error: invalid UTF-8 byte 0xc3 (not a text file?); line ignored",
                  "t.conf:3:1: error: invalid UTF-8 byte 0xed (not a text file?); line ignored"));
}

TEST_F(LexerTest, ControlCharacterIsAnError) {
  (void)lex("a\x07 b\nc \x1b[0m\nd\x7f\n");
  EXPECT_THAT(
      messages(),
      ElementsAre("t.conf:1:2: error: control character 0x07 (not a text file?); line ignored",
                  "t.conf:2:3: error: control character 0x1b (not a text file?); line ignored",
                  "t.conf:3:2: error: control character 0x7f (not a text file?); line ignored"));
}

TEST_F(LexerTest, InvalidBytesInCommentsAreHarmless) {
  TokenList tokens = lex("a # caf\xe9 \x01\n");
  EXPECT_THAT(lines(tokens), ElementsAre("a"));
  EXPECT_THAT(messages(), IsEmpty());
}

TEST_F(LexerTest, BinaryGarbageGivesACappedNumberOfErrors) {
  std::string garbage;
  uint32_t state = 12345;
  for (int i = 0; i < 200000; ++i) {
    state = state * 1103515245 + 12345;
    garbage.push_back(static_cast<char>(state >> 24));
  }
  (void)lex(garbage);
  std::vector<std::string> all = messages();
  ASSERT_THAT(all, SizeIs(11));
  EXPECT_THAT(all[0], HasSubstr("t.conf:1:"));
  EXPECT_THAT(all[0], HasSubstr("(not a text file?); line ignored"));
  EXPECT_THAT(all[10], ::testing::MatchesRegex(
                           "t\\.conf:[0-9]+:1: error: too many lines with invalid bytes; "
                           "ignoring the rest of t\\.conf"));
}

TEST_F(LexerTest, IncludeLoopNamesTheIncludingLineAndTheCycle) {
  std::string dir = dataDir() + "/loop";
  TokenList tokens = lexFile(dir + "/a.conf");
  EXPECT_THAT(messages(), ElementsAre(dir + "/b.conf:2:9: error: include loop: " + dir +
                                      "/a.conf -> " + dir + "/b.conf -> " + dir + "/a.conf"));
  EXPECT_THAT(lines(tokens), ElementsAre("first", "second", "third"));
}

TEST_F(LexerTest, FileIncludingItselfIsALoop) {
  std::string file = dataDir() + "/loop/self.conf";
  (void)lexFile(file);
  EXPECT_THAT(messages(), ElementsAre(file + ":1:9: error: include loop: " + file + " -> " + file));
}

TEST_F(LexerTest, IncludeDepthIsLimited) {
  LexerOptions options;
  options.maxIncludeDepth = 3;
  std::string dir = dataDir() + "/depth";
  TokenList tokens = lexFile(dir + "/d1.conf", options);
  EXPECT_THAT(lines(tokens), ElementsAre("d1", "d2", "d3"));
  EXPECT_THAT(messages(), ElementsAre(dir + "/d3.conf:2:9: error: includes nested more than 3 "
                                            "deep; 'd4.conf' not read"));
}

TEST_F(LexerTest, MissingIncludeNamesTheLine) {
  std::string file = dataDir() + "/include/missing_top.conf";
  (void)lexFile(file);
  EXPECT_THAT(messages(),
              ElementsAre(file + ":2:9: warning: include: no file matches 'nothere.conf'"));
}

TEST_F(LexerTest, TenMegabyteLineIsReportedAndTheRestRead) {
  std::string text = "before\n" + std::string(10 * 1024 * 1024, 'x') + "\nafter line\n";
  TokenList tokens = lex(text);
  EXPECT_THAT(messages(), ElementsAre("t.conf:2:1: error: line longer than 1048576 bytes "
                                      "(10485760 bytes); line ignored"));
  EXPECT_THAT(lines(tokens), ElementsAre("before", "after line"));
}

TEST_F(LexerTest, LongLineLimitIsAnOption) {
  LexerOptions options;
  options.maxLineBytes = 8;
  TokenList tokens = lex("12345678\n123456789\n", options);
  EXPECT_THAT(lines(tokens), ElementsAre("12345678"));
  EXPECT_THAT(messages(),
              ElementsAre("t.conf:2:1: error: line longer than 8 bytes (9 bytes); line ignored"));
}

TEST_F(LexerTest, SeqBombStopsAtTheTokenBudget) {
  LexerOptions options;
  options.maxTokens = 100000;
  TokenList tokens = lex("~SEQ(A,0,1000000000) ~SEQ(B,0,1000000000) x y\nnever\n", options);
  EXPECT_LE(tokens.size(), 100000u);
  EXPECT_THAT(messages(), ElementsAre("t.conf:1:43: error: the configuration expands to more than "
                                      "100000 tokens and lines (a runaway ~SEQ, ~LST or "
                                      "parameter?); reading stopped"));
}

TEST_F(LexerTest, SeqThatMakesNoTokensIsStillBounded) {
  LexerOptions options;
  options.maxTokens = 1000;
  (void)lex("~SEQ(A,1,9223372036854775807) $X=$A\n", options);
  EXPECT_THAT(messages(), ElementsAre(HasSubstr("expands to more than 1000 tokens and lines")));
}

TEST_F(LexerTest, LongLinesCountAgainstTheBudgetToo) {
  // Each repetition makes no token, but reading its 500 kB is work.
  LexerOptions options;
  options.maxTokens = 100000;
  (void)lex("~SEQ(A,1,1000000000) @" + std::string(500000, 'x') + " y\n", options);
  EXPECT_THAT(messages(), ElementsAre(HasSubstr("expands to more than 100000 tokens and lines")));
}

TEST_F(LexerTest, LineOfUnclosedReferencesIsReadInLinearTime) {
  std::string line;
  for (int i = 0; i < 300000; ++i) {
    line += "${";
  }
  TokenList tokens = lex("$A=1\n\"" + line + "}\"\n");
  ASSERT_EQ(tokens.size(), 2u);
  EXPECT_EQ(tokens[0].text, line + "}");
}

TEST_F(LexerTest, SelfReferencingParameterIsBounded) {
  TokenList tokens = lex("$A=${A}x\nkey ${A}\n");
  EXPECT_THAT(messages(), ElementsAre("t.conf:2:5: error: parameter substitution nested more "
                                      "than 32 levels deep at $A (does it refer to itself?)"));
  EXPECT_THAT(tokens, IsEmpty());
}

TEST_F(LexerTest, MutuallyReferencingParametersAreBounded) {
  (void)lex("$A=$B \n$B=$A \n$A\n");
  EXPECT_THAT(messages(), ElementsAre(HasSubstr("t.conf:3:1: error: parameter substitution nested "
                                                "more than 32 levels deep")));
}

TEST_F(LexerTest, DoublingParameterHitsTheLineLimit) {
  TokenList tokens = lex("$A=${A}${A}\n${A}\n");
  EXPECT_THAT(messages(), ElementsAre("t.conf:2:1: error: line longer than 1048576 bytes after "
                                      "substituting $A; line ignored"));
  EXPECT_THAT(tokens, IsEmpty());
}

TEST_F(LexerTest, SelfReferencingMultiLineParameterIsReportedOnce) {
  // Each use of $A makes two lines that each use $A again.
  TokenList tokens = lex("$A= \\\n $A \\\n $A\n$A\nafter\n");
  EXPECT_THAT(messages(), ElementsAre("t.conf:4:1: error: parameter substitution nested more "
                                      "than 32 levels deep at $A (does it refer to itself?)"));
  EXPECT_THAT(lines(tokens), ElementsAre("after"));
}

TEST_F(LexerTest, MultiLineFanOutIsBoundedByTheBudget) {
  // $P0 makes two $P1 lines, each of which makes two $P2 lines, ...: 2^25
  // lines without any nesting beyond 25 levels.
  std::string text;
  for (int i = 0; i < 25; ++i) {
    std::string next = "$P" + std::to_string(i + 1);
    text += "$P" + std::to_string(i) + "= \\\n" + next + " \\\n" + next + "\n";
  }
  text += "$P25=leaf\n$P0\n";
  LexerOptions options;
  options.maxTokens = 50000;
  TokenList tokens = lex(text, options);
  EXPECT_LE(tokens.size(), 50000u);
  EXPECT_THAT(messages(), ElementsAre(HasSubstr("t.conf:77:1: error: the configuration expands to "
                                                "more than 50000 tokens and lines")));
}

TEST_F(LexerTest, UnreadableTopLevelFileIsAnErrorNotADiagnostic) {
  Lexer lexer(sources_, diagnostics_, {});
  Result<TokenList> tokens = lexer.readFile(dataDir() + "/missing.conf");
  ASSERT_FALSE(tokens.ok());
  EXPECT_EQ(tokens.error().code, ENOENT);
  EXPECT_THAT(messages(), IsEmpty());
}

TEST_F(LexerTest, UnreadableTopLevelFileMakesTheLoaderSayUnreadable) {
  LoadResult result = loadConfig(dataDir() + "/missing.conf", {});
  EXPECT_TRUE(result.unreadable);
  EXPECT_EQ(result.config, nullptr);
}

TEST_F(LexerTest, IncludeOfADeviceIsRefused) {
  TokenList tokens = lex("include /dev/zero\nafter\n");
  EXPECT_THAT(messages(), ElementsAre("t.conf:1:9: warning: include: cannot read /dev/zero: not a "
                                      "regular file"));
  EXPECT_THAT(lines(tokens), ElementsAre("after"));
}

TEST_F(LexerTest, BraceBombInAnIncludeIsRefused) {
  std::string pattern;
  for (int i = 0; i < 20; ++i) {
    pattern += "{a,b}";
  }
  (void)lex("include " + pattern + "\n");
  EXPECT_THAT(messages(),
              ElementsAre("t.conf:1:9: error: include: '" + pattern +
                          "' has more than 4096 brace alternatives or 64 brace groups"));
}

}  // namespace
}  // namespace vigil::config
