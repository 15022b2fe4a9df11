#include "cli/vigild/kernel_lvs_globals.h"

#include "core/log.h"
#include "ipvs/kernel/kernel_settings.h"

namespace vigil::cli {
namespace {

using ipvs::kernel::KernelDataplane;

// `lvs_flush_on_stop`: everything still in the table goes when the check
// worker lets go of the dataplane.
class FlushOnStop final : public ipvs::Dataplane {
 public:
  explicit FlushOnStop(std::unique_ptr<KernelDataplane> kernel) : kernel_(std::move(kernel)) {}
  ~FlushOnStop() override {
    if (Status flushed = kernel_->flush(); !flushed) {
      log(LogLevel::Error, "lvs_flush_on_stop: {}", flushed.error().describe());
    }
  }

  Result<ipvs::IpvsState> read() override { return kernel_->read(); }
  ipvs::ApplyReport apply(const std::vector<ipvs::Op>& ops) override { return kernel_->apply(ops); }
  std::string_view name() const override { return kernel_->name(); }
  Result<ipvs::IpvsStats> readStats() override { return kernel_->readStats(); }

 private:
  std::unique_ptr<KernelDataplane> kernel_;
};

bool anyTimeout(const config::LvsTimeouts& timeouts) {
  return timeouts.tcp || timeouts.tcpFin || timeouts.udp;
}

}  // namespace

std::unique_ptr<ipvs::Dataplane> withLvsGlobals(std::unique_ptr<KernelDataplane> kernel,
                                                const config::GlobalDefs& global) {
  if (anyTimeout(global.lvsTimeouts)) {
    if (Status set = kernel->setTimeouts(ipvs::kernel::lvsTimeouts(global.lvsTimeouts)); !set) {
      log(LogLevel::Error, "lvs_timeouts: {}", set.error().describe());
    }
  }
  if (global.lvsFlush) {
    if (Status flushed = kernel->flush(); !flushed) {
      log(LogLevel::Error, "lvs_flush: {}", flushed.error().describe());
    }
  }
  if (global.lvsFlushOnStop == config::LvsFlushOnStop::All) {
    return std::make_unique<FlushOnStop>(std::move(kernel));
  }
  return kernel;
}

}  // namespace vigil::cli
