#include "ipvs/kernel/kernel_refusal.h"

#include <cerrno>
#include <string>

namespace vigil::ipvs::kernel {
namespace {

// The service an add or edit asks the kernel to build; none for other ops.
const Service* serviceBuilt(const Op& op) {
  if (const auto* add = std::get_if<AddService>(&op)) return &add->service;
  if (const auto* edit = std::get_if<EditService>(&op)) return &edit->service;
  return nullptr;
}

// "no "twos" scheduler (module ip_vs_twos)", naming the engine as well when
// the service has one: the kernel's ENOENT does not say which was missing.
std::string missingModules(const Service& service) {
  std::string text = "this kernel has no \"" + service.scheduler + "\" scheduler";
  std::string modules = "ip_vs_" + service.scheduler;
  if (!service.persistenceEngine.empty()) {
    text += " or no \"" + service.persistenceEngine + "\" persistence engine";
    modules += ", ip_vs_pe_" + service.persistenceEngine;
  }
  return text + " (" + modules + ")";
}

}  // namespace

Error explainRefusal(const Op& op, Error error) {
  const Service* service = serviceBuilt(op);
  if (service != nullptr && error.code == ENOENT) {
    error.message += ": " + missingModules(*service);
  }
  return error;
}

}  // namespace vigil::ipvs::kernel
