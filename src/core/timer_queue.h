#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/event_loop.h"
#include "core/timer_entry.h"

namespace vigil {

// How late timers fired compared with their deadlines. The VRRP worker
// publishes it: a late advertisement timer is a failover risk.
struct TimerLateness {
  Duration max{0};
  Duration total{0};
  uint64_t count = 0;  // timers fired
};

// The ordered set of armed one-shot timers that both PosixEventLoop and
// SimulatedLoop fire. Order is (deadline, arm sequence): equal deadlines fire
// in the order they were armed, and re-arming counts as arming anew.
//
// Callbacks may create, re-arm, cancel or destroy any timer, including the
// one being fired. Timers may outlive the queue; they then do nothing.
//
// Armed timers sit in one of a few lanes or in a binary heap. A lane is a
// list whose deadlines never decrease from head to tail, so its head is its
// earliest timer and arming at its tail costs O(1): timers re-armed by the
// same delay (a check worker's connect_timeouts, its checkers' next attempts
// on the 50 ms tick grid, tens of thousands per second) arrive in deadline
// order, and each such stream keeps to a lane of its own. A timer goes to
// the lane whose tail is the latest deadline not after its own, or to an
// empty lane; when none fits, to the heap (whose entries know their slot).
// The earliest timer is the earliest of the lane heads and the heap's top.
// Arming, re-arming and cancelling allocate nothing, and the live timers are
// an intrusive list.
class TimerQueue {
 public:
  explicit TimerQueue(const Clock& clock) : clock_(clock) {}
  ~TimerQueue();
  TimerQueue(const TimerQueue&) = delete;
  TimerQueue& operator=(const TimerQueue&) = delete;

  std::unique_ptr<Timer> create(EventLoop::Callback cb);
  // Its callback gets the `now` fireNextDue was given.
  std::unique_ptr<Timer> create(EventLoop::StampedCallback cb);
  // Links an entry kept by its owner (EventLoop::attachTimer).
  void attach(TimerEntry& entry);

  std::optional<TimePoint> nextDeadline() const;
  size_t armedCount() const { return heap_.size() + inLanes_; }
  // Of armedCount(), those in the heap (the rest are in lanes).
  size_t heapCount() const { return heap_.size(); }

  // The sequence the next arming will get. A loop that fires a batch passes
  // the value from before the batch to fireNextDue, so a timer re-armed for
  // "now" inside the batch waits for the next turn instead of starving I/O.
  uint64_t sequenceMark() const { return nextSequence_; }
  // Whether the earliest timer was armed before sequenceLimit. When not,
  // fireNextDue fires nothing whatever the time, so a loop need not read
  // its clock to ask.
  bool frontArmedBefore(uint64_t sequenceLimit) const {
    const Slot first = front();
    return first.entry != nullptr && first.sequence < sequenceLimit;
  }

  // Fires the earliest timer when its deadline is <= now and it was armed
  // before sequenceLimit. Returns whether one fired.
  bool fireNextDue(TimePoint now, uint64_t sequenceLimit = UINT64_MAX);

  const TimerLateness& lateness() const { return lateness_; }
  // Called with each firing's lateness (for histograms).
  void setLatenessObserver(std::function<void(Duration)> observer) {
    latenessObserver_ = std::move(observer);
  }

 private:
  using Entry = TimerEntry;
  friend class TimerEntry;
  // An Entry with its one callback, Callback or StampedCallback: a
  // std::function's room alone, no variant's tag (a check worker keeps
  // 20,000 timers; issue 4).
  template <class Fn>
  class CallbackEntry;
  struct Slot {
    TimePoint deadline;
    uint64_t sequence;
    Entry* entry;
    bool before(const Slot& other) const {
      return deadline != other.deadline ? deadline < other.deadline : sequence < other.sequence;
    }
  };

  static Slot keyOf(Entry& entry) { return Slot{entry.deadline_, entry.sequence_, &entry}; }

  // Entries whose deadlines never decrease from head to tail.
  struct Lane {
    Entry* head = nullptr;
    Entry* tail = nullptr;
  };
  static constexpr size_t kLanes = 8;
  static constexpr TimePoint kEmptyTail = TimePoint::min();

  static std::array<TimePoint, kLanes> filledWith(TimePoint t) {
    std::array<TimePoint, kLanes> out;
    out.fill(t);
    return out;
  }
  // The earliest armed timer (entry null when none).
  Slot front() const;
  Slot findFront() const;
  // The lane `deadline` can be appended to, or kLanes when none.
  size_t laneFor(TimePoint deadline) const;
  void append(size_t lane, Entry& entry);
  void unlink(Entry& entry);
  void arm(Entry& entry, TimePoint deadline);
  void disarm(Entry& entry);
  void place(size_t index, Slot slot);
  void siftUp(size_t index);
  void siftDown(size_t index);
  void record(Duration lateness);

  const Clock& clock_;
  std::array<Lane, kLanes> lanes_;
  // Each lane's tail deadline (kEmptyTail: empty), side by side for laneFor.
  std::array<TimePoint, kLanes> tails_ = filledWith(kEmptyTail);
  size_t inLanes_ = 0;
  size_t laneEnd_ = 0;      // lanes_[laneEnd_] and beyond are empty
  std::vector<Slot> heap_;  // heap_[0] fires first
  // front()'s answer since the last change (entry null: to be found).
  mutable Slot front_{};
  mutable bool frontKnown_ = false;
  Entry* live_ = nullptr;  // every entry of this queue, as a doubly linked list
  uint64_t nextSequence_ = 0;
  TimerLateness lateness_;
  std::function<void(Duration)> latenessObserver_;
};

}  // namespace vigil
