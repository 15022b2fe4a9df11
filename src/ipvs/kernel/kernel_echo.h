#pragma once

#include <map>
#include <utility>

#include "ipvs/model.h"

namespace vigil::ipvs::kernel {

// What vigil wrote that the kernel does not report back as written, so that
// reading back what was applied reconciles to no ops:
// - the kernel sets IP_VS_SVC_F_HASHED on every service it holds, so the
//   flag read back says nothing; a service reads as hashed only when vigil
//   last wrote it so (after a restart, until the first edit: not hashed);
// - the kernel turns a destination whose address is local into Local
//   forwarding; it reads as the forwarding (and tunnel settings) vigil wrote.
class KernelEcho {
 public:
  // Called for every op the kernel accepted.
  void record(const Op& op);
  // Rewrites a table read from the kernel with what vigil wrote.
  void restore(IpvsState& state) const;

 private:
  std::map<ServiceKey, bool> hashed_;
  std::map<std::pair<ServiceKey, DestinationKey>, Destination> destinations_;
};

}  // namespace vigil::ipvs::kernel
