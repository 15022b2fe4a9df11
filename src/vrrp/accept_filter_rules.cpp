#include "vrrp/accept_filter_rules.h"

#include <cstdint>
#include <cstdio>

namespace vigil::vrrp {
namespace {

bool bare(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// FNV-1a: stable across builds, so a restarted daemon finds the chain a
// previous run left.
uint32_t fnv1a(const std::string& text) {
  uint32_t hash = 2166136261u;
  for (char c : text) {
    hash ^= static_cast<uint8_t>(c);
    hash *= 16777619u;
  }
  return hash;
}

std::string chainHeader(const std::string& chain) {
  return std::string("add table ") + kNftTable + "; add chain " + kNftTable + " " + chain +
         " { type filter hook input priority -10; policy accept; }; flush chain " + kNftTable +
         " " + chain;
}

}  // namespace

std::string nftChainName(const std::string& instance) {
  std::string name = "vi_";
  bool replaced = false;
  for (char c : instance) {
    replaced = replaced || !bare(c);
    name += bare(c) ? c : '_';
  }
  if (replaced) {
    char suffix[16];
    std::snprintf(suffix, sizeof suffix, "_%08x", fnv1a(instance));
    name += suffix;
  }
  return name;
}

std::string nftBlockCommand(const std::string& instance, const std::vector<IpAddress>& vips) {
  const std::string chain = nftChainName(instance);
  const std::string rule = std::string("; add rule ") + kNftTable + " " + chain + " ";
  std::string command = chainHeader(chain);
  for (const IpAddress& vip : vips) {
    const std::string address = vip.toString();
    if (vip.isV4()) {
      command += rule + "ip daddr " + address + " meta l4proto != 112 drop";
    } else {
      command += rule + "ip6 daddr " + address + " meta l4proto != { 58, 112 } drop";
      command += rule + "ip6 daddr " + address +
                 " icmpv6 type != { nd-neighbor-solicit, nd-neighbor-advert } drop";
    }
  }
  return command;
}

std::string nftUnblockCommand(const std::string& instance) {
  const std::string chain = nftChainName(instance);
  return chainHeader(chain) + "; delete chain " + kNftTable + " " + chain;
}

std::string nftDeleteTableCommand() {
  return std::string("add table ") + kNftTable + "; delete table " + kNftTable;
}

}  // namespace vigil::vrrp
