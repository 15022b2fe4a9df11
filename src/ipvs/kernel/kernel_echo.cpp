#include "ipvs/kernel/kernel_echo.h"

#include <type_traits>
#include <variant>

namespace vigil::ipvs::kernel {

void KernelEcho::record(const Op& op) {
  std::visit(
      [this](const auto& o) {
        using T = std::decay_t<decltype(o)>;
        if constexpr (std::is_same_v<T, AddService> || std::is_same_v<T, EditService>) {
          hashed_[o.key] = o.service.hashed;
        } else if constexpr (std::is_same_v<T, DeleteService>) {
          hashed_.erase(o.key);
          auto first = destinations_.lower_bound({o.key, DestinationKey{}});
          auto last = first;
          while (last != destinations_.end() && last->first.first == o.key) ++last;
          destinations_.erase(first, last);
        } else if constexpr (std::is_same_v<T, AddDestination> ||
                             std::is_same_v<T, EditDestination>) {
          destinations_[{o.service, o.key}] = o.destination;
        } else {
          destinations_.erase({o.service, o.key});
        }
      },
      op);
}

void KernelEcho::restore(IpvsState& state) const {
  for (auto& [key, entry] : state.services) {
    auto hashed = hashed_.find(key);
    entry.service.hashed = hashed != hashed_.end() && hashed->second;
    for (auto& [destKey, dest] : entry.destinations) {
      if (dest.forwarding != ForwardingMethod::Local) continue;
      auto written = destinations_.find({key, destKey});
      if (written == destinations_.end()) continue;
      dest.forwarding = written->second.forwarding;
      dest.tunnelType = written->second.tunnelType;
      dest.tunnelPort = written->second.tunnelPort;
      dest.tunnelChecksum = written->second.tunnelChecksum;
    }
  }
}

}  // namespace vigil::ipvs::kernel
