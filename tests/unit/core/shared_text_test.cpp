#include "core/shared_text.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>

namespace vigil {
namespace {

// A Mark names the text object it was taken from, and only that one: not a
// copy of the bytes, not a later text (even one built where the old text
// was, as a patch does), and it does not keep the text held.
TEST(SharedTextMarkTest, NamesOneTextObjectWithoutHoldingIt) {
  SharedText text(std::string(1000, 'a'));
  const SharedText::Mark mark = text.mark();
  EXPECT_TRUE(mark.names(text));
  SharedText sameObject = text;
  EXPECT_TRUE(mark.names(sameObject));
  sameObject.clear();
  EXPECT_FALSE(mark.names(SharedText(std::string(1000, 'a'))));  // equal bytes, other object
  // The only holder still moves the text out: the Mark holds no share.
  const char* bytes = text.str().data();
  std::string edited = text.take();
  EXPECT_EQ(edited.data(), bytes) << "copied, not moved: the Mark held a share";
  EXPECT_EQ(edited.size(), 1000u);
  edited[0] = 'b';
  text = SharedText(std::move(edited));
  EXPECT_FALSE(mark.names(text));
  EXPECT_TRUE(text.mark().names(text));
}

TEST(SharedTextMarkTest, EmptyTextsShareTheirMark) {
  EXPECT_TRUE(SharedText().mark().names(SharedText("")));
  EXPECT_TRUE(SharedText::Mark().names(SharedText()));
  EXPECT_FALSE(SharedText::Mark().names(SharedText("x")));
  EXPECT_FALSE(SharedText("x").mark().names(SharedText()));
}

}  // namespace
}  // namespace vigil
