// ~SEQ, ~SEQx and ~LST line expansion.
#include "unit/config/lexer_test_util.h"

namespace vigil::config {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST_F(LexerTest, SeqRepeatsTheRestOfTheLine) {
  TokenList tokens = lex("~SEQ(SUBNET, 0, 3) ip_address 10.0.${SUBNET}.1\n");
  EXPECT_THAT(lines(tokens), ElementsAre("ip_address 10.0.0.1", "ip_address 10.0.1.1",
                                         "ip_address 10.0.2.1", "ip_address 10.0.3.1"));
  // Every copy points at the text it came from on line 1.
  EXPECT_THAT(placed(tokens)[0], "ip_address@1:20");
  EXPECT_THAT(placed(tokens)[7], "10.0.3.1@1:31");
  EXPECT_THAT(messages(), IsEmpty());
}

TEST_F(LexerTest, SeqWithStep) {
  EXPECT_THAT(lines(lex("~SEQ(I,168,2,172) 192.${I}\n")),
              ElementsAre("192.168", "192.170", "192.172"));
}

TEST_F(LexerTest, SeqWithNegativeStep) {
  EXPECT_THAT(lines(lex("~SEQ(L,3,-1,1) w_$L\n")), ElementsAre("w_3", "w_2", "w_1"));
}

TEST_F(LexerTest, SeqDefaultStepFollowsTheDirection) {
  EXPECT_THAT(lines(lex("~SEQ(J,5,2) u_$J\n")), ElementsAre("u_5", "u_4", "u_3", "u_2"));
}

TEST_F(LexerTest, SeqDefaultStartIsOneOrMinusOne) {
  EXPECT_THAT(lines(lex("~SEQ(I,3) s_$I\n")), ElementsAre("s_1", "s_2", "s_3"));
  EXPECT_THAT(lines(lex("~SEQ(I,-2) t_$I\n")), ElementsAre("t_-1", "t_-2"));
}

TEST_F(LexerTest, SeqOfOneValue) {
  EXPECT_THAT(lines(lex("~SEQ(I,4,4) v$I\n")), ElementsAre("v4"));
}

TEST_F(LexerTest, SeqxFormatsInHexadecimal) {
  EXPECT_THAT(lines(lex("~SEQx(SUBNET, 144, 16, 192) fe80::20:${SUBNET}:1\n")),
              ElementsAre("fe80::20:90:1", "fe80::20:a0:1", "fe80::20:b0:1", "fe80::20:c0:1"));
  EXPECT_THAT(lines(lex("~SEQx(S, 0x90, 0x10, 0xc0) ${S}\n")), ElementsAre("90", "a0", "b0", "c0"));
}

TEST_F(LexerTest, SeveralSeqsOnOneLineNest) {
  TokenList tokens =
      lex("~SEQx(AD2, 0x90, 0x10, 0xa0) ~SEQx(AD1, 0x12, -1, 0x11) fe81::${AD2}:${AD1}\n");
  EXPECT_THAT(lines(tokens),
              ElementsAre("fe81::90:12", "fe81::90:11", "fe81::a0:12", "fe81::a0:11"));
}

TEST_F(LexerTest, SeqSpecMayUseParameters) {
  EXPECT_THAT(lines(lex("$N=3\n~SEQ(I,1,${N}) a_$I\n")), ElementsAre("a_1", "a_2", "a_3"));
}

TEST_F(LexerTest, SeqDrivesAMultiLineDefinition) {
  TokenList tokens =
      lex("$VI= \\\n"
          "vrrp_instance v${IF}.${ID} { \\\n"
          "  virtual_router_id ${ID} \\\n"
          "}\n"
          "~SEQ(IF,0,1) ~SEQ(ID,1,2) $VI\n");
  EXPECT_THAT(lines(tokens), ElementsAre("vrrp_instance v0.1 {", "virtual_router_id 1", "}",
                                         "vrrp_instance v0.2 {", "virtual_router_id 2", "}",
                                         "vrrp_instance v1.1 {", "virtual_router_id 1", "}",
                                         "vrrp_instance v1.2 {", "virtual_router_id 2", "}"));
}

TEST_F(LexerTest, SeqVariableStaysDefinedAfterwards) {
  EXPECT_THAT(lines(lex("~SEQ(Q,2)\nm_$Q\n")), ElementsAre("m_2"));
}

TEST_F(LexerTest, SeqMustStartTheLine) {
  EXPECT_THAT(lines(lex("x ~SEQ(R,1,2) y\n")), ElementsAre("x ~SEQ(R,1,2) y"));
}

TEST_F(LexerTest, SeqWithAZeroStepIsAnError) {
  TokenList tokens = lex("\n  ~SEQ(Z,1,0,3) b_$Z\n");
  EXPECT_THAT(lines(tokens), IsEmpty());
  EXPECT_THAT(messages(),
              ElementsAre("t.conf:2:3: error: invalid ~SEQ(Z,1,0,3): STEP must not be 0"));
}

TEST_F(LexerTest, SeqStepingAwayFromTheEndIsAnError) {
  (void)lex("~SEQ(Z,1,-1,3) x\n");
  EXPECT_THAT(messages(),
              ElementsAre("t.conf:1:1: error: invalid ~SEQ(Z,1,-1,3): STEP moves away from END"));
}

TEST_F(LexerTest, SeqWithBadArgumentsIsAnError) {
  (void)lex("~SEQ(1X,3) a\n~SEQ(X,a) b\n~SEQ(X) c\n~SEQ(X,1,2 d\n");
  EXPECT_THAT(messages(),
              ElementsAre("t.conf:1:1: error: invalid ~SEQ(1X,3): '1X' is not a parameter name",
                          "t.conf:2:1: error: invalid ~SEQ(X,a): 'a' is not an integer",
                          "t.conf:3:1: error: invalid ~SEQ(X): expects (VAR, [START, [STEP,]] END)",
                          "t.conf:4:1: error: ~SEQ(...) has no closing ')'"));
}

TEST_F(LexerTest, LstRepeatsForEachValue) {
  EXPECT_THAT(lines(lex("~LST(Z, a , b,c) g_${Z}_\n")), ElementsAre("g_a_", "g_b_", "g_c_"));
}

TEST_F(LexerTest, LstWithSeveralVariables) {
  TokenList tokens = lex("~LST({IP, IP1}, {10,1},{20,4},{5,6},{12,8}) 192.168.${IP}.${IP1}\n");
  EXPECT_THAT(lines(tokens),
              ElementsAre("192.168.10.1", "192.168.20.4", "192.168.5.6", "192.168.12.8"));
}

TEST_F(LexerTest, LstNests) {
  TokenList tokens = lex("~LST(IP, 1, 2) ~LST(IP1, 5,6,7) 192.169.${IP}.${IP1}\n");
  EXPECT_THAT(lines(tokens), ElementsAre("192.169.1.5", "192.169.1.6", "192.169.1.7", "192.169.2.5",
                                         "192.169.2.6", "192.169.2.7"));
}

TEST_F(LexerTest, LstAndSeqCombine) {
  TokenList tokens =
      lex("~LST({IP,   IP1},  {10,1},{20,4}) ~SEQ(IP2,168,2,172) 192.${IP2}.${IP}.${IP1}\n");
  EXPECT_THAT(lines(tokens), ElementsAre("192.168.10.1", "192.170.10.1", "192.172.10.1",
                                         "192.168.20.4", "192.170.20.4", "192.172.20.4"));
}

TEST_F(LexerTest, LstWithoutValuesOrWithAMismatchedGroupIsAnError) {
  (void)lex("~LST(Z) k\n~LST({A,B}, {1,2}, {3}) m\n");
  EXPECT_THAT(messages(),
              ElementsAre("t.conf:1:1: error: invalid ~LST(Z): expects (VAR, VALUE...) or "
                          "({VAR, ...}, {VALUE, ...}...)",
                          "t.conf:2:1: error: invalid ~LST({A,B}, {1,2}, {3}): '{3}' does not "
                          "have one value per variable"));
}

TEST_F(LexerTest, ConditionalAfterSeq) {
  EXPECT_THAT(lines(lex("~SEQ(V,1,2) @^nomatch s_$V\n~SEQ(V,1,2) @nomatch t_$V\n")),
              ElementsAre("s_1", "s_2"));
}

TEST_F(LexerTest, SeqFromAParameterValue) {
  EXPECT_THAT(lines(lex("$L=~SEQ(J,1,2)\n$L b_$J\n")), ElementsAre("b_1", "b_2"));
}

TEST_F(LexerTest, DefinitionInsideASeq) {
  EXPECT_THAT(lines(lex("~SEQ(S,1,2) $T=t$S\nq_$T\n")), ElementsAre("q_t2"));
}

}  // namespace
}  // namespace vigil::config
