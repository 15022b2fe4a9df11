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
  return mode == TcpCheckMode::Syn ? "syn" : "connect";
}

std::shared_ptr<const CheckerProbe> sharedTcpCheck(const TcpCheck& tcp) {
  static const std::shared_ptr<const CheckerProbe> kShared[2][2] = {
      {std::make_shared<const CheckerProbe>(TcpCheck{TcpCheckMode::Connect, false}),
       std::make_shared<const CheckerProbe>(TcpCheck{TcpCheckMode::Connect, true})},
      {std::make_shared<const CheckerProbe>(TcpCheck{TcpCheckMode::Syn, false}),
       std::make_shared<const CheckerProbe>(TcpCheck{TcpCheckMode::Syn, true})},
  };
  return kShared[tcp.mode == TcpCheckMode::Syn ? 1 : 0][tcp.modeSet ? 1 : 0];
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
