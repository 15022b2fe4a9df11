#pragma once

#include <set>
#include <string>
#include <vector>

#include "core/netlink/address_monitor.h"

namespace vigil::fakes {

// The local addresses a test says, shared with the test through `state`
// (the monitor itself belongs to the code under test).
struct FakeAddressState {
  std::set<netlink::LocalAddress> addresses;
  netlink::AddressMonitor::Listener listener;

  void add(int ifindex, const std::string& text) { change(ifindex, text, false); }
  void remove(int ifindex, const std::string& text) { change(ifindex, text, true); }

 private:
  void change(int ifindex, const std::string& text, bool removed) {
    netlink::LocalAddress address{ifindex, *IpAddress::parse(text)};
    if (removed ? addresses.erase(address) == 0 : !addresses.insert(address).second) return;
    if (listener) listener(address, removed);
  }
};

class FakeAddressMonitor final : public netlink::AddressMonitor {
 public:
  explicit FakeAddressMonitor(FakeAddressState& state) : state_(state) {}
  std::vector<netlink::LocalAddress> addresses() const override {
    return {state_.addresses.begin(), state_.addresses.end()};
  }
  void setListener(Listener listener) override { state_.listener = std::move(listener); }

 private:
  FakeAddressState& state_;
};

}  // namespace vigil::fakes
