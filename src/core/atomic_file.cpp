#include "core/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
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
  Status done = ::fchmod(fd.get(), mode) == 0 ? writeAndRename(fd.get(), temporary, path, text)
                                              : errnoError("cannot chmod " + temporary);
  if (!done) ::unlink(temporary.c_str());
  return done;
}

}  // namespace vigil
