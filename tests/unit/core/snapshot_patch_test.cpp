#include "core/snapshot_patch.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace vigil {
namespace {

using namespace std::string_literals;

std::string patchOf(bool full, uint32_t count,
                    const std::vector<std::pair<uint32_t, std::string>>& slots) {
  SnapshotPatchBuilder builder(full, count);
  for (const auto& [index, text] : slots) builder.add(index, text);
  return builder.take();
}

// Applies an encoded patch to `text`; the error's message when it fails.
std::string apply(PatchedSnapshot& patched, const std::string& payload, SharedText& text) {
  auto view = decodeSnapshotPatch(payload);
  if (!view) return view.error().message;
  Status applied = patched.apply(*view, text);
  return applied ? "" : applied.error().message;
}

TEST(SnapshotPatch, EncodesFlagsCountAndSlotsBigEndian) {
  EXPECT_EQ(patchOf(true, 2, {{0, "{\"a\":"}, {1, "1}"}}),
            "\x01\0\0\0\0\0\0\x02"s
            "\0\0\0\0\0\0\0\x05{\"a\":"s
            "\0\0\0\x01\0\0\0\x02"
            "1}"s);
  EXPECT_EQ(patchOf(false, 300, {{258, "x"}}), "\0\0\0\0\0\0\x01\x2c\0\0\x01\x02\0\0\0\x01x"s);
}

TEST(SnapshotPatch, DecodesWhatTheBuilderWrites) {
  SnapshotPatchBuilder builder(false, 5);
  EXPECT_TRUE(builder.empty());
  builder.add(1, "one");
  builder.add(4, "");
  EXPECT_FALSE(builder.empty());
  EXPECT_EQ(builder.carried(), 2u);
  const std::string payload = builder.take();
  auto view = decodeSnapshotPatch(payload);
  ASSERT_TRUE(view.ok()) << view.error().describe();
  EXPECT_FALSE(view->full);
  EXPECT_EQ(view->slotCount, 5u);
  ASSERT_EQ(view->slots.size(), 2u);
  EXPECT_EQ(view->slots[0].index, 1u);
  EXPECT_EQ(view->slots[0].text, "one");
  EXPECT_EQ(view->slots[1].index, 4u);
  EXPECT_EQ(view->slots[1].text, "");
}

TEST(SnapshotPatch, RejectsMalformedPayloadsNamingTheByte) {
  const struct {
    std::string payload;
    std::string error;
  } cases[] = {
      {"\x01\0\0"s, "at byte 3: 3 bytes, shorter than the 8-byte header"},
      {"\x04\0\0\0\0\0\0\x01"s, "at byte 0: reserved bits set"},
      {"\x03\0\0\0\0\0\0\x01"s, "at byte 0: both full and continued"},
      {"\0\0\x01\0\0\0\0\x01"s, "at byte 0: reserved bits set"},
      {"\0\0\0\0\0\0\0\0"s, "at byte 4: slot count 0"},
      {"\0\0\0\0\0\0\0\x02\0\0\0\x02\0\0\0\0"s, "at byte 8: slot 2 beyond the slot count 2"},
      {"\0\0\0\0\0\0\0\x02\0\0\0\x01\0\0\0\0\0\0\0\x01\0\0\0\0"s,
       "at byte 16: slot 1 after slot 1: not ascending"},
      {"\0\0\0\0\0\0\0\x02\0\0\0\x01\0\0\0\x05"
       "abc"s,
       "at byte 8: slot 1 of 5 bytes runs past the end"},
      {"\0\0\0\0\0\0\0\x02\0\0\0\x01\0\0"s, "at byte 8: slot header cut short"},
      {patchOf(true, 3, {{0, "a"}, {2, "c"}}), "at byte 17: slot 2 after slot 0 in a full patch"},
      {patchOf(true, 3, {{1, "b"}}), "at byte 8: a full patch begins at slot 1"},
      {patchOf(true, 3, {}), "at byte 8: a frame of a full patch carries no slot"},
      {"\x02\0\0\0\0\0\0\x01"s, "at byte 8: a frame of a full patch carries no slot"},
  };
  for (const auto& c : cases) {
    auto view = decodeSnapshotPatch(c.payload);
    ASSERT_FALSE(view.ok()) << c.error;
    EXPECT_EQ(view.error().message, "snapshot patch: " + c.error);
  }
}

// Frames are cut at slot boundaries once the next slot would pass the limit;
// a slot larger than the limit gets a frame of its own. A full patch's later
// frames are marked continued, a partial patch's are partial patches.
TEST(SnapshotPatch, SplitsIntoFramesAtSlotBoundaries) {
  for (const bool full : {true, false}) {
    // Header 8 + (8 + 4) + (8 + 4) = 32 fits a 32-byte frame; a third slot does not.
    SnapshotPatchBuilder builder(full, 6, 32);
    builder.add(0, "aaaa");
    builder.add(1, "bbbb");
    builder.add(2, "cccc");
    builder.add(3, std::string(40, 'd'));
    builder.add(4, "e");
    builder.add(5, "f");
    EXPECT_EQ(builder.carried(), 6u);
    const std::vector<std::string> frames = builder.takeFrames();
    ASSERT_EQ(frames.size(), 4u);
    std::vector<std::vector<uint32_t>> slots;
    for (size_t i = 0; i < frames.size(); ++i) {
      auto view = decodeSnapshotPatch(frames[i]);
      ASSERT_TRUE(view.ok()) << view.error().describe();
      EXPECT_EQ(view->full, full && i == 0);
      EXPECT_EQ(view->continued, full && i > 0);
      EXPECT_EQ(view->slotCount, 6u);
      auto& indexes = slots.emplace_back();
      for (const auto& slot : view->slots) indexes.push_back(slot.index);
    }
    EXPECT_EQ(slots, (std::vector<std::vector<uint32_t>>{{0, 1}, {2}, {3}, {4, 5}}));
    EXPECT_LE(frames[0].size(), 32u);
    EXPECT_EQ(frames[2].size(), 8u + 8u + 40u);
  }
}

TEST(PatchedSnapshot, AFullPatchInFramesReplacesTheTextWithItsLastFrame) {
  PatchedSnapshot patched;
  SharedText text = "previous";
  SnapshotPatchBuilder builder(true, 4, 8 + 8 + 2);
  for (const auto& [index, slot] :
       std::vector<std::pair<uint32_t, std::string>>{{0, "[1"}, {1, ",2"}, {2, ",3"}, {3, "]"}}) {
    builder.add(index, slot);
  }
  const std::vector<std::string> frames = builder.takeFrames();
  ASSERT_EQ(frames.size(), 4u);
  for (size_t i = 0; i + 1 < frames.size(); ++i) {
    ASSERT_EQ(apply(patched, frames[i], text), "");
    EXPECT_EQ(text.str(), "previous") << "after frame " << i;
    EXPECT_TRUE(patched.assembling());
  }
  ASSERT_EQ(apply(patched, frames.back(), text), "");
  EXPECT_FALSE(patched.assembling());
  EXPECT_EQ(text.str(), "[1,2,3]");
  ASSERT_EQ(apply(patched, patchOf(false, 4, {{2, ",33"}}), text), "");
  EXPECT_EQ(text.str(), "[1,2,33]");
}

// A worker that restarts its full patch (a reload, a Resync) begins a new
// one; frames that do not continue the one begun are refused and the text
// kept.
TEST(PatchedSnapshot, RefusesFramesThatDoNotContinueTheFullPatchBegun) {
  auto continued = [](uint32_t count, uint32_t index, const std::string& text) {
    std::string payload = patchOf(false, count, {{index, text}});
    payload[0] = '';
    return payload;
  };
  PatchedSnapshot patched;
  SharedText text = "kept";
  EXPECT_EQ(apply(patched, continued(3, 1, "b"), text),
            "snapshot patch: a continued frame without a full patch begun");

  ASSERT_EQ(apply(patched, patchOf(true, 3, {{0, "a"}}), text), "");
  EXPECT_EQ(apply(patched, continued(3, 2, "c"), text),
            "snapshot patch: a full patch continued at slot 2, not 1");
  EXPECT_FALSE(patched.assembling());

  ASSERT_EQ(apply(patched, patchOf(true, 3, {{0, "a"}}), text), "");
  EXPECT_EQ(apply(patched, continued(4, 1, "b"), text),
            "snapshot patch: a frame for 4 slots continues a full patch of 3");

  ASSERT_EQ(apply(patched, patchOf(true, 3, {{0, "a"}}), text), "");
  EXPECT_EQ(apply(patched, patchOf(false, 3, {{1, "b"}}), text),
            "snapshot patch: a partial patch while a full one has 1 of 3 slots");
  EXPECT_EQ(text.str(), "kept");

  // Begun again: the frames already taken are dropped.
  ASSERT_EQ(apply(patched, patchOf(true, 3, {{0, "x"}, {1, "y"}}), text), "");
  ASSERT_EQ(apply(patched, patchOf(true, 3, {{0, "a"}}), text), "");
  ASSERT_EQ(apply(patched, continued(3, 1, "b"), text), "");
  ASSERT_EQ(apply(patched, continued(3, 2, "c"), text), "");
  EXPECT_EQ(text.str(), "abc");
}

TEST(PatchedSnapshot, AFullPatchReplacesTheTextAndPartialOnesReplaceTheirSlots) {
  PatchedSnapshot patched;
  SharedText text = "previous worker's text";
  EXPECT_TRUE(patched.expectsFull());
  ASSERT_EQ(apply(patched, patchOf(true, 4, {{0, "[1"}, {1, ",22"}, {2, ",333"}, {3, "]"}}), text),
            "");
  EXPECT_EQ(text.str(), "[1,22,333]");
  EXPECT_FALSE(patched.expectsFull());

  // Longer, shorter, first and last slots; the others stay.
  ASSERT_EQ(apply(patched, patchOf(false, 4, {{0, "[1000"}, {2, ",3"}}), text), "");
  EXPECT_EQ(text.str(), "[1000,22,3]");
  ASSERT_EQ(apply(patched, patchOf(false, 4, {{1, ""}, {3, ",4]"}}), text), "");
  EXPECT_EQ(text.str(), "[1000,3,4]");
  // The offsets followed: slot 2 is still ",3".
  ASSERT_EQ(apply(patched, patchOf(false, 4, {{2, ",5"}}), text), "");
  EXPECT_EQ(text.str(), "[1000,5,4]");
  ASSERT_EQ(apply(patched, patchOf(false, 4, {}), text), "");
  EXPECT_EQ(text.str(), "[1000,5,4]");
}

// The text is shared with readers (a /status being written, the SNMP
// thread): a patch leaves what a reader holds as it was and gives the
// supervisor a new text; with no reader it splices the one text in place.
TEST(PatchedSnapshot, APartialPatchLeavesAReadersTextAndSplicesInPlaceWithoutOne) {
  // Longer than a std::string holds inline, so the buffer's address shows
  // a copy.
  const std::string head = "[" + std::string(40, '1');
  PatchedSnapshot patched;
  SharedText text;
  ASSERT_EQ(apply(patched, patchOf(true, 3, {{0, head}, {1, ",2"}, {2, "]"}}), text), "");
  const SharedText reader = text;
  ASSERT_EQ(apply(patched, patchOf(false, 3, {{1, ",3"}}), text), "");
  EXPECT_EQ(reader.str(), head + ",2]");
  EXPECT_EQ(text.str(), head + ",3]");
  EXPECT_FALSE(text.sameAs(reader));

  const char* const bytes = text.str().data();
  ASSERT_EQ(apply(patched, patchOf(false, 3, {{1, ",4"}}), text), "");
  EXPECT_EQ(text.str(), head + ",4]");
  EXPECT_EQ(text.str().data(), bytes);  // the same buffer: no copy
}

// Every partial patch applied over a random history equals the text the
// slots make when concatenated (the property the supervisor relies on).
TEST(PatchedSnapshot, MatchesTheConcatenatedSlotsOverManyPatches) {
  constexpr uint32_t kSlots = 97;
  std::vector<std::string> slots(kSlots);
  uint64_t seed = 12345;
  auto random = [&seed](uint64_t bound) {
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    return (seed >> 33) % bound;
  };
  SnapshotPatchBuilder full(true, kSlots);
  for (uint32_t i = 0; i < kSlots; ++i) {
    slots[i] = std::string(random(5), static_cast<char>('a' + i % 26));
    full.add(i, slots[i]);
  }
  PatchedSnapshot patched;
  SharedText text;
  ASSERT_EQ(apply(patched, full.take(), text), "");
  for (int round = 0; round < 400; ++round) {
    // Some rounds every slot, some a few; some full, in frames of any size.
    const bool full = random(10) == 0;
    const uint64_t odds = 1 + random(6);
    SnapshotPatchBuilder patch(full, kSlots, 8 + random(200));
    for (uint32_t i = 0; i < kSlots; ++i) {
      if (!full && random(odds) != 0) continue;
      if (random(3) != 0) slots[i] = std::string(random(23), static_cast<char>('A' + round % 26));
      patch.add(i, slots[i]);
    }
    for (const std::string& frame : patch.takeFrames()) {
      ASSERT_EQ(apply(patched, frame, text), "") << "round " << round;
    }
    std::string expected;
    for (const std::string& slot : slots) expected += slot;
    ASSERT_EQ(text.str(), expected) << "round " << round;
  }
}

TEST(PatchedSnapshot, RefusesAPartialPatchItCannotPlaceAndKeepsTheText) {
  PatchedSnapshot patched;
  SharedText text = "kept";
  EXPECT_EQ(apply(patched, patchOf(false, 2, {{0, "x"}}), text),
            "snapshot patch: a partial patch before any full one");
  EXPECT_EQ(text.str(), "kept");

  ASSERT_EQ(apply(patched, patchOf(true, 2, {{0, "a"}, {1, "b"}}), text), "");
  EXPECT_EQ(apply(patched, patchOf(false, 3, {{0, "x"}}), text),
            "snapshot patch: for 3 slots, the text has 2");
  EXPECT_EQ(text.str(), "ab");
  // Until a full patch arrives, nothing partial applies.
  EXPECT_TRUE(patched.expectsFull());
  EXPECT_NE(apply(patched, patchOf(false, 2, {{0, "x"}}), text), "");
  ASSERT_EQ(apply(patched, patchOf(true, 3, {{0, "x"}, {1, "y"}, {2, "z"}}), text), "");
  EXPECT_EQ(text.str(), "xyz");

  // A text changed behind its back (a plain Snapshot) needs a full patch.
  patched.reset();
  EXPECT_NE(apply(patched, patchOf(false, 3, {{0, "q"}}), text), "");
  EXPECT_EQ(text.str(), "xyz");
}

}  // namespace
}  // namespace vigil
