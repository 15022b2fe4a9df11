// Conditional lines, $parameters and the pre-defined ${_NAME}s.
#include <filesystem>

#include "unit/config/lexer_test_util.h"

namespace vigil::config {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::MatchesRegex;

LexerOptions withId(const std::string& id) {
  LexerOptions options;
  options.configId = id;
  return options;
}

TEST_F(LexerTest, ConditionalLineKeptWhenIdMatches) {
  TokenList tokens =
      lex("@main router_id main_router\n@backup router_id backup_router\n", withId("main"));
  EXPECT_THAT(placed(tokens), ElementsAre("router_id@1:7", "main_router@1:17"));
}

TEST_F(LexerTest, NegativeConditionalKeptWhenIdDiffers) {
  TokenList tokens = lex("@^main 1.2.3.4\n@^backup 1.2.3.5\n@^backup2 1.2.3.6\n", withId("main"));
  EXPECT_THAT(placed(tokens), ElementsAre("1.2.3.5@2:10", "1.2.3.6@3:11"));
}

TEST_F(LexerTest, ConditionalWithoutConfigIdDropsPositiveLines) {
  EXPECT_THAT(lines(lex("@main a\n@^main b\n")), ElementsAre("b"));
}

TEST_F(LexerTest, ConditionalIdIsTheWholeWordAfterTheAt) {
  EXPECT_THAT(lines(lex("@mai a\n@main2 b\n@main c\n", withId("main"))), ElementsAre("c"));
}

TEST_F(LexerTest, SimpleParameter) {
  TokenList tokens = lex("$PRIORITY=240\npriority $PRIORITY\n");
  EXPECT_THAT(placed(tokens), ElementsAre("priority@2:1", "240@2:10"));
  EXPECT_THAT(messages(), IsEmpty());
}

TEST_F(LexerTest, DefinitionMayBeIndentedAndValueIsTrimmed) {
  EXPECT_THAT(lines(lex("  $A=  spaced value  \nx${A}y\n")), ElementsAre("xspaced valuey"));
}

TEST_F(LexerTest, BareReferenceNeedsABlankOrTheEndAfterIt) {
  TokenList tokens = lex("$A=v\n$A.x p_$A q_$A\n");
  EXPECT_THAT(lines(tokens), ElementsAre("$A.x p_v q_v"));
}

TEST_F(LexerTest, BracedReferenceNeedsNothingAfterIt) {
  TokenList tokens = lex("$NUM=7\neth0.${NUM}.x ${NUM}${NUM}\n");
  EXPECT_THAT(placed(tokens), ElementsAre("eth0.7.x@2:1", "77@2:15"));
}

TEST_F(LexerTest, EmptyValue) { EXPECT_THAT(lines(lex("$E=\na${E}b\n")), ElementsAre("ab")); }

TEST_F(LexerTest, SpaceBeforeEqualsIsNotADefinition) {
  EXPECT_THAT(lines(lex("$A =1\n")), ElementsAre("$A =1"));
}

TEST_F(LexerTest, UndefinedParametersStayAsWritten) {
  TokenList tokens = lex("script \"/bin/x $HOME ${UNDEF} $1\"\n");
  EXPECT_THAT(lines(tokens), ElementsAre("script /bin/x $HOME ${UNDEF} $1"));
  EXPECT_THAT(messages(), IsEmpty());
}

TEST_F(LexerTest, SubstitutionHappensAtUseTimeAndRecursively) {
  // The man page's example.
  TokenList tokens =
      lex("$ADDRESS_BASE=10.2.${ADDRESS_BASE_SUB}\n"
          "$ADDRESS_BASE_SUB=0\n"
          "${ADDRESS_BASE}.100/32\n"
          "$ADDRESS_BASE_SUB=10\n"
          "${ADDRESS_BASE}.100/32\n");
  EXPECT_THAT(placed(tokens), ElementsAre("10.2.0.100/32@3:1", "10.2.10.100/32@5:1"));
}

TEST_F(LexerTest, SubstitutedTokensPointAtTheReference) {
  TokenList tokens = lex("$WORDS=one two {\n  key $WORDS tail\n");
  EXPECT_THAT(placed(tokens), ElementsAre("key@2:3", "one@2:7", "two@2:7", "{@2:7", "tail@2:14"));
}

TEST_F(LexerTest, ParametersInsideQuotes) {
  TokenList tokens = lex("$P=/usr/bin\nmisc_path \"${P}/check arg\"\n");
  ASSERT_EQ(tokens.size(), 3u);
  EXPECT_EQ(tokens[1].text, "/usr/bin/check arg");
  EXPECT_TRUE(tokens[1].quoted);
}

TEST_F(LexerTest, ValueMayHoldAConditional) {
  const char* text = "$IF_MAIN=@main\n$IF_MAIN priority 240\n";
  EXPECT_THAT(lines(lex(text, withId("main"))), ElementsAre("priority 240"));
  EXPECT_THAT(lines(lex(text, withId("backup"))), IsEmpty());
}

TEST_F(LexerTest, ConditionalDefinition) {
  const char* text = "@main $PRIORITY=240\n@backup $PRIORITY=200\npriority $PRIORITY\n";
  EXPECT_THAT(lines(lex(text, withId("backup"))), ElementsAre("priority 200"));
}

TEST_F(LexerTest, MultiLineDefinitionMakesOneLinePerPart) {
  TokenList tokens =
      lex("$INSTANCE= \\\n"
          "vrrp_instance VI_${NUM} { \\\n"
          "    interface eth0.${NUM} \\\n"
          "    @high priority 130 \\\n"
          "    @low priority 120 \\\n"
          "}\n"
          "$NUM=0\n"
          "$INSTANCE\n"
          "$NUM=1\n"
          "  $INSTANCE\n",
          withId("low"));
  EXPECT_THAT(lines(tokens),
              ElementsAre("vrrp_instance VI_0 {", "interface eth0.0", "priority 120", "}",
                          "vrrp_instance VI_1 {", "interface eth0.1", "priority 120", "}"));
  EXPECT_EQ(tokens[0].pos.line, 8u);
  EXPECT_EQ(tokens[0].pos.col, 1u);
  EXPECT_EQ(tokens.back().pos.line, 10u);
  EXPECT_EQ(tokens[tokens.size() - 2].pos.col, 3u);  // the last `}`, from the `$` at col 3
}

TEST_F(LexerTest, MultiLineDefinitionSkipsBlankAndCommentLines) {
  TokenList tokens = lex("$M= \\\n  a \\\n\n  # note\n  b\nc\n$M\n");
  EXPECT_THAT(lines(tokens), ElementsAre("c", "a", "b"));
}

TEST_F(LexerTest, NestedMultiLineDefinitionsAndReferences) {
  // Definitions inside a value run when the value is used, in order.
  TokenList tokens =
      lex("$RS= \\\n"
          "real_server 192.168.${VS_NUM}.${RS_NUM} 80 { \\\n"
          "    weight 1 \\\n"
          "}\n"
          "$VS= \\\n"
          "virtual_server 10.0.${VS_NUM}.4 80 { \\\n"
          "    $RS_NUM=1 \\\n"
          "    $RS \\\n"
          "    $RS_NUM=2 \\\n"
          "    $RS \\\n"
          "}\n"
          "$VS_NUM=5\n"
          "$VS\n");
  EXPECT_THAT(lines(tokens),
              ElementsAre("virtual_server 10.0.5.4 80 {", "real_server 192.168.5.1 80 {",
                          "weight 1", "}", "real_server 192.168.5.2 80 {", "weight 1", "}", "}"));
  for (const Token& t : tokens) {
    EXPECT_EQ(t.pos.line, 13u);
  }
}

TEST_F(LexerTest, ReferenceToAMultiLineValueInsideALine) {
  EXPECT_THAT(lines(lex("$M= \\\n a \\\n b\nx $M y\n")), ElementsAre("x a", "b y"));
}

TEST_F(LexerTest, RedefinitionReplacesTheValue) {
  EXPECT_THAT(lines(lex("$A=1\n$A=2\n$A\n")), ElementsAre("2"));
}

TEST_F(LexerTest, PredefinedHashAndBangAreNotComments) {
  TokenList tokens = lex("a${_HASH}b ${_BANG}c $_HASH\n");
  EXPECT_THAT(lines(tokens), ElementsAre("a#b !c #"));
}

TEST_F(LexerTest, PredefinedPwdIsTheFileDirectory) {
  std::string cwd = std::filesystem::current_path().string();
  EXPECT_THAT(lines(lex("${_PWD}/x\n")), ElementsAre(cwd + "/x"));
}

TEST_F(LexerTest, PredefinedInstanceIsTheConfigId) {
  EXPECT_THAT(lines(lex("id ${_INSTANCE}\n", withId("lb1"))), ElementsAre("id lb1"));
}

TEST_F(LexerTest, UserDefinitionOfAReservedNameWins) {
  EXPECT_THAT(lines(lex("$_HASH=zz\n${_HASH}\n")), ElementsAre("zz"));
}

TEST_F(LexerTest, RandomDefaultsToZeroTo32767) {
  TokenList tokens = lex("${_RANDOM} $_RANDOM\n");
  ASSERT_EQ(tokens.size(), 3u);
  for (int i = 0; i < 2; ++i) {
    int v = std::stoi(tokens[i].text);
    EXPECT_GE(v, 0);
    EXPECT_LE(v, 32767);
  }
}

TEST_F(LexerTest, RandomWithBoundsStaysInRange) {
  std::string text;
  for (int i = 0; i < 200; ++i) {
    text += "${_RANDOM 10 12} ${_RANDOM 32760}\n";
  }
  TokenList tokens = lex(text);
  ASSERT_EQ(tokens.size(), 600u);
  for (size_t i = 0; i < tokens.size(); i += 3) {
    EXPECT_THAT(tokens[i].text, MatchesRegex("1[012]"));
    EXPECT_GE(std::stoi(tokens[i + 1].text), 32760);
    EXPECT_LE(std::stoi(tokens[i + 1].text), 32767);
  }
}

TEST_F(LexerTest, RandomIsRepeatableForOneSeed) {
  LexerOptions a;
  a.randomSeed = 42;
  LexerOptions b = a;
  b.randomSeed = 43;
  std::string text = "${_RANDOM 0 1000000} ${_RANDOM 0 1000000}\n";
  EXPECT_EQ(lines(lex(text, a)), lines(lex(text, a)));
  EXPECT_NE(lines(lex(text, a)), lines(lex(text, b)));
}

TEST_F(LexerTest, RandomWithBadBoundsIsAnError) {
  TokenList tokens = lex("x \"${_RANDOM 9 2}\"\n");
  EXPECT_THAT(messages(), ElementsAre("t.conf:1:4: error: ${_RANDOM MIN MAX} needs non-negative "
                                      "integers with MIN <= MAX"));
  EXPECT_THAT(lines(tokens), ElementsAre("x ${_RANDOM 9 2}"));
}

TEST_F(LexerTest, ParametersDoNotLeakBetweenRuns) {
  (void)lex("$A=1\n");
  EXPECT_THAT(lines(lex("$A\n")), ElementsAre("$A"));
}

}  // namespace
}  // namespace vigil::config
