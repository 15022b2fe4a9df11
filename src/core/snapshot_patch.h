#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/shared_text.h"

// A worker's snapshot sent as numbered slots: the JSON text is the
// concatenation of every slot's text in index order, and after the first
// (full) patch on a channel a worker sends only the slots whose text changed.
// The check worker's snapshot is ~400 bytes per real server (8 MB at 20,000)
// and at delay_loop 1 some part of it changes every second: sending, hashing
// and keeping the whole text each heartbeat was most of the worker's snapshot
// cost (doc/benchmarks.md "Checker RSS").
//
// Payload of a SnapshotPatch message, all integers big-endian:
//   byte 0      flags: bit 0 full (the first frame of a full patch: the text
//               restarts at slot 0), bit 1 continued (a later frame of that
//               full patch: its slots follow the previous frame's); at most
//               one of them. Neither: a partial patch.
//   bytes 1-3   reserved, zero
//   bytes 4-7   slot count of the whole text
//   then for each slot carried, in ascending index order:
//     4 bytes index, 4 bytes length, `length` bytes of text
//
// A patch larger than one frame is split at slot boundaries: the channel
// queues at most 8 MiB (ChannelLimits), which a full patch passes above about
// 21,000 real servers. A partial patch's frames are partial patches of their
// own; a full patch's frames carry consecutive slots, and the receiver
// replaces its text only once the last slot has arrived, so a reader never
// sees half of two texts.
namespace vigil {

// Builds one patch as the worker renders it, cut into frames of at most
// about maxFrameBytes (a slot is never cut: a frame holds at least one).
class SnapshotPatchBuilder {
 public:
  // Small enough that the supervisor reads a frame in a few ms and the
  // worker checks between frames; large enough that a full patch at 50,000
  // real servers is a few dozen frames.
  static constexpr size_t kMaxFrameBytes = 1u << 20;

  SnapshotPatchBuilder(bool full, uint32_t slotCount, size_t maxFrameBytes = kMaxFrameBytes);

  // Slots go in ascending index order; a full patch carries each of them.
  void add(uint32_t index, std::string_view text);

  bool full() const { return full_; }
  // No slot carried: the receiver's text is current (a heartbeat).
  bool empty() const { return carried_ == 0; }
  uint32_t carried() const { return carried_; }
  // The payloads in sending order (one frame at least).
  std::vector<std::string> takeFrames();
  // The payload of a patch that fits one frame.
  std::string take();

 private:
  void startFrame(bool continued);

  std::vector<std::string> frames_;
  size_t maxFrameBytes_;
  uint32_t slotCount_;
  bool full_;
  uint32_t carried_ = 0;
  uint32_t carriedInFrame_ = 0;
};

struct SnapshotPatchView {
  struct Slot {
    uint32_t index = 0;
    std::string_view text;  // into the payload decoded
  };
  bool full = false;       // the first frame of a full patch
  bool continued = false;  // a later frame of a full patch
  uint32_t slotCount = 0;
  std::vector<Slot> slots;  // ascending index
};

// Checks the whole layout; an error names the byte offset and what is wrong
// there. The views point into `payload`.
Result<SnapshotPatchView> decodeSnapshotPatch(std::string_view payload);

// The receiving end: remembers where each slot lies in the text it built, so
// a partial patch replaces just those slots, in place. The text itself is the
// caller's (the supervisor's WorkerStatus::lastSnapshot): one copy, and while
// a full patch arrives in frames, the new text being assembled beside it.
// The text is shared with its readers: a partial patch splices it in place
// when nobody else holds it, else splices a copy and leaves the readers'
// text as it was.
class PatchedSnapshot {
 public:
  // Applies one frame to `text`, which must be the text the last apply()
  // produced unless the frame begins a full patch. A full patch's frames are
  // assembled aside and replace `text` with its last one (assembling() until
  // then). On an error `text` is left as it was and the next patch must be
  // full (expectsFull()).
  Status apply(const SnapshotPatchView& patch, SharedText& text);
  // Forget the layout (a new channel, a plain Snapshot): only a full patch
  // applies next.
  void reset();
  bool expectsFull() const { return ends_.empty(); }
  // A full patch has begun and not all its slots have arrived.
  bool assembling() const { return !assemblingEnds_.empty(); }

 private:
  Status assemble(const SnapshotPatchView& patch, SharedText& text);
  Status splice(const SnapshotPatchView& patch, SharedText& shared);

  // ends_[i]: offset just past slot i in the text.
  std::vector<size_t> ends_;
  // The full patch being assembled: its text so far and its slots' ends.
  std::string assembling_;
  std::vector<size_t> assemblingEnds_;
  uint32_t assemblingCount_ = 0;
};

}  // namespace vigil
