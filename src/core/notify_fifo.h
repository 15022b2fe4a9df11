#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/log.h"
#include "core/result.h"
#include "core/unique_fd.h"

namespace vigil {

// Writes notify lines to a FIFO (notify_fifo / vrrp_notify_fifo) without
// ever blocking: the FIFO is opened O_NONBLOCK, a line that cannot be
// written whole right now (no reader, pipe full) is dropped and counted,
// and the drop is logged at a limited rate. With no reader the open is
// retried on the next line. The FIFO is created (mode 0600, or the mode of
// an existing FIFO is kept) when missing.
//
// Writing after the reader has gone raises SIGPIPE; the VRRP worker ignores
// it (core/worker_host), so this sees EPIPE and reopens later.
class NotifyFifoWriter {
 public:
  explicit NotifyFifoWriter(std::string path);

  // Creates the FIFO if the path does not exist; an error when something
  // other than a FIFO is there or mkfifo fails.
  Status create();
  // `line` without its newline; returns whether it was written.
  bool write(std::string_view line, TimePoint now);

  const std::string& path() const { return path_; }
  uint64_t written() const { return written_; }
  uint64_t dropped() const { return dropped_; }

 private:
  bool ensureOpen();

  std::string path_;
  UniqueFd fd_;
  uint64_t written_ = 0;
  uint64_t dropped_ = 0;
  RateLimitedLog dropLog_{3, std::chrono::seconds(60)};
};

}  // namespace vigil
