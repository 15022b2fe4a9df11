#include "vrrp/deletion_watch.h"

#include <utility>

#include "core/log.h"

namespace vigil::vrrp {

void DeletionWatch::want(const void* owner, const netlink::NotificationGroups& groups) {
  if (groups.empty()) {
    wants_.erase(owner);
  } else {
    wants_[owner] = groups;
  }
  apply();
}

void DeletionWatch::retry() {
  if (!joined_) apply();
}

netlink::NotificationGroups DeletionWatch::wanted() const {
  netlink::NotificationGroups all;
  for (const auto& [owner, groups] : wants_) all.insert(groups.begin(), groups.end());
  return all;
}

void DeletionWatch::apply() {
  netlink::NotificationGroups all = wanted();
  if (joined_ == all || monitor_ == nullptr) return;
  if (Status watched = monitor_->watch(all); !watched) {
    joined_.reset();
    ++failures_;
    // Entries whose deletions are not seen are added again only when their
    // interface comes up, at a takeover or by the next reload.
    log(LogLevel::Error, "vrrp: routing deletions not all watched: {}", watched.error().describe());
    return;
  }
  joined_ = std::move(all);
}

}  // namespace vigil::vrrp
