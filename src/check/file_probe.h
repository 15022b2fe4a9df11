#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "check/probe.h"
#include "config/model_lvs.h"
#include "core/event_loop.h"

// FILE_CHECK: each attempt reads the number in the tracked file (a
// top-level track_file block's `file`). The file is read once per
// delay_loop; nothing waits on it.
namespace vigil::check {

struct FileRule {
  std::string path;               // track_file's file
  int64_t multiplier = 1;         // FILE_CHECK weight
  bool reverse = false;           // weight ... reverse: the product is negated
  bool dynamic = false;           // FILE_CHECK dynamic
  uint32_t configuredWeight = 1;  // the real server's weight
};

class FileProbe final : public Probe {
 public:
  FileProbe(EventLoop& loop, FileRule rule);
  ~FileProbe() override;

  void start(Done done) override;
  void abort(AbortReason reason) override;

  // What a file's text means under `rule` (pure):
  // - weight 0: 0 is Up, any other number FileFault;
  // - otherwise product = number * weight (negated under reverse) and the
  //   real server's weight would be configured + product: negative is
  //   FileFault, else Up, carrying that weight (clamped to the IPVS
  //   maximum) when `dynamic` is set.
  // Text that does not start with an integer is FileFault.
  static ProbeResult interpret(std::string_view text, const FileRule& rule);

 private:
  EventLoop& loop_;
  FileRule rule_;
  uint64_t attempt_ = 0;  // bumped by start() and abort(): stale posts are dropped
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace vigil::check
