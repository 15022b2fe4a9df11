#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

// A worker's snapshot sent as numbered slots: the JSON text is the
// concatenation of every slot's text in index order, and after the first
// (full) patch on a channel a worker sends only the slots whose text changed.
// The check worker's snapshot is ~400 bytes per real server (8 MB at 20,000)
// and at delay_loop 1 some part of it changes every second: sending, hashing
// and keeping the whole text each heartbeat was most of the worker's snapshot
// cost (doc/benchmarks.md "Checker RSS").
//
// Payload of a SnapshotPatch message, all integers big-endian:
//   byte 0      flags: bit 0 full (every slot present: the text is replaced)
//   bytes 1-3   reserved, zero
//   bytes 4-7   slot count of the whole text
//   then for each slot carried, in ascending index order:
//     4 bytes index, 4 bytes length, `length` bytes of text
namespace vigil {

// Builds one patch payload as the worker renders it (no copy per slot).
class SnapshotPatchBuilder {
 public:
  SnapshotPatchBuilder(bool full, uint32_t slotCount);

  // Slots go in ascending index order; a full patch carries each of them.
  void add(uint32_t index, std::string_view text);

  bool full() const { return full_; }
  // No slot carried: the receiver's text is current (a heartbeat).
  bool empty() const { return carried_ == 0; }
  uint32_t carried() const { return carried_; }
  std::string take() { return std::move(payload_); }

 private:
  std::string payload_;
  bool full_;
  uint32_t carried_ = 0;
};

struct SnapshotPatchView {
  struct Slot {
    uint32_t index = 0;
    std::string_view text;  // into the payload decoded
  };
  bool full = false;
  uint32_t slotCount = 0;
  std::vector<Slot> slots;  // ascending index
};

// Checks the whole layout; an error names the byte offset and what is wrong
// there. The views point into `payload`.
Result<SnapshotPatchView> decodeSnapshotPatch(std::string_view payload);

// The receiving end: remembers where each slot lies in the text it built, so
// a partial patch replaces just those slots. The text itself is the caller's
// (the supervisor's WorkerStatus::lastSnapshot): one copy, never two.
class PatchedSnapshot {
 public:
  // Applies `patch` to `text`, which must be the text the last apply()
  // produced unless the patch is full. On an error `text` is left as it was
  // and the next patch must be full (expectsFull()).
  Status apply(const SnapshotPatchView& patch, std::string& text);
  // Forget the layout (a new channel, a plain Snapshot): only a full patch
  // applies next.
  void reset() { ends_.clear(); }
  bool expectsFull() const { return ends_.empty(); }

 private:
  // ends_[i]: offset just past slot i in the text.
  std::vector<size_t> ends_;
};

}  // namespace vigil
