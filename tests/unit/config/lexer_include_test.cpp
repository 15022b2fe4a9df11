// include and its variants, include_check, and reading files.
#include "unit/config/lexer_test_util.h"

namespace vigil::config {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST_F(LexerTest, IncludeIsRelativeToTheIncludingFile) {
  std::string dir = dataDir() + "/include";
  TokenList tokens = lexFile(dir + "/top.conf");
  // ${_PWD} follows the file being read and comes back after the include.
  EXPECT_THAT(lines(tokens),
              ElementsAre("before", "a_line " + dir + "/parts", "leaf {", "}", "after " + dir));
  EXPECT_THAT(messages(), IsEmpty());
  // Tokens of an included file point into that file.
  ASSERT_EQ(tokens.size(), 13u);
  EXPECT_EQ(tokens[2].pos.format(), dir + "/parts/a.conf:1:1");
  EXPECT_EQ(tokens[5].pos.format(), dir + "/parts/../leaf.conf:1:1");
  EXPECT_EQ(tokens[10].pos.format(), dir + "/top.conf:3:1");
}

TEST_F(LexerTest, IncludeGlobIsSorted) {
  TokenList tokens = lexFile(dataDir() + "/include/glob_top.conf");
  EXPECT_THAT(lines(tokens), ElementsAre("ten", "twenty"));
  EXPECT_THAT(messages(), IsEmpty());
}

TEST_F(LexerTest, IncludeBraceExpansionKeepsTheAlternativesOrder) {
  TokenList tokens = lexFile(dataDir() + "/include/brace_top.conf");
  EXPECT_THAT(lines(tokens), ElementsAre("twenty", "ten"));
}

TEST_F(LexerTest, IncludeFileNameMayBeQuoted) {
  EXPECT_THAT(lines(lexFile(dataDir() + "/include/quoted_top.conf")), ElementsAre("ten"));
}

TEST_F(LexerTest, DefinitionsFromAnIncludedFileStayDefined) {
  EXPECT_THAT(lines(lexFile(dataDir() + "/include/defs_top.conf")),
              ElementsAre("value from_included"));
}

TEST_F(LexerTest, MissingPlainIncludeIsAWarning) {
  std::string file = dataDir() + "/include/missing_top.conf";
  TokenList tokens = lexFile(file);
  EXPECT_THAT(lines(tokens), ElementsAre("x", "y"));
  EXPECT_THAT(messages(),
              ElementsAre(file + ":2:9: warning: include: no file matches 'nothere.conf'"));
  EXPECT_FALSE(diagnostics_.hasErrors());
}

TEST_F(LexerTest, CheckedIncludeVariantsAreErrors) {
  std::string file = dataDir() + "/include/checked_top.conf";
  TokenList tokens = lexFile(file);
  EXPECT_THAT(lines(tokens), ElementsAre("ten"));
  EXPECT_THAT(messages(),
              ElementsAre(file + ":1:10: error: include: no file matches 'nothere.conf'",
                          // includer only wants what matches to be readable
                          file + ":2:10: warning: include: no file matches 'nothere/*.conf'",
                          file + ":3:10: error: include: no file matches 'nothere/*.conf'",
                          file + ":4:10: error: include: brace alternative 'glob/99-none.conf' of "
                                 "'glob/{10-ten,99-none}.conf' matches no file"));
}

TEST_F(LexerTest, IncludeCheckSetsTheLevelForPlainIncludes) {
  std::string file = dataDir() + "/include/check_top.conf";
  TokenList tokens = lexFile(file);
  // include_check is consumed by the lexer: global_defs is left empty.
  EXPECT_THAT(lines(tokens), ElementsAre("global_defs {", "}"));
  EXPECT_THAT(messages(),
              ElementsAre(file + ":4:9: error: include: no file matches 'nothere.conf'",
                          file + ":6:9: warning: include: no file matches 'nothere2.conf'",
                          file + ":7:1: error: include_check: unknown option 'bogus' (expected "
                                 "readable, match, wildcard_match or brace_match)"));
}

TEST_F(LexerTest, IncludeOfADirectoryIsReported) {
  std::string file = dataDir() + "/include/dir_top.conf";
  (void)lexFile(file);
  EXPECT_THAT(messages(), ElementsAre(file + ":1:9: warning: include: cannot read " + dataDir() +
                                      "/include/parts: Is a directory"));
}

TEST_F(LexerTest, IncludeNeedsOneFileName) {
  (void)lex("include\ninclude a b\n");
  EXPECT_THAT(messages(),
              ElementsAre("t.conf:1:1: error: include takes exactly one file name (glob pattern)",
                          "t.conf:2:1: error: include takes exactly one file name (glob pattern)"));
}

TEST_F(LexerTest, IncludeAfterAConditionalIsNotAnInclude) {
  // keepalived finds include lines before conditionals and parameters, so
  // the word reaches the keyword parser, which reports it.
  EXPECT_THAT(lines(lex("@^x include a.conf\n")), ElementsAre("include a.conf"));
}

TEST_F(LexerTest, RelativeIncludeFromTextIsRelativeToItsName) {
  Lexer lexer(sources_, diagnostics_, {});
  TokenList tokens = lexer.readText(dataDir() + "/include/mem.conf", "include glob/10-ten.conf\n");
  EXPECT_THAT(lines(tokens), ElementsAre("ten"));
}

TEST_F(LexerTest, ReadFileOfAMissingFileFails) {
  Lexer lexer(sources_, diagnostics_, {});
  Result<TokenList> tokens = lexer.readFile(dataDir() + "/no/such.conf");
  ASSERT_FALSE(tokens.ok());
  EXPECT_EQ(tokens.error().describe(),
            "cannot open " + dataDir() + "/no/such.conf: No such file or directory");
}

TEST_F(LexerTest, ReadFileOfADirectoryFails) {
  Lexer lexer(sources_, diagnostics_, {});
  Result<TokenList> tokens = lexer.readFile(dataDir());
  ASSERT_FALSE(tokens.ok());
  EXPECT_EQ(tokens.error().describe(), "cannot read " + dataDir() + ": Is a directory");
}

}  // namespace
}  // namespace vigil::config
