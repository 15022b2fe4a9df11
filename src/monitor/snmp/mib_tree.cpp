#include "monitor/snmp/mib_tree.h"

#include <algorithm>

namespace vigil::monitor::snmp {

MibTree::const_iterator nextUnder(const MibTree& tree, const Oid& root, const Oid& oid) {
  auto it = tree.upper_bound(oid);
  if (it == tree.end()) return it;
  const Oid& found = it->first;
  bool under = found.size() >= root.size() && std::equal(root.begin(), root.end(), found.begin());
  return under ? it : tree.end();
}

std::string toString(const Oid& oid) {
  std::string out;
  for (uint32_t part : oid) {
    out += '.';
    out += std::to_string(part);
  }
  return out;
}

}  // namespace vigil::monitor::snmp
