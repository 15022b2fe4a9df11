#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace vigil::monitor::snmp {

// SNMP table indexes that stay put across reloads: a key (an instance name,
// a virtual server's description) gets the next free index the first time
// it is seen and keeps it for the registry's lifetime, even while it is
// absent from the configuration. A manager's cached rows so keep meaning the
// same object.
class IndexRegistry {
 public:
  uint32_t indexOf(const std::string& key);

 private:
  std::map<std::string, uint32_t> indexes_;
  uint32_t next_ = 1;
};

}  // namespace vigil::monitor::snmp
