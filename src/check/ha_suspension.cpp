#include "check/ha_suspension.h"

#include <algorithm>

namespace vigil::check {

void HaSuspension::configure(const config::LvsModel& lvs) {
  ranges_.assign(lvs.virtualServers.size(), {});
  for (size_t s = 0; s < lvs.virtualServers.size(); ++s) {
    const config::VirtualServer& vs = lvs.virtualServers[s];
    if (!vs.haSuspend) continue;
    if (vs.kind == config::ServiceKind::Address) {
      ranges_[s].push_back({vs.address, vs.address});
    } else if (vs.kind == config::ServiceKind::Group && vs.groupIndex < lvs.groups.size()) {
      for (const config::VirtualServerGroupEntry& e : lvs.groups[vs.groupIndex].entries) {
        if (e.kind == config::VirtualServerGroupEntry::Kind::Range) {
          ranges_[s].push_back({e.first, e.last});
        }
      }
    }
  }
  suspended_.assign(ranges_.size(), false);
  (void)rejudge();
}

std::vector<size_t> HaSuspension::addressAdded(const netlink::LocalAddress& address) {
  if (!local_.insert(address).second || ++carried_[address.address] > 1) return {};
  return rejudge();
}

std::vector<size_t> HaSuspension::addressRemoved(const netlink::LocalAddress& address) {
  if (local_.erase(address) == 0) return {};
  auto it = carried_.find(address.address);
  if (--it->second > 0) return {};
  carried_.erase(it);
  return rejudge();
}

size_t HaSuspension::suspendedCount() const {
  return static_cast<size_t>(std::count(suspended_.begin(), suspended_.end(), true));
}

// IpAddress orders by family, then by its bytes in network order: within a
// family that is numeric order, so a range is one ordered interval.
bool HaSuspension::present(const std::vector<Range>& ranges) const {
  return std::any_of(ranges.begin(), ranges.end(), [this](const Range& range) {
    auto it = carried_.lower_bound(range.first);
    return it != carried_.end() && it->first <= range.last;
  });
}

std::vector<size_t> HaSuspension::rejudge() {
  std::vector<size_t> flipped;
  for (size_t s = 0; s < ranges_.size(); ++s) {
    const bool suspend = !ranges_[s].empty() && !present(ranges_[s]);
    if (suspend != suspended_[s]) {
      suspended_[s] = suspend;
      flipped.push_back(s);
    }
  }
  return flipped;
}

}  // namespace vigil::check
