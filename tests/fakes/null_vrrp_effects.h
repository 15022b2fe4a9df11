#pragma once

#include <optional>
#include <string>
#include <vector>

#include "vrrp/accept_filter.h"
#include "vrrp/runtime_io.h"

// InstanceRuntime's effects done by nothing, for tests and benchmarks that
// watch the instance's state and counters rather than its wire or its
// addresses. A test that does watch an effect writes its own recording
// double for that one.
namespace vigil::fakes {

class NullSender final : public vrrp::AdvertSender {
 public:
  void prepare(const vrrp::VrrpPacket&) override {}
  Status send() override { return {}; }
};

class NullVips final : public vrrp::VipInstaller {
 public:
  void add(const std::vector<config::VirtualAddress>&, const std::string&,
           std::optional<Duration>) override {}
  void remove(const std::vector<config::VirtualAddress>&, const std::string&) override {}
};

class NullAnnouncer final : public vrrp::VipAnnouncer {
 public:
  void announce(const std::vector<config::VirtualAddress>&, const std::string&,
                vrrp::GratuitousReason) override {}
};

class NullNotifier final : public vrrp::TransitionNotifier {
 public:
  void notify(const config::VrrpInstance&, vrrp::NotifyKind, uint8_t) override {}
};

class NullAcceptFilter final : public vrrp::AcceptFilter {
 public:
  void block(const std::string&, const std::vector<IpAddress>&) override {}
  void unblock(const std::string&) override {}
};

}  // namespace vigil::fakes
