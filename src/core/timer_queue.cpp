#include "core/timer_queue.h"

#include <algorithm>
#include <type_traits>
#include <utility>

namespace vigil {
namespace {
constexpr uint32_t kNotArmed = UINT32_MAX;
constexpr uint8_t kNoLane = UINT8_MAX;

// The timers whose callbacks run now on this thread, innermost first (a
// callback may fire timers itself): an entry destroyed by its own callback
// is nulled here, so fireNextDue() does not give the callback back to it.
// Per thread, as every queue is used by its loop's thread only.
struct Firing {
  const void* entry;
  Firing* outer;
};
thread_local Firing* firing = nullptr;
}  // namespace

TimerEntry::~TimerEntry() {
  if (queue_ == nullptr) {
    return;
  }
  for (Firing* f = firing; f != nullptr; f = f->outer) {
    if (f->entry == this) f->entry = nullptr;  // its callback, running, destroyed it
  }
  queue_->disarm(*this);
  if (previous_ != nullptr) {
    previous_->next_ = next_;
  } else {
    queue_->live_ = next_;
  }
  if (next_ != nullptr) {
    next_->previous_ = previous_;
  }
}

void TimerEntry::armAt(TimePoint deadline) {
  if (queue_ != nullptr) {
    queue_->arm(*this, deadline);
  }
}

void TimerEntry::armAfter(Duration delay) {
  if (queue_ != nullptr) {
    queue_->arm(*this, queue_->clock_.now() + delay);
  }
}

void TimerEntry::cancel() {
  if (queue_ != nullptr) {
    queue_->disarm(*this);
  }
}

bool TimerEntry::armed() const { return slot_ != kNotArmed || lane_ != kNoLane; }

void TimerQueue::attach(TimerEntry& entry) {
  if (entry.queue_ != nullptr) {
    return;  // attached already
  }
  entry.queue_ = this;
  entry.next_ = live_;
  if (live_ != nullptr) {
    live_->previous_ = &entry;
  }
  live_ = &entry;
}

TimerQueue::~TimerQueue() {
  for (Entry* entry = live_; entry != nullptr; entry = entry->next_) {
    entry->queue_ = nullptr;
    entry->slot_ = kNotArmed;
    entry->lane_ = kNoLane;
  }
}

// The callback is held here, not behind a shared_ptr (one allocation less
// per timer: 20,000 checkers hold one each). fire() moves it out while it
// runs, so a callback that destroys its own timer keeps running safely;
// moving a std::function allocates nothing (its target moves with it or is
// a pointer that does). It goes back unless the callback destroyed its
// timer (~Entry clears `self.entry`), in a destructor, so a callback that
// throws leaves neither `firing` pointing into this frame nor its timer
// without a callback.
template <class Fn>
class TimerQueue::CallbackEntry final : public Entry {
 public:
  explicit CallbackEntry(Fn cb) : cb_(std::move(cb)) {}

  void fire(TimePoint now) override {
    if (!cb_) return;
    struct Running {
      Firing self;
      Fn* slot;
      Fn cb;
      Running(Entry* entry, Fn& from) : self{entry, firing}, slot(&from), cb(std::move(from)) {
        firing = &self;
      }
      Running(const Running&) = delete;
      Running& operator=(const Running&) = delete;
      ~Running() {
        firing = self.outer;
        if (self.entry != nullptr) *slot = std::move(cb);  // ~Entry nulls self.entry
      }
    } running(this, cb_);
    if constexpr (std::is_invocable_v<Fn&, TimePoint>) {
      running.cb(now);
    } else {
      running.cb();
    }
  }

