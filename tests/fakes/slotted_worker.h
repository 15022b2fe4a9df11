#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/supervisor.h"
#include "core/worker_host.h"
#include "fakes/run_until.h"

namespace vigil::fakes {

// A worker whose snapshot is a list of slots (core/snapshot_patch.h) the test
// edits through a shared State: snapshot() is their concatenation, and a
// patch carries the slots edited since the last one (all when full).
class SlottedWorker final : public Worker {
 public:
  struct State {
    std::vector<std::string> slots;
    std::vector<bool> edited;
    int fullPatches = 0;     // full patches built
    int partialPatches = 0;  // partial ones, empty or not
    // The next partial patch claims one slot more than there are (a bug a
    // receiver must survive).
    bool lieAboutCount = false;
    // Full patches claim one slot more than they carry (a worker whose full
    // snapshot never applies).
    bool lieInFull = false;
    // A full patch asked for goes out as a partial one: the partial patches
    // the worker had already sent before the Resync reached it.
    bool holdFull = false;

    void set(size_t slot, std::string text) {
      slots.at(slot) = std::move(text);
      edited.at(slot) = true;
    }
  };

  explicit SlottedWorker(std::shared_ptr<State> state) : state_(std::move(state)) {}

  std::string snapshot() const override {
    std::string text;
    for (const std::string& slot : state_->slots) text += slot;
    return text;
  }
  void reload(uint64_t) override {}

  std::optional<SnapshotPatchBuilder> snapshotPatch(bool full) override {
    State& s = *state_;
    auto count = static_cast<uint32_t>(s.slots.size());
    if (full && s.holdFull) full = false;
    if (!full && s.lieAboutCount) {
      s.lieAboutCount = false;
      ++count;
    }
    if (full && s.lieInFull) ++count;
    SnapshotPatchBuilder patch(full, count);
    ++(full ? s.fullPatches : s.partialPatches);
    for (uint32_t i = 0; i < s.slots.size(); ++i) {
      if (full || s.edited[i]) patch.add(i, s.slots[i]);
      s.edited[i] = false;
    }
    return patch;
  }

 private:
  std::shared_ptr<State> state_;
};

inline std::shared_ptr<SlottedWorker::State> slottedState(std::vector<std::string> slots) {
  auto state = std::make_shared<SlottedWorker::State>();
  state->edited.assign(slots.size(), false);
  state->slots = std::move(slots);
  return state;
}

// A Supervisor over one in-process "check" worker, a SlottedWorker on
// `state`, so the test edits the worker's snapshot directly; `options` sets
// the rest (snapshot interval, hooks).
inline std::unique_ptr<Supervisor> slottedSupervisor(PosixEventLoop& loop,
                                                     std::shared_ptr<SlottedWorker::State> state,
                                                     SupervisorOptions options) {
  options.inProcess = true;
  WorkerFactory factory = [state = std::move(state)](EventLoop&) {
    return std::make_unique<SlottedWorker>(state);
  };
  return std::make_unique<Supervisor>(loop, std::vector<WorkerSpec>{{"check", std::move(factory)}},
                                      options);
}

// Stops `supervisor` and runs `loop` until it has (at most 10 s): false if
// it did not.
inline bool stopSupervisor(PosixEventLoop& loop, Supervisor& supervisor) {
  bool stopped = false;
  supervisor.stop([&] { stopped = true; });
  return runUntil(
      loop, [&] { return stopped; }, std::chrono::seconds(10));
}

}  // namespace vigil::fakes
