#include "vrrp/routing_loss_resync.h"

#include <utility>

#include "core/log.h"

namespace vigil::vrrp {

RoutingLossResync::RoutingLossResync(EventLoop& loop, Owners owners, netlink::RoutingDumper* dumper,
                                     InterfaceIndexOf indexOf)
    : loop_(loop), owners_(std::move(owners)), dumper_(dumper), indexOf_(std::move(indexOf)) {}

RoutingLossResync::~RoutingLossResync() {
  if (dumper_ != nullptr) dumper_->cancel();
}

void RoutingLossResync::onLoss() {
  if (dumper_ == nullptr) return;
  if (dumper_->busy() || (retry_ && retry_->armed())) {
    again_ = true;
    return;
  }
  failuresInRow_ = 0;
  start();
}

void RoutingLossResync::start() {
  again_ = false;
  began_ = stamp();
  netlink::DumpRequest request;
  for (const RoutingEntries* owner : owners_()) {
    netlink::DumpRequest wanted = owner->resyncRequest();
    request.addressFamilies.merge(wanted.addressFamilies);
    request.routes.merge(wanted.routes);
    request.ruleFamilies.merge(wanted.ruleFamilies);
  }
  dumper_->dump(request, [this](Result<netlink::RoutingDump> dump) { onDump(std::move(dump)); });
}

RoutingLossResync::Stamp RoutingLossResync::stamp() const {
  Stamp out;
  for (const RoutingEntries* owner : owners_()) out.emplace_back(owner, owner->changes());
  return out;
}

void RoutingLossResync::onDump(Result<netlink::RoutingDump> dump) {
  if (!dump) {
    ++failures_;
    if (++failuresInRow_ >= kMaxFailures) {
      log(LogLevel::Error,
          "vrrp: cannot read the kernel's routing tables after lost deletion notifications "
          "({}); an entry deleted meanwhile is added again only when its interface comes up, "
          "at a MASTER's next takeover or at the next loss",
          dump.error().describe());
      again_ = false;
      return;
    }
    log(LogLevel::Warning, "vrrp: reading the kernel's routing tables failed ({}); again in {} s",
        dump.error().describe(),
        std::chrono::duration_cast<std::chrono::seconds>(kRetryDelay).count());
    if (!retry_) retry_ = loop_.createTimer([this] { start(); });
    retry_->armAfter(kRetryDelay);
    return;
  }
  failuresInRow_ = 0;
  if (stamp() != began_) {
    start();  // entries were added or reconfigured while the dump was read
    return;
  }
  ++done_;
  size_t restored = 0;
  for (RoutingEntries* owner : owners_()) restored += owner->reinstateMissing(*dump, indexOf_);
  log(restored > 0 ? LogLevel::Notice : LogLevel::Info,
      "vrrp: routing tables read again after lost deletion notifications; {} deleted entries "
      "added again",
      restored);
  if (again_) start();
}

}  // namespace vigil::vrrp
