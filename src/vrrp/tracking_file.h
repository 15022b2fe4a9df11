#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/model_vrrp.h"
#include "core/event_loop.h"
#include "core/result.h"
#include "core/unique_fd.h"

namespace vigil::vrrp {

// The number in a track_file's text: optional blanks, an optional sign and
// digits; anything after the number is ignored. A missing, unreadable or
// non-numeric file reads as 0 (keepalived's default value).
int64_t parseTrackFileValue(std::string_view text);
int64_t readTrackFile(const std::string& path);

// Applies init_file: writes the initial value when the file is missing, or
// always with `overwrite`.
Status initTrackFile(const config::TrackFile& file);

// Watches every track_file with inotify on its directory (so creation,
// rename-into-place and deletion are seen as well as writes) and reports a
// file whose value changed. Reads happen when inotify says the directory
// changed, never on a timer.
class TrackFileWatcher {
 public:
  using ChangeCallback = std::function<void(const std::string& name, int64_t value)>;

  TrackFileWatcher(EventLoop& loop, std::vector<config::TrackFile> files, ChangeCallback onChange);

  // Applies init_file, starts watching, then reports every file's initial
  // value once. An error (no inotify, a missing directory) is returned; the
  // values read so far still stand.
  Status start();
  // Re-reads every file and reports those that changed.
  void rescan();
  std::optional<int64_t> value(const std::string& name) const;

 private:
  void onReadable();

  EventLoop& loop_;
  std::vector<config::TrackFile> files_;
  ChangeCallback onChange_;
  std::map<std::string, int64_t> values_;
  UniqueFd inotify_;
  std::unique_ptr<FdWatch> watch_;
};

}  // namespace vigil::vrrp
