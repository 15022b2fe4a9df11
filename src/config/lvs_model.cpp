#include <algorithm>
#include <cctype>

#include "config/model_lvs.h"

namespace vigil::config {

std::optional<InterfaceName> InterfaceName::from(std::string_view name) {
  if (name.size() > kMaxLength) {
    return std::nullopt;
  }
  InterfaceName out;
  std::copy(name.begin(), name.end(), out.bytes_.begin());
  return out;
}

bool HttpUrl::acceptsStatus(unsigned status) const {
  for (const StatusRange& r : statusCodes) {
    if (status >= r.first && status <= r.last) {
      return true;
    }
  }
  return false;
}

std::string_view toString(TcpCheckMode mode) {
  switch (mode) {
    case TcpCheckMode::Syn:
      return "syn";
    case TcpCheckMode::Handshake:
      return "handshake";
    case TcpCheckMode::Connect:
      break;
  }
  return "connect";
}

std::shared_ptr<const CheckerProbe> sharedTcpCheck(const TcpCheck& tcp) {
  auto shared = [](TcpCheckMode mode, bool set) {
    return std::make_shared<const CheckerProbe>(TcpCheck{mode, set});
  };
  // Indexed by the mode's value (Connect, Syn, Handshake) and modeSet.
  static const std::shared_ptr<const CheckerProbe> kShared[3][2] = {
      {shared(TcpCheckMode::Connect, false), shared(TcpCheckMode::Connect, true)},
      {shared(TcpCheckMode::Syn, false), shared(TcpCheckMode::Syn, true)},
      {shared(TcpCheckMode::Handshake, false), shared(TcpCheckMode::Handshake, true)},
  };
  return kShared[static_cast<size_t>(tcp.mode)][tcp.modeSet ? 1 : 0];
}

std::string VirtualServer::describe() const {
  switch (kind) {
    case ServiceKind::Fwmark:
      return "FWM " + std::to_string(fwmark);
    case ServiceKind::Group:
      return "group " + groupName;
    case ServiceKind::Address:
      break;
  }
  std::string protocolName(toString(protocol));
  for (char& c : protocolName) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return "[" + address.toString() + "]:" + protocolName + ":" + std::to_string(port);
}

const VirtualServerGroup* LvsModel::findGroup(std::string_view name) const {
  for (const VirtualServerGroup& g : groups) {
    if (g.name == name) {
      return &g;
    }
  }
  return nullptr;
}

}  // namespace vigil::config
