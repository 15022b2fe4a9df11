#include "vrrp/tracking_file.h"

#include <sys/epoll.h>
#include <sys/inotify.h>

#include <cctype>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "core/log.h"

namespace vigil::vrrp {

int64_t parseTrackFileValue(std::string_view text) {
  size_t i = 0;
  while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) {
    ++i;
  }
  if (i < text.size() && text[i] == '+') {
    ++i;
  }
  int64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data() + i, text.data() + text.size(), value);
  (void)ptr;
  return ec == std::errc{} ? value : 0;
}

int64_t readTrackFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    return 0;
  }
  std::ostringstream text;
  text << in.rdbuf();
  return parseTrackFileValue(text.str());
}

Status initTrackFile(const config::TrackFile& file) {
  if (!file.initFile) {
    return {};
  }
  std::error_code ec;
  if (!file.initOverwrite && std::filesystem::exists(file.path, ec)) {
    return {};
  }
  std::ofstream out(file.path, std::ios::trunc);
  out << file.initValue << '\n';
  if (!out) {
    return Error{EIO, "track_file " + file.name + ": cannot write " + file.path};
  }
  return {};
}

TrackFileWatcher::TrackFileWatcher(EventLoop& loop, std::vector<config::TrackFile> files,
                                   ChangeCallback onChange)
    : loop_(loop), files_(std::move(files)), onChange_(std::move(onChange)) {}

Status TrackFileWatcher::start() {
  Status result;
  for (const auto& file : files_) {
    if (Status s = initTrackFile(file); !s && result) {
      result = s;
    }
  }
  inotify_.reset(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
  if (!inotify_) {
    result = errnoError("track_file: inotify_init1");
  } else {
    std::set<std::string> dirs;
    for (const auto& file : files_) {
      dirs.insert(std::filesystem::path(file.path).parent_path().string());
    }
    for (const auto& dir : dirs) {
      uint32_t mask = IN_CLOSE_WRITE | IN_MODIFY | IN_CREATE | IN_DELETE | IN_MOVED_TO |
                      IN_MOVED_FROM | IN_ATTRIB;
      if (::inotify_add_watch(inotify_.get(), dir.empty() ? "." : dir.c_str(), mask) < 0 &&
          result) {
        result = errnoError("track_file: watch " + dir);
      }
    }
    watch_ = loop_.watchFd(inotify_.get(), EPOLLIN, [this](uint32_t) { onReadable(); });
  }
  for (const auto& file : files_) {
    int64_t v = readTrackFile(file.path);
    values_[file.name] = v;
    if (onChange_) {
      onChange_(file.name, v);
    }
  }
  return result;
}

void TrackFileWatcher::onReadable() {
  alignas(inotify_event) char buf[4096];
  while (::read(inotify_.get(), buf, sizeof buf) > 0) {
    // Which file changed does not matter: rescanning a handful of small
    // files is cheaper than matching names.
  }
  rescan();
}

void TrackFileWatcher::rescan() {
  for (const auto& file : files_) {
    int64_t v = readTrackFile(file.path);
    auto it = values_.find(file.name);
    if (it != values_.end() && it->second == v) {
      continue;
    }
    values_[file.name] = v;
    log(LogLevel::Info, "track_file {}: value {}", file.name, v);
    if (onChange_) {
      onChange_(file.name, v);
    }
  }
}

std::optional<int64_t> TrackFileWatcher::value(const std::string& name) const {
  auto it = values_.find(name);
  return it == values_.end() ? std::nullopt : std::optional<int64_t>(it->second);
}

}  // namespace vigil::vrrp
