#pragma once

#include <utility>

#include "core/netlink/routing_dump.h"

namespace vigil::fakes {

// The kernel's tables as RoutingDumper: a dump stays in flight until the
// test answers it (answer, fail), so what happens meanwhile can be tested.
class FakeRoutingDumper final : public netlink::RoutingDumper {
 public:
  void dump(const netlink::DumpRequest& request, Done done) override {
    ++dumps;
    lastRequest = request;
    done_ = std::move(done);
  }
  void cancel() override { done_ = nullptr; }
  bool busy() const override { return static_cast<bool>(done_); }

  void answer(netlink::RoutingDump dump) { std::exchange(done_, nullptr)(std::move(dump)); }
  void fail(Error error) { std::exchange(done_, nullptr)(std::move(error)); }

  int dumps = 0;  // dump() calls
  netlink::DumpRequest lastRequest;

 private:
  Done done_;
};

}  // namespace vigil::fakes
