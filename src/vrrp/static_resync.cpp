#include "vrrp/static_resync.h"

#include <utility>

#include "core/log.h"

namespace vigil::vrrp {

StaticResync::StaticResync(EventLoop& loop, RoutingEntries& entries, netlink::RoutingDumper* dumper,
                           InterfaceIndexOf indexOf)
    : loop_(loop), entries_(entries), dumper_(dumper), indexOf_(std::move(indexOf)) {}

StaticResync::~StaticResync() {
  if (dumper_ != nullptr) dumper_->cancel();
}

void StaticResync::onLoss() {
  if (dumper_ == nullptr) return;
  if (dumper_->busy() || (retry_ && retry_->armed())) {
    again_ = true;
    return;
  }
  failuresInRow_ = 0;
  start();
}

void StaticResync::start() {
  again_ = false;
  configurations_ = entries_.configurations();
  dumper_->dump(entries_.resyncRequest(),
                [this](Result<netlink::RoutingDump> dump) { onDump(std::move(dump)); });
}

void StaticResync::onDump(Result<netlink::RoutingDump> dump) {
  if (!dump) {
    ++failures_;
    if (++failuresInRow_ >= kMaxFailures) {
      log(LogLevel::Error,
          "static routing: cannot read the kernel's tables after lost deletion notifications "
          "({}); a static entry deleted meanwhile is added again only when its interface comes "
          "up or at the next loss",
          dump.error().describe());
      again_ = false;
      return;
    }
    log(LogLevel::Warning, "static routing: reading the kernel's tables failed ({}); again in {} s",
        dump.error().describe(),
        std::chrono::duration_cast<std::chrono::seconds>(kRetryDelay).count());
    if (!retry_) retry_ = loop_.createTimer([this] { start(); });
    retry_->armAfter(kRetryDelay);
    return;
  }
  failuresInRow_ = 0;
  if (entries_.configurations() != configurations_) {
    start();  // a reload changed the entries while the dump was read
    return;
  }
  ++done_;
  const size_t restored = entries_.reinstateMissing(*dump, indexOf_);
  log(restored > 0 ? LogLevel::Notice : LogLevel::Info,
      "static routing: tables read again after lost deletion notifications; {} deleted "
      "entries added again",
      restored);
  if (again_) start();
}

}  // namespace vigil::vrrp
