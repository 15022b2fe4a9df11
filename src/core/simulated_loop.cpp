#include "core/simulated_loop.h"

#include <algorithm>

namespace vigil {

class SimulatedLoop::Watch final : public FdWatch {
 public:
  Watch(SimulatedLoop* loop, int fd, uint32_t events, FdCallback cb)
      : loop_(loop), fd_(fd), events_(events), cb_(std::make_shared<FdCallback>(std::move(cb))) {}
  ~Watch() override {
    if (loop_ == nullptr) {
      return;
    }
    auto [first, last] = loop_->watches_.equal_range(fd_);
    for (auto it = first; it != last; ++it) {
      if (it->second == this) {
        loop_->watches_.erase(it);
        break;
      }
    }
  }
  void setEvents(uint32_t epollEvents) override { events_ = epollEvents; }

 private:
  friend class SimulatedLoop;
  SimulatedLoop* loop_;
  int fd_;
  uint32_t events_;
  std::shared_ptr<FdCallback> cb_;
};

SimulatedLoop::SimulatedLoop(TimePoint start) { clock_.set(start); }

SimulatedLoop::~SimulatedLoop() {
  for (auto& [fd, watch] : watches_) {
    watch->loop_ = nullptr;
  }
}

std::unique_ptr<Timer> SimulatedLoop::createTimer(Callback cb) {
  return timers_.create(std::move(cb));
}

std::unique_ptr<Timer> SimulatedLoop::createStampedTimer(StampedCallback cb) {
  return timers_.create(std::move(cb));
}

std::unique_ptr<FdWatch> SimulatedLoop::watchFd(int fd, uint32_t epollEvents, FdCallback cb) {
  auto watch = std::make_unique<Watch>(this, fd, epollEvents, std::move(cb));
  watches_.emplace(fd, watch.get());
  return watch;
}

void SimulatedLoop::post(Callback cb) { posted_.push_back(std::move(cb)); }

void SimulatedLoop::runPosted() {
  while (!posted_.empty()) {
    Callback cb = std::move(posted_.front());
    posted_.pop_front();
    cb();
  }
}

void SimulatedLoop::advance(Duration d) { advanceTo(now() + d); }

void SimulatedLoop::advanceTo(TimePoint target) {
  runPosted();
  for (auto next = timers_.nextDeadline(); next && *next <= target; next = timers_.nextDeadline()) {
    clock_.set(std::max(now(), *next));
    timers_.fireNextDue(now());
    runPosted();
  }
  clock_.set(std::max(now(), target));
}

bool SimulatedLoop::fire(int fd, uint32_t epollEvents) {
  auto it = watches_.find(fd);
  if (it == watches_.end()) {
    return false;
  }
  auto cb = it->second->cb_;
  (*cb)(epollEvents);
  runPosted();
  return true;
}

std::optional<uint32_t> SimulatedLoop::watchedEvents(int fd) const {
  auto it = watches_.find(fd);
  if (it == watches_.end()) {
    return std::nullopt;
  }
  return it->second->events_;
}

std::vector<int> SimulatedLoop::watchedFds() const {
  std::vector<int> fds;
  for (const auto& [fd, watch] : watches_) {
    if (fds.empty() || fds.back() != fd) fds.push_back(fd);
  }
  return fds;
}

}  // namespace vigil
