#include "vrrp/vmac.h"

#include <sys/socket.h>

#include <cerrno>

#include "core/log.h"

namespace vigil::vrrp {
namespace {

int hexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::optional<MacAddress> parseMac(std::string_view text) {
  // Six pairs and five colons.
  if (text.size() != 17) return std::nullopt;
  MacAddress mac{};
  for (size_t i = 0; i < mac.size(); ++i) {
    const size_t at = i * 3;
    if (i > 0 && text[at - 1] != ':') return std::nullopt;
    const int high = hexDigit(text[at]);
    const int low = hexDigit(text[at + 1]);
    if (high < 0 || low < 0) return std::nullopt;
    mac[i] = static_cast<uint8_t>(high * 16 + low);
  }
  return mac;
}

std::optional<VmacSpec> vmacFor(const config::VrrpInstance& instance,
                                const std::string& vmacPrefix) {
  if (!instance.useVmac) return std::nullopt;
  VmacSpec spec;
  spec.name = instance.vmacName.empty() ? vmacPrefix + "." + std::to_string(instance.vrid)
                                        : instance.vmacName;
  auto written = parseMac(instance.vmacMac);
  spec.mac = written ? *written : virtualMac(instance.family, instance.vrid);
  return spec;
}

Result<VmacInterface> VmacInterface::create(netlink::MacvlanManager& manager, const VmacSpec& spec,
                                            const std::string& base) {
  auto ifindex = manager.create(spec.name, base, spec.mac);
  if (!ifindex && ifindex.error().code == EEXIST) {
    // Left by a worker that did not stop cleanly: its MAC, base or mode may
    // differ from what is wanted now, so it is made again rather than adopted.
    log(LogLevel::Warning, "VMAC {} already exists; creating it again", spec.name);
    if (Status removed = manager.remove(spec.name); !removed) return removed.error();
    ifindex = manager.create(spec.name, base, spec.mac);
  }
  if (!ifindex) return ifindex.error();
  return VmacInterface(manager, spec.name, *ifindex);
}

VmacInterface::VmacInterface(VmacInterface&& other) noexcept
    : manager_(other.manager_), name_(std::move(other.name_)), ifindex_(other.ifindex_) {
  other.manager_ = nullptr;
}

VmacInterface::~VmacInterface() {
  if (manager_ == nullptr) return;
  if (Status removed = manager_->remove(name_); !removed) {
    log(LogLevel::Error, "cannot remove VMAC {}: {}", name_, removed.error().describe());
  }
}

}  // namespace vigil::vrrp
