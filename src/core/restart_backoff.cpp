#include "core/restart_backoff.h"

#include <algorithm>

namespace vigil {

Duration RestartBackoff::onExit(Duration ranFor) {
  if (ranFor >= policy_.stableAfter) {
    reset();
  }
  Duration delay = std::min(next_, policy_.maximum);
  // Saturate instead of overflowing after many doublings.
  next_ = next_ >= policy_.maximum / 2 ? policy_.maximum : next_ * 2;
  return delay;
}

}  // namespace vigil
