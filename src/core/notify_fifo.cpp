#include "core/notify_fifo.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace vigil {

NotifyFifoWriter::NotifyFifoWriter(std::string path) : path_(std::move(path)) {}

Status NotifyFifoWriter::create() {
  struct stat st {};
  if (::stat(path_.c_str(), &st) == 0) {
    if (!S_ISFIFO(st.st_mode)) {
      return Error{EEXIST, "notify fifo " + path_ + " exists and is not a FIFO"};
    }
    return {};
  }
  if (::mkfifo(path_.c_str(), 0600) != 0 && errno != EEXIST) {
    return errnoError("notify fifo: mkfifo " + path_);
  }
  return {};
}

bool NotifyFifoWriter::ensureOpen() {
  if (fd_) {
    return true;
  }
  // O_NONBLOCK: with no reader the open fails (ENXIO) instead of waiting.
  fd_.reset(::open(path_.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC));
  return fd_.valid();
}

bool NotifyFifoWriter::write(std::string_view line, TimePoint now) {
  std::string framed(line);
  framed += '\n';
  int error = 0;
  if (ensureOpen()) {
    // Lines are shorter than PIPE_BUF, so a write is all or nothing.
    ssize_t n = ::write(fd_.get(), framed.data(), framed.size());
    if (n == static_cast<ssize_t>(framed.size())) {
      ++written_;
      return true;
    }
    error = n < 0 ? errno : EIO;
    if (error != EAGAIN) {
      fd_.reset();  // the reader went away: reopen for the next line
    }
  } else {
    error = errno;
  }
  ++dropped_;
  dropLog_.log(now.time_since_epoch(), LogLevel::Warning,
               "notify fifo {}: dropped '{}' ({}; {} dropped so far)", path_, line,
               Error{error, "no reader or full"}.describe(), dropped_);
  return false;
}

}  // namespace vigil
