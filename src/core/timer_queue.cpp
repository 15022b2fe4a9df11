#include "core/timer_queue.h"

#include <algorithm>
#include <utility>

namespace vigil {
namespace {
constexpr size_t kNotArmed = SIZE_MAX;

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

class TimerQueue::Entry final : public Timer {
 public:
  Entry(TimerQueue* queue, Callbacks cb) : queue_(queue), cb_(std::move(cb)) {
    next_ = queue_->live_;
    if (next_ != nullptr) {
      next_->previous_ = this;
    }
    queue_->live_ = this;
  }
  ~Entry() override {
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

  void armAt(TimePoint deadline) override {
    if (queue_ != nullptr) {
      queue_->arm(*this, deadline);
    }
  }
  void armAfter(Duration delay) override {
    if (queue_ != nullptr) {
      queue_->arm(*this, queue_->clock_.now() + delay);
    }
  }
  void cancel() override {
    if (queue_ != nullptr) {
      queue_->disarm(*this);
    }
  }
  bool armed() const override { return slot_ != kNotArmed; }

 private:
  friend class TimerQueue;
  TimerQueue* queue_;
  // Held here, not behind a shared_ptr (one allocation less per timer:
  // 20,000 checkers hold one each): fireNextDue() moves it out while it
  // runs, so a callback that destroys its own timer keeps running safely.
  Callbacks cb_;
  size_t slot_ = kNotArmed;  // index in heap_
  Entry* previous_ = nullptr;
  Entry* next_ = nullptr;
};

TimerQueue::~TimerQueue() {
  for (Entry* entry = live_; entry != nullptr; entry = entry->next_) {
    entry->queue_ = nullptr;
    entry->slot_ = kNotArmed;
  }
}

std::unique_ptr<Timer> TimerQueue::create(EventLoop::Callback cb) {
  return std::make_unique<Entry>(this, Callbacks{std::move(cb), {}});
}

std::unique_ptr<Timer> TimerQueue::create(EventLoop::StampedCallback cb) {
  return std::make_unique<Entry>(this, Callbacks{{}, std::move(cb)});
}

void TimerQueue::place(size_t index, Slot slot) {
  heap_[index] = slot;
  slot.entry->slot_ = index;
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

void TimerQueue::arm(Entry& entry, TimePoint deadline) {
  Slot slot{deadline, nextSequence_++, &entry};
  if (entry.slot_ == kNotArmed) {
    heap_.push_back(slot);
    entry.slot_ = heap_.size() - 1;
    siftUp(entry.slot_);
    return;
  }
  // Re-arming: the new key may be earlier or later than the old one.
  size_t index = entry.slot_;
  heap_[index] = slot;
  siftUp(index);
  siftDown(entry.slot_);
}

void TimerQueue::disarm(Entry& entry) {
  size_t index = entry.slot_;
  if (index == kNotArmed) {
    return;
  }
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

std::optional<TimePoint> TimerQueue::nextDeadline() const {
  if (heap_.empty()) {
    return std::nullopt;
  }
  return heap_.front().deadline;
}

bool TimerQueue::fireNextDue(TimePoint now, uint64_t sequenceLimit) {
  if (heap_.empty()) {
    return false;
  }
  const Slot first = heap_.front();
  if (first.deadline > now || first.sequence >= sequenceLimit) {
    return false;
  }
  Entry* entry = first.entry;
  disarm(*entry);
  record(std::max(Duration{0}, now - first.deadline));
  if (!entry->cb_.stamped && !entry->cb_.plain) {
    return true;  // re-armed and due again inside its own callback (a nested fire)
  }
  // Moving a std::function allocates nothing (its target moves with it or
  // is a pointer that does). The callback goes back unless it destroyed
  // its timer (~Entry clears `self.entry`), in a destructor, so a callback
  // that throws leaves neither `firing` pointing into this frame nor its
  // timer without a callback.
  struct Running {
    Firing self;
    Entry* entry;
    Callbacks cb;
    explicit Running(Entry* e) : self{e, firing}, entry(e), cb(std::move(e->cb_)) {
      firing = &self;
    }
    Running(const Running&) = delete;
    Running& operator=(const Running&) = delete;
    ~Running() {
      firing = self.outer;
      if (self.entry != nullptr) entry->cb_ = std::move(cb);  // ~Entry nulls self.entry
    }
  } running(entry);
  if (running.cb.stamped) {
    running.cb.stamped(now);
  } else {
    running.cb.plain();
  }
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
