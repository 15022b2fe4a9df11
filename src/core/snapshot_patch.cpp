#include "core/snapshot_patch.h"

#include <fmt/format.h>

#include <cerrno>

namespace vigil {
namespace {

constexpr uint8_t kFullFlag = 0x01;
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

SnapshotPatchBuilder::SnapshotPatchBuilder(bool full, uint32_t slotCount) : full_(full) {
  payload_.push_back(static_cast<char>(full ? kFullFlag : 0));
  payload_.append(3, '\0');
  appendBigEndian32(payload_, slotCount);
}

void SnapshotPatchBuilder::add(uint32_t index, std::string_view text) {
  appendBigEndian32(payload_, index);
  appendBigEndian32(payload_, static_cast<uint32_t>(text.size()));
  payload_.append(text);
  ++carried_;
}

Result<SnapshotPatchView> decodeSnapshotPatch(std::string_view payload) {
  if (payload.size() < kHeaderSize) {
    return malformed(payload.size(), fmt::format("{} bytes, shorter than the {}-byte header",
                                                 payload.size(), kHeaderSize));
  }
  const auto flags = static_cast<uint8_t>(payload[0]);
  if ((flags & ~kFullFlag) != 0 || payload[1] != 0 || payload[2] != 0 || payload[3] != 0) {
    return malformed(0, "reserved bits set");
  }
  SnapshotPatchView view;
  view.full = (flags & kFullFlag) != 0;
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
    if (payload.size() - at - kSlotHeaderSize < length) {
      return malformed(at, fmt::format("slot {} of {} bytes runs past the end", index, length));
    }
    view.slots.push_back({index, payload.substr(at + kSlotHeaderSize, length)});
    at += kSlotHeaderSize + length;
  }
  if (view.full && view.slots.size() != view.slotCount) {
    return malformed(payload.size(), fmt::format("full patch carries {} of {} slots",
                                                 view.slots.size(), view.slotCount));
  }
  return view;
}

Status PatchedSnapshot::apply(const SnapshotPatchView& patch, std::string& text) {
  if (patch.full) {
    std::string built;
    size_t size = 0;
    for (const auto& slot : patch.slots) size += slot.text.size();
    built.reserve(size);
    ends_.clear();
    ends_.reserve(patch.slotCount);
    for (const auto& slot : patch.slots) {
      built.append(slot.text);
      ends_.push_back(built.size());
    }
    text = std::move(built);
    return {};
  }
  if (ends_.empty()) {
    return Error{EPROTO, "snapshot patch: a partial patch before any full one"};
  }
  if (patch.slotCount != ends_.size() || ends_.back() != text.size()) {
    const size_t had = ends_.size();
    ends_.clear();
    return Error{
        EPROTO, fmt::format("snapshot patch: for {} slots, the text has {}", patch.slotCount, had)};
  }
  // Copies the unchanged runs between the patched slots and the new texts
  // into a new string: one pass over the text, whatever the patch carries.
  std::string built;
  size_t size = text.size();
  for (const auto& slot : patch.slots) {
    const size_t begin = slot.index == 0 ? 0 : ends_[slot.index - 1];
    size = size - (ends_[slot.index] - begin) + slot.text.size();
  }
  built.reserve(size);
  std::vector<size_t> ends;
  ends.reserve(ends_.size());
  size_t next = 0;  // the first slot not copied yet
  // Copies the old slots [next, until) unchanged, with their ends moved.
  const auto copyRun = [&](size_t until) {
    const size_t runBegin = next == 0 ? 0 : ends_[next - 1];
    const size_t runEnd = until == 0 ? 0 : ends_[until - 1];
    for (size_t i = next; i < until; ++i) ends.push_back(built.size() + (ends_[i] - runBegin));
    built.append(text, runBegin, runEnd - runBegin);
  };
  for (const auto& slot : patch.slots) {
    copyRun(slot.index);
    built.append(slot.text);
    ends.push_back(built.size());
    next = slot.index + 1;
  }
  copyRun(ends_.size());
  text = std::move(built);
  ends_ = std::move(ends);
  return {};
}

}  // namespace vigil
