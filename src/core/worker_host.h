#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/channel.h"
#include "core/clock.h"
#include "core/event_loop.h"
#include "core/unique_fd.h"

namespace vigil {

// What a worker (VRRP, checkers) does, whether it has a process of its own
// or runs inside the supervisor (--single-process).
class Worker {
 public:
  virtual ~Worker() = default;
  // A JSON object describing the worker's state, sent to the supervisor.
  virtual std::string snapshot() const = 0;
  // The supervisor accepted configuration generation `generation`.
  virtual void reload(uint64_t generation) = 0;
};

// Builds a worker on the loop it will run on.
using WorkerFactory = std::function<std::unique_ptr<Worker>(EventLoop& loop)>;

// The worker's end of the supervisor channel: says Hello, sends a Snapshot
// every snapshotInterval (the supervisor's heartbeat), applies Reload, and
// calls onStop when told to Stop or when the supervisor goes away.
class WorkerHost {
 public:
  WorkerHost(EventLoop& loop, UniqueFd channelFd, std::string name, std::unique_ptr<Worker> worker,
             Duration snapshotInterval, std::function<void()> onStop);
  ~WorkerHost();

  Worker& worker() { return *worker_; }
  const Channel& channel() const { return channel_; }
  void sendSnapshot();

 private:
  void onMessage(const Message& message);

  EventLoop& loop_;
  std::string name_;
  std::unique_ptr<Worker> worker_;
  Duration snapshotInterval_;
  std::function<void()> onStop_;
  Channel channel_;
  std::unique_ptr<Timer> snapshotTimer_;
};

// The main of a worker process: its own PosixEventLoop with SIGTERM/SIGINT
// stopping it, a WorkerHost on channelFd, run until stopped. Returns the exit
// status.
int runWorkerProcess(const std::string& name, const WorkerFactory& factory, UniqueFd channelFd,
                     Duration snapshotInterval);

// `text` as a JSON string literal, quotes included.
std::string jsonQuote(std::string_view text);

}  // namespace vigil