 private:
  Fn cb_;
};

std::unique_ptr<Timer> TimerQueue::create(EventLoop::Callback cb) {
  auto entry = std::make_unique<CallbackEntry<EventLoop::Callback>>(std::move(cb));
  attach(*entry);
  return entry;
}

std::unique_ptr<Timer> TimerQueue::create(EventLoop::StampedCallback cb) {
  auto entry = std::make_unique<CallbackEntry<EventLoop::StampedCallback>>(std::move(cb));
  attach(*entry);
  return entry;
}

void TimerQueue::place(size_t index, Slot slot) {
  heap_[index] = slot;
  slot.entry->slot_ = static_cast<uint32_t>(index);
}

void TimerQueue::siftUp(size_t index) {
  Slot moving = heap_[index];
  while (index > 0) {
    size_t parent = (index - 1) / 2;
    if (!moving.before(heap_[parent])) {
      break;
    }
    place(index, heap_[parent]);
    index = parent;
  }
  place(index, moving);
}

void TimerQueue::siftDown(size_t index) {
  Slot moving = heap_[index];
  const size_t size = heap_.size();
  while (true) {
    size_t child = 2 * index + 1;
    if (child >= size) {
      break;
    }
    if (child + 1 < size && heap_[child + 1].before(heap_[child])) {
      ++child;
    }
    if (!heap_[child].before(moving)) {
      break;
    }
    place(index, heap_[child]);
    index = child;
  }
  place(index, moving);
}

// The lane whose tail is the latest deadline not after `deadline` keeps
// streams of timers apart (a connect_timeout's stream does not take the
// lane of the next attempts'); an empty lane (kEmptyTail) fits only when
// none does.
// Only the lanes in use are scanned, and the first empty one after them.
size_t TimerQueue::laneFor(TimePoint deadline) const {
  size_t best = kLanes;
  TimePoint bestTail = kEmptyTail;
  const size_t end = std::min(laneEnd_ + 1, kLanes);
  for (size_t i = 0; i < end; ++i) {
    const TimePoint tail = tails_[i];
    if (tail <= deadline && (best == kLanes || tail > bestTail)) {
      best = i;
      bestTail = tail;
    }
  }
  return best;
}

void TimerQueue::append(size_t lane, Entry& entry) {
  Lane& to = lanes_[lane];
  entry.lane_ = static_cast<uint8_t>(lane);
  entry.earlier_ = to.tail;
  entry.later_ = nullptr;
  if (to.tail != nullptr) {
    to.tail->later_ = &entry;
  } else {
    to.head = &entry;
  }
  to.tail = &entry;
  tails_[lane] = entry.deadline_;
  laneEnd_ = std::max(laneEnd_, lane + 1);
  ++inLanes_;
}

void TimerQueue::unlink(Entry& entry) {
  Lane& from = lanes_[entry.lane_];
  (entry.earlier_ != nullptr ? entry.earlier_->later_ : from.head) = entry.later_;
  if (entry.later_ != nullptr) {
    entry.later_->earlier_ = entry.earlier_;
  } else {
    from.tail = entry.earlier_;
    tails_[entry.lane_] = from.tail != nullptr ? from.tail->deadline_ : kEmptyTail;
    while (laneEnd_ > 0 && lanes_[laneEnd_ - 1].tail == nullptr) --laneEnd_;
  }
  entry.lane_ = kNoLane;
  --inLanes_;
}

void TimerQueue::arm(Entry& entry, TimePoint deadline) {
  if (entry.lane_ != kNoLane && entry.later_ == nullptr && deadline >= entry.deadline_) {
    // The tail of its lane moving later stays its tail, in place: a
    // backup's Master_Down_Timer and a master's Adver_Timer are re-armed
    // this way on every advert. With the newest sequence the lane stays in
    // (deadline, sequence) order. Moving later, it can only stop being the
    // front, never become it.
    if (front_.entry == &entry) {
      frontKnown_ = false;
      front_.entry = nullptr;
    }
    entry.deadline_ = deadline;
    entry.sequence_ = nextSequence_++;
    tails_[entry.lane_] = deadline;
    return;
  }
  disarm(entry);
  entry.deadline_ = deadline;
  entry.sequence_ = nextSequence_++;
  // Only a timer that comes before the known front moves it.
  if (frontKnown_ && (front_.entry == nullptr || keyOf(entry).before(front_))) {
    front_ = keyOf(entry);
  }
  // Appending keeps the lane in (deadline, sequence) order: the deadline is
  // not before the tail's, and the sequence is the newest.
  if (const size_t lane = laneFor(deadline); lane != kLanes) {
    append(lane, entry);
    return;
  }
  heap_.push_back(keyOf(entry));
  entry.slot_ = static_cast<uint32_t>(heap_.size() - 1);
  siftUp(entry.slot_);
}

void TimerQueue::disarm(Entry& entry) {
  if (!entry.armed()) {
    return;
  }
  if (front_.entry == &entry) {
    frontKnown_ = false;
    front_.entry = nullptr;
  }
  if (entry.lane_ != kNoLane) {
    unlink(entry);
    return;
  }
  size_t index = entry.slot_;
  entry.slot_ = kNotArmed;
  Slot last = heap_.back();
  heap_.pop_back();
  if (index == heap_.size()) {
    return;  // it was the last slot
  }
  place(index, last);
  siftUp(index);
  siftDown(last.entry->slot_);
}

TimerQueue::Slot TimerQueue::front() const {
  if (!frontKnown_) {
    front_ = findFront();
    frontKnown_ = true;
  }
  return front_;
}

TimerQueue::Slot TimerQueue::findFront() const {
  Slot first = heap_.empty() ? Slot{{}, 0, nullptr} : heap_.front();
  for (size_t i = 0; i < laneEnd_; ++i) {
    const Lane& lane = lanes_[i];
    if (lane.head == nullptr) continue;
    const Slot head = keyOf(*lane.head);
    if (first.entry == nullptr || head.before(first)) first = head;
  }
  return first;
}

std::optional<TimePoint> TimerQueue::nextDeadline() const {
  const Slot first = front();
  if (first.entry == nullptr) {
    return std::nullopt;
  }
  return first.deadline;
}

bool TimerQueue::fireNextDue(TimePoint now, uint64_t sequenceLimit) {
  const Slot first = front();
  if (first.entry == nullptr || first.deadline > now || first.sequence >= sequenceLimit) {
    return false;
  }
  Entry* entry = first.entry;
  disarm(*entry);
  record(std::max(Duration{0}, now - first.deadline));
  entry->fire(now);
  return true;
}

void TimerQueue::record(Duration lateness) {
  lateness_.max = std::max(lateness_.max, lateness);
  lateness_.total += lateness;
  ++lateness_.count;
  if (latenessObserver_) {
    latenessObserver_(lateness);
  }
}

}  // namespace vigil
