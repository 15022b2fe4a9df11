#include "core/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/unique_fd.h"

namespace vigil {
namespace {

// write() until all of `text` is written: a short write is not an error,
// and EINTR is retried.
Status writeAll(int fd, std::string_view text, const std::string& name) {
  while (!text.empty()) {
    const ssize_t written = ::write(fd, text.data(), text.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      return errnoError("cannot write " + name);
    }
    text.remove_prefix(static_cast<size_t>(written));
  }
  return {};
}

// The process umask, read from /proc/self/status ("Umask:\t0022") rather
// than by umask() set-and-restore, which would race with any other thread
// creating a file meanwhile. 022, the usual default, when it cannot be read.
// Read with read(2), not a stream: the first iostream a process constructs
// builds the classic locale, ~0.5 MB of libstdc++ kept resident (issue 3).
mode_t processUmask() {
  constexpr mode_t kFallback = 022;
  UniqueFd status(::open("/proc/self/status", O_RDONLY | O_CLOEXEC));
  if (!status) return kFallback;
  std::string text;
  char chunk[1024];
  for (;;) {
    const ssize_t got = ::read(status.get(), chunk, sizeof chunk);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    text.append(chunk, static_cast<size_t>(got));
  }
  constexpr std::string_view kKey = "\nUmask:";
  const size_t at = text.find(kKey);
  if (at == std::string::npos) return kFallback;
  const char* digits = text.c_str() + at + kKey.size();
  char* end = nullptr;
  const unsigned long mask = std::strtoul(digits, &end, 8);
  return end != digits ? static_cast<mode_t>(mask & 0777) : kFallback;
}

Status writeAndRename(int fd, const std::string& temporary, const std::string& path,
                      std::string_view text) {
  if (Status written = writeAll(fd, text, temporary); !written) return written;
  if (::fsync(fd) != 0) return errnoError("cannot fsync " + temporary);
  if (::rename(temporary.c_str(), path.c_str()) != 0) {
    return errnoError("cannot rename " + temporary + " to " + path);
  }
  return {};
}

}  // namespace

Status writeFileAtomically(const std::string& path, std::string_view text, mode_t mode) {
  std::string pattern = path + ".XXXXXX";
  std::vector<char> name(pattern.begin(), pattern.end());
  name.push_back('\0');
  UniqueFd fd(::mkostemp(name.data(), O_CLOEXEC));
  const std::string temporary(name.data());
  if (!fd) return errnoError("cannot create a temporary file beside " + path);
  // mkostemp made it 0600 whatever the umask; fchmod does not apply the
  // umask, so it is applied here as open(O_CREAT, mode) would have.
  const mode_t effective = mode & ~processUmask();
  Status done = ::fchmod(fd.get(), effective) == 0 ? writeAndRename(fd.get(), temporary, path, text)
                                                   : errnoError("cannot chmod " + temporary);
  if (!done) ::unlink(temporary.c_str());
  return done;
}

}  // namespace vigil
