#include "monitor/snmp/index_registry.h"

namespace vigil::monitor::snmp {

uint32_t IndexRegistry::indexOf(const std::string& key) {
  auto [it, added] = indexes_.try_emplace(key, next_);
  if (added) ++next_;
  return it->second;
}

}  // namespace vigil::monitor::snmp
