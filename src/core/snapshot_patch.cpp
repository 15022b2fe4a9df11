#include "core/snapshot_patch.h"

#include <fmt/format.h>

#include <cassert>
#include <cerrno>
#include <cstddef>
#include <cstring>

namespace vigil {
namespace {

constexpr uint8_t kFullFlag = 0x01;
constexpr uint8_t kContinuedFlag = 0x02;
constexpr size_t kHeaderSize = 8;
constexpr size_t kSlotHeaderSize = 8;

void appendBigEndian32(std::string& out, uint32_t value) {
  out.push_back(static_cast<char>(value >> 24));
  out.push_back(static_cast<char>(value >> 16));
  out.push_back(static_cast<char>(value >> 8));
  out.push_back(static_cast<char>(value));
}

uint32_t readBigEndian32(std::string_view bytes, size_t at) {
  auto b = [&](size_t k) {
    return static_cast<uint32_t>(static_cast<unsigned char>(bytes[at + k]));
  };
  return (b(0) << 24) | (b(1) << 16) | (b(2) << 8) | b(3);
}

Error malformed(size_t offset, const std::string& what) {
  return Error{EINVAL, fmt::format("snapshot patch: at byte {}: {}", offset, what)};
}

}  // namespace

SnapshotPatchBuilder::SnapshotPatchBuilder(bool full, uint32_t slotCount, size_t maxFrameBytes)
    : maxFrameBytes_(maxFrameBytes), slotCount_(slotCount), full_(full) {
  startFrame(false);
}

void SnapshotPatchBuilder::startFrame(bool continued) {
  std::string& frame = frames_.emplace_back();
  const uint8_t flags = continued ? kContinuedFlag : (full_ ? kFullFlag : 0);
  frame.push_back(static_cast<char>(flags));
  frame.append(3, '\0');
  appendBigEndian32(frame, slotCount_);
  carriedInFrame_ = 0;
}

void SnapshotPatchBuilder::add(uint32_t index, std::string_view text) {
  if (carriedInFrame_ > 0 &&
      frames_.back().size() + kSlotHeaderSize + text.size() > maxFrameBytes_) {
    // A partial patch's next frame is a partial patch of its own.
    startFrame(full_);
  }
  std::string& frame = frames_.back();
  appendBigEndian32(frame, index);
  appendBigEndian32(frame, static_cast<uint32_t>(text.size()));
  frame.append(text);
  ++carried_;
  ++carriedInFrame_;
}

std::vector<std::string> SnapshotPatchBuilder::takeFrames() { return std::move(frames_); }

std::string SnapshotPatchBuilder::take() {
  assert(frames_.size() == 1);
  return std::move(frames_.front());
}

Result<SnapshotPatchView> decodeSnapshotPatch(std::string_view payload) {
  if (payload.size() < kHeaderSize) {
    return malformed(payload.size(), fmt::format("{} bytes, shorter than the {}-byte header",
                                                 payload.size(), kHeaderSize));
  }
  const auto flags = static_cast<uint8_t>(payload[0]);
  constexpr uint8_t kKnownFlags = kFullFlag | kContinuedFlag;
  if ((flags & ~kKnownFlags) != 0 || payload[1] != 0 || payload[2] != 0 || payload[3] != 0) {
    return malformed(0, "reserved bits set");
  }
  if (flags == kKnownFlags) return malformed(0, "both full and continued");
  SnapshotPatchView view;
  view.full = (flags & kFullFlag) != 0;
  view.continued = (flags & kContinuedFlag) != 0;
  const bool ofFullPatch = view.full || view.continued;
  view.slotCount = readBigEndian32(payload, 4);
  if (view.slotCount == 0) return malformed(4, "slot count 0");
  size_t at = kHeaderSize;
  while (at < payload.size()) {
    if (payload.size() - at < kSlotHeaderSize) {
      return malformed(at, "slot header cut short");
    }
    const uint32_t index = readBigEndian32(payload, at);
    const uint32_t length = readBigEndian32(payload, at + 4);
    if (index >= view.slotCount) {
      return malformed(at, fmt::format("slot {} beyond the slot count {}", index, view.slotCount));
    }
    if (!view.slots.empty() && index <= view.slots.back().index) {
      return malformed(
          at, fmt::format("slot {} after slot {}: not ascending", index, view.slots.back().index));
    }
    if (ofFullPatch && !view.slots.empty() && index != view.slots.back().index + 1) {
      return malformed(
          at, fmt::format("slot {} after slot {} in a full patch", index, view.slots.back().index));
    }
    if (view.full && view.slots.empty() && index != 0) {
      return malformed(at, fmt::format("a full patch begins at slot {}", index));
    }
    if (payload.size() - at - kSlotHeaderSize < length) {
      return malformed(at, fmt::format("slot {} of {} bytes runs past the end", index, length));
    }
    view.slots.push_back({index, payload.substr(at + kSlotHeaderSize, length)});
    at += kSlotHeaderSize + length;
  }
  if (ofFullPatch && view.slots.empty()) {
    return malformed(at, "a frame of a full patch carries no slot");
  }
  return view;
}

void PatchedSnapshot::reset() {
  ends_.clear();
  std::string().swap(assembling_);
  assemblingEnds_.clear();
  assemblingCount_ = 0;
}

Status PatchedSnapshot::apply(const SnapshotPatchView& patch, SharedText& text) {
  Status applied = patch.full || patch.continued ? assemble(patch, text) : splice(patch, text);
  if (!applied) reset();
  return applied;
}

Status PatchedSnapshot::assemble(const SnapshotPatchView& patch, SharedText& text) {
  if (patch.full) {
    assembling_.clear();
    // The last text's size is the best guess of this one's: one allocation
    // most of the time instead of doubling through a few dozen frames.
    assembling_.reserve(text.size() + text.size() / 16);
    assemblingEnds_.clear();
    assemblingEnds_.reserve(patch.slotCount);
    assemblingCount_ = patch.slotCount;
  } else if (assemblingEnds_.empty()) {
    return Error{EPROTO, "snapshot patch: a continued frame without a full patch begun"};
  } else if (patch.slotCount != assemblingCount_) {
    return Error{EPROTO, fmt::format("snapshot patch: a frame for {} slots continues a full patch "
                                     "of {}",
                                     patch.slotCount, assemblingCount_)};
  } else if (patch.slots.front().index != assemblingEnds_.size()) {
    return Error{EPROTO, fmt::format("snapshot patch: a full patch continued at slot {}, not {}",
                                     patch.slots.front().index, assemblingEnds_.size())};
  }
  for (const auto& slot : patch.slots) {
    assembling_.append(slot.text);
    assemblingEnds_.push_back(assembling_.size());
  }
  if (assemblingEnds_.size() < assemblingCount_) return {};
  // Moved into the text's own string: assembling_ keeps no buffer.
  text = SharedText(std::move(assembling_));
  ends_ = std::move(assemblingEnds_);
  assemblingEnds_.clear();
  return {};
}

// Replaces the patched slots where they lie. The unchanged runs between them
// move by what the patched slots before them grew or shrank: those moving
// left in ascending order, those moving right in descending order (a run's
// new place overlaps only runs on the side it moves toward that move the
// same way, and those have moved by then); the new slot texts go in last.
// No second copy of the text, whose allocation and page faults at 8 MB per
// heartbeat were most of the supervisor's cost of a patch.
Status PatchedSnapshot::splice(const SnapshotPatchView& patch, SharedText& shared) {
  if (!assemblingEnds_.empty()) {
    return Error{EPROTO, fmt::format("snapshot patch: a partial patch while a full one has {} of "
                                     "{} slots",
                                     assemblingEnds_.size(), assemblingCount_)};
  }
  if (ends_.empty()) {
    return Error{EPROTO, "snapshot patch: a partial patch before any full one"};
  }
  if (patch.slotCount != ends_.size() || ends_.back() != shared.size()) {
    return Error{EPROTO, fmt::format("snapshot patch: for {} slots, the text has {}",
                                     patch.slotCount, ends_.size())};
  }
  if (patch.slots.empty()) return {};
  // Nothing below fails: the text is changed and put back.
  std::string text = shared.take();
  const auto begin = [this](size_t slot) { return slot == 0 ? size_t{0} : ends_[slot - 1]; };
  struct Run {
    size_t from = 0;
    size_t to = 0;
    size_t length = 0;
  };
  std::vector<Run> runs;
  runs.reserve(patch.slots.size() + 1);
  const size_t oldSize = text.size();
  ptrdiff_t shift = 0;
  size_t next = 0;  // the first slot after the last run recorded
  const auto addRun = [&](size_t from, size_t until) {
    if (until > from) {
      runs.push_back(
          {from, static_cast<size_t>(static_cast<ptrdiff_t>(from) + shift), until - from});
    }
  };
  for (const auto& slot : patch.slots) {
    addRun(begin(next), begin(slot.index));
    shift += static_cast<ptrdiff_t>(slot.text.size()) -
             static_cast<ptrdiff_t>(ends_[slot.index] - begin(slot.index));
    next = slot.index + 1;
  }
  addRun(begin(next), oldSize);
  const size_t newSize = static_cast<size_t>(static_cast<ptrdiff_t>(oldSize) + shift);
  if (newSize > oldSize) text.resize(newSize);
  char* data = text.data();
  for (const Run& run : runs) {
    if (run.to < run.from) std::memmove(data + run.to, data + run.from, run.length);
  }
  for (auto run = runs.rbegin(); run != runs.rend(); ++run) {
    if (run->to > run->from) std::memmove(data + run->to, data + run->from, run->length);
  }
  shift = 0;
  size_t oldBegin = 0;
  auto patched = patch.slots.begin();
  for (size_t i = 0; i < ends_.size(); ++i) {
    const size_t oldEnd = ends_[i];
    if (patched != patch.slots.end() && patched->index == i) {
      const auto newBegin = static_cast<size_t>(static_cast<ptrdiff_t>(oldBegin) + shift);
      std::memcpy(data + newBegin, patched->text.data(), patched->text.size());
      shift +=
          static_cast<ptrdiff_t>(patched->text.size()) - static_cast<ptrdiff_t>(oldEnd - oldBegin);
      ++patched;
    }
    ends_[i] = static_cast<size_t>(static_cast<ptrdiff_t>(oldEnd) + shift);
    oldBegin = oldEnd;
  }
  if (newSize < oldSize) text.resize(newSize);
  shared = SharedText(std::move(text));
  return {};
}

}  // namespace vigil
