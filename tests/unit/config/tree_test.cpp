#include <gtest/gtest.h>

#include "config/node.h"

namespace vigil::config {
namespace {

using Kind = Token::Kind;

// Builds tokens by hand so the tree builder is tested apart from the lexer:
// "w:NAME" is a word, "{", "}" braces, "\n" an end of line.
class TreeTest : public ::testing::Test {
 protected:
  TokenList tokens(std::initializer_list<const char*> items) {
    TokenList out;
    uint32_t line = 1, col = 1;
    for (const char* item : items) {
      std::string s(item);
      Token t;
      t.pos = {&file_, line, col};
      if (s == "{") {
        t.kind = Kind::OpenBrace;
      } else if (s == "}") {
        t.kind = Kind::CloseBrace;
      } else if (s == "\n") {
        t.kind = Kind::EndOfLine;
        out.push_back(t);
        ++line;
        col = 1;
        continue;
      } else {
        t.text = s;
      }
      col += 2;
      out.push_back(t);
    }
    return out;
  }

  std::string file_ = "t.conf";
  Diagnostics diagnostics_;
};

TEST_F(TreeTest, StatementsAndBlocks) {
  auto nodes = buildTree(tokens({"vrrp_instance", "VI_1", "{", "\n", "priority", "100", "\n", "}",
                                 "\n", "router_id", "x", "\n"}),
                         diagnostics_);
  ASSERT_EQ(nodes.size(), 2u);
  EXPECT_EQ(nodes[0].name(), "vrrp_instance");
  ASSERT_EQ(nodes[0].args.size(), 1u);
  EXPECT_EQ(nodes[0].args[0].text, "VI_1");
  EXPECT_TRUE(nodes[0].hasBlock);
  ASSERT_EQ(nodes[0].children.size(), 1u);
  EXPECT_EQ(nodes[0].children[0].name(), "priority");
  EXPECT_EQ(nodes[0].children[0].args[0].text, "100");
  EXPECT_FALSE(nodes[1].hasBlock);
  EXPECT_FALSE(diagnostics_.hasErrors());
}

TEST_F(TreeTest, BraceOnNextLineOpensTheBlock) {
  auto nodes = buildTree(tokens({"global_defs", "\n", "{", "\n", "router_id", "a", "\n", "}"}),
                         diagnostics_);
  ASSERT_EQ(nodes.size(), 1u);
  EXPECT_TRUE(nodes[0].hasBlock);
  ASSERT_EQ(nodes[0].children.size(), 1u);
  EXPECT_EQ(nodes[0].children[0].name(), "router_id");
}

TEST_F(TreeTest, OneLineBlockWithEntries) {
  auto nodes =
      buildTree(tokens({"track_interface", "{", "eth0", "}", "\n", "priority", "5"}), diagnostics_);
  ASSERT_EQ(nodes.size(), 2u);
  ASSERT_EQ(nodes[0].children.size(), 1u);
  EXPECT_EQ(nodes[0].children[0].name(), "eth0");
  EXPECT_EQ(nodes[1].name(), "priority");
}

TEST_F(TreeTest, EmptyBlock) {
  auto nodes = buildTree(tokens({"unicast_peer", "{", "}", "\n"}), diagnostics_);
  ASSERT_EQ(nodes.size(), 1u);
  EXPECT_TRUE(nodes[0].hasBlock);
  EXPECT_TRUE(nodes[0].children.empty());
}

TEST_F(TreeTest, UnclosedBlockIsReportedAtItsBrace) {
  buildTree(tokens({"vrrp_instance", "VI_1", "{", "\n", "priority", "1", "\n"}), diagnostics_);
  ASSERT_EQ(diagnostics_.errorCount(), 1u);
  EXPECT_EQ(diagnostics_.all()[0].format(),
            "t.conf:1:5: error: '{' is never closed (end of input reached)");
}

TEST_F(TreeTest, StrayClosingBraceIsReported) {
  auto nodes = buildTree(tokens({"a", "\n", "}", "\n", "b"}), diagnostics_);
  EXPECT_EQ(nodes.size(), 2u);
  ASSERT_EQ(diagnostics_.errorCount(), 1u);
  EXPECT_EQ(diagnostics_.all()[0].format(), "t.conf:2:1: error: '}' without a matching '{'");
}

TEST_F(TreeTest, BlockWithoutKeywordIsReported) {
  auto nodes = buildTree(tokens({"{", "x", "}", "\n", "y"}), diagnostics_);
  ASSERT_EQ(nodes.size(), 1u);
  EXPECT_EQ(nodes[0].name(), "y");
  EXPECT_EQ(diagnostics_.all()[0].format(), "t.conf:1:1: error: '{' must follow a keyword");
}

TEST_F(TreeTest, DeepNestingIsBoundedWithoutRecursingForever) {
  TokenList deep;
  for (int i = 0; i < 100000; ++i) {
    deep.push_back({Kind::Word, "k", {&file_, 1, 1}, false});
    deep.push_back({Kind::OpenBrace, "", {&file_, 1, static_cast<uint32_t>(i + 1)}, false});
  }
  for (int i = 0; i < 100000; ++i) {
    deep.push_back({Kind::CloseBrace, "", {&file_, 2, 1}, false});
  }
  deep.push_back({Kind::Word, "after", {&file_, 3, 1}, false});
  auto nodes = buildTree(deep, diagnostics_);
  ASSERT_EQ(diagnostics_.errorCount(), 1u);
  EXPECT_EQ(diagnostics_.all()[0].format(),
            "t.conf:1:65: error: blocks are nested more than 64 deep");
  ASSERT_EQ(nodes.size(), 2u);
  EXPECT_EQ(nodes[1].name(), "after");
}

}  // namespace
}  // namespace vigil::config
