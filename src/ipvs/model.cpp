#include "ipvs/model.h"

#include <type_traits>

namespace vigil::ipvs {
namespace {

unsigned hostPrefix(int family) { return family == AF_INET6 ? 128 : 32; }

// "255.255.255.0" for an IPv4 prefix, the length itself for IPv6, as ipvsadm
// shows a persistence mask.
std::string maskText(unsigned prefix, int family) {
  if (family == AF_INET6) {
    return std::to_string(prefix);
  }
  uint32_t mask = prefix == 0 ? 0 : ~uint32_t{0} << (32 - prefix);
  return IpAddress::v4(mask).toString();
}

std::string padded(std::string text, size_t width) {
  if (text.size() < width) {
    text.append(width - text.size(), ' ');
  }
  return text;
}

std::string destinationLine(const DestinationKey& key, const Destination& d) {
  std::string line = "  -> " + padded(toString(key), 28) + " ";
  std::string rest = toString(d);
  size_t space = rest.find(' ');
  return line + padded(rest.substr(0, space), 7) + rest.substr(space);
}

}  // namespace

std::string_view toString(Protocol protocol) {
  switch (protocol) {
    case Protocol::Tcp:
      return "TCP";
    case Protocol::Udp:
      return "UDP";
    case Protocol::Sctp:
      return "SCTP";
    case Protocol::None:
      break;
  }
  return "";
}

ServiceKey ServiceKey::forAddress(Protocol protocol, const IpAddress& address, uint16_t port) {
  ServiceKey key;
  key.family = address.family();
  key.protocol = protocol;
  key.address = address;
  key.port = port;
  return key;
}

ServiceKey ServiceKey::forFwmark(int family, uint32_t fwmark) {
  ServiceKey key;
  key.family = family;
  key.fwmark = fwmark;
  return key;
}

std::string toString(const ServiceKey& key) {
  if (key.isFwmark()) {
    return "FWM  " + std::to_string(key.fwmark) + (key.family == AF_INET6 ? " IPv6" : "");
  }
  // ipvsadm pads the protocol to four columns: "TCP  ", "UDP  ", "SCTP ".
  return padded(std::string(toString(key.protocol)), 4) + " " +
         toString(DestinationKey{key.address, key.port});
}

std::string_view toString(ForwardingMethod method) {
  switch (method) {
    case ForwardingMethod::Nat:
      return "Masq";
    case ForwardingMethod::DirectRouting:
      return "Route";
    case ForwardingMethod::Tunnel:
      return "Tunnel";
    case ForwardingMethod::Local:
      return "Local";
    case ForwardingMethod::Bypass:
      break;
  }
  return "Bypass";
}

std::string_view toString(TunnelType type) {
  switch (type) {
    case TunnelType::Ipip:
      return "ipip";
    case TunnelType::Gue:
      return "gue";
    case TunnelType::Gre:
      break;
  }
  return "gre";
}

std::string_view toString(TunnelChecksum checksum) {
  switch (checksum) {
    case TunnelChecksum::NoChecksum:
      return "nocsum";
    case TunnelChecksum::Checksum:
      return "csum";
    case TunnelChecksum::RemoteChecksum:
      break;
  }
  return "remcsum";
}

std::string toString(const DestinationKey& key) {
  std::string address = key.address.toString();
  if (key.address.isV6()) {
    address = "[" + address + "]";
  }
  return address + ":" + std::to_string(key.port);
}

const ServiceKey& serviceOf(const Op& op) {
  return std::visit(
      [](const auto& o) -> const ServiceKey& {
        using T = std::decay_t<decltype(o)>;
        if constexpr (std::is_same_v<T, AddService> || std::is_same_v<T, EditService> ||
                      std::is_same_v<T, DeleteService>) {
          return o.key;
        } else {
          return o.service;
        }
      },
      op);
}

namespace {

// The names ipvsadm -Ln gives the three scheduler flag bits: sh and mh name
// their fallback and port bits, every other bit is flag-N. In parentheses,
// comma-separated: "sh (sh-fallback,sh-port)".
std::string schedulerFlagsText(const std::string& scheduler, uint32_t flags) {
  std::string text;
  for (unsigned bit = 0; bit < 3; ++bit) {
    if ((flags & (1U << bit)) == 0) continue;
    if (!text.empty()) text += ',';
    if ((scheduler == "sh" || scheduler == "mh") && bit < 2) {
      text += scheduler + (bit == 0 ? "-fallback" : "-port");
    } else {
      text += "flag-" + std::to_string(bit + 1);
    }
  }
  return "(" + text + ")";
}

}  // namespace

std::string toString(const Service& service, int family) {
  std::string text = service.scheduler;
  if ((service.schedulerFlags & 7U) != 0) {
    text += " " + schedulerFlagsText(service.scheduler, service.schedulerFlags);
  }
  if (service.persistent()) {
    text += " persistent " + std::to_string(service.persistenceTimeout);
  }
  if (service.netmaskPrefix != hostPrefix(family)) {
    text += " mask " + maskText(service.netmaskPrefix, family);
  }
  if (!service.persistenceEngine.empty()) {
    text += " pe " + service.persistenceEngine;
  }
  if (service.onePacket) {
    text += " ops";
  }
  if (service.hashed) {
    text += " hashed";
  }
  return text;
}

std::string toString(const Destination& d) {
  std::string text = std::string(toString(d.forwarding)) + " " + std::to_string(d.weight);
  if (d.forwarding == ForwardingMethod::Tunnel) {
    text += " " + std::string(toString(d.tunnelType));
    if (d.tunnelPort != 0) {
      text += " port " + std::to_string(d.tunnelPort);
    }
    if (d.tunnelChecksum != TunnelChecksum::NoChecksum) {
      text += " " + std::string(toString(d.tunnelChecksum));
    }
  }
  if (d.upperThreshold != 0) {
    text += " uthreshold " + std::to_string(d.upperThreshold);
  }
  if (d.lowerThreshold != 0) {
    text += " lthreshold " + std::to_string(d.lowerThreshold);
  }
  return text;
}

std::string toString(const Op& op) {
  struct Visitor {
    std::string operator()(const AddService& o) const {
      return "add service " + toString(o.key) + " " + toString(o.service, o.key.family);
    }
    std::string operator()(const EditService& o) const {
      return "edit service " + toString(o.key) + " " + toString(o.service, o.key.family);
    }
    std::string operator()(const DeleteService& o) const {
      return "delete service " + toString(o.key);
    }
    std::string operator()(const AddDestination& o) const {
      return "add dest " + toString(o.service) + " -> " + toString(o.key) + " " +
             toString(o.destination);
    }
    std::string operator()(const EditDestination& o) const {
      return "edit dest " + toString(o.service) + " -> " + toString(o.key) + " " +
             toString(o.destination);
    }
    std::string operator()(const DeleteDestination& o) const {
      return "delete dest " + toString(o.service) + " -> " + toString(o.key);
    }
  };
  return std::visit(Visitor{}, op);
}

std::string toText(const IpvsState& state) {
  std::string text =
      "Prot LocalAddress:Port Scheduler Flags\n"
      "  -> RemoteAddress:Port           Forward Weight\n";
  for (const auto& [key, entry] : state.services) {
    text += toString(key) + " " + toString(entry.service, key.family) + "\n";
    for (const auto& [destKey, dest] : entry.destinations) {
      text += destinationLine(destKey, dest) + "\n";
    }
  }
  return text;
}

}  // namespace vigil::ipvs
