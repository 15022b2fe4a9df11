#include "core/timer_queue.h"

#include <algorithm>

namespace vigil {

class TimerQueue::Entry final : public Timer {
 public:
  Entry(TimerQueue* queue, EventLoop::Callback cb)
      : queue_(queue), cb_(std::make_shared<EventLoop::Callback>(std::move(cb))) {}
  ~Entry() override {
    if (queue_ != nullptr) {
      queue_->disarm(*this);
      queue_->live_.erase(this);
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
  bool armed() const override { return position_.has_value(); }

 private:
  friend class TimerQueue;
  TimerQueue* queue_;
  // Shared so a callback that destroys its own timer keeps running safely.
  std::shared_ptr<EventLoop::Callback> cb_;
  std::optional<std::map<Key, Entry*>::iterator> position_;
};

TimerQueue::~TimerQueue() {
  for (Entry* entry : live_) {
    entry->queue_ = nullptr;
    entry->position_.reset();
  }
}

std::unique_ptr<Timer> TimerQueue::create(EventLoop::Callback cb) {
  auto entry = std::make_unique<Entry>(this, std::move(cb));
  live_.insert(entry.get());
  return entry;
}

void TimerQueue::arm(Entry& entry, TimePoint deadline) {
  disarm(entry);
  entry.position_ = armed_.emplace(Key{deadline, nextSequence_++}, &entry).first;
}

void TimerQueue::disarm(Entry& entry) {
  if (entry.position_) {
    armed_.erase(*entry.position_);
    entry.position_.reset();
  }
}

std::optional<TimePoint> TimerQueue::nextDeadline() const {
  if (armed_.empty()) {
    return std::nullopt;
  }
  return armed_.begin()->first.first;
}

bool TimerQueue::fireNextDue(TimePoint now, uint64_t sequenceLimit) {
  if (armed_.empty()) {
    return false;
  }
  auto first = armed_.begin();
  auto [deadline, sequence] = first->first;
  if (deadline > now || sequence >= sequenceLimit) {
    return false;
  }
  Entry* entry = first->second;
  armed_.erase(first);
  entry->position_.reset();
  record(std::max(Duration{0}, now - deadline));
  auto cb = entry->cb_;
  (*cb)();
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
