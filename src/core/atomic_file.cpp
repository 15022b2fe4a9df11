#include "core/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
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
mode_t processUmask() {
  constexpr mode_t kFallback = 022;
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    constexpr std::string_view kKey = "Umask:";
    if (line.compare(0, kKey.size(), kKey) != 0) continue;
    char* end = nullptr;
    const unsigned long mask = std::strtoul(line.c_str() + kKey.size(), &end, 8);
    return end != line.c_str() + kKey.size() ? static_cast<mode_t>(mask & 0777) : kFallback;
  }
  return kFallback;
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
