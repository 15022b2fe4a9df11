#include "ipvs/expand.h"

#include <algorithm>
#include <array>
#include <set>
#include <utility>

namespace vigil::ipvs {
namespace {

using config::VirtualServerGroupEntry;

// The address after `a` (big-endian increment); wraps to all zeros.
IpAddress nextAddress(const IpAddress& a) {
  std::array<uint8_t, 16> bytes{};
  std::copy(a.bytes(), a.bytes() + a.size(), bytes.begin());
  for (size_t i = a.size(); i-- > 0;) {
    if (++bytes[i] != 0) {
      break;
    }
  }
  return IpAddress::fromBytes(a.family(), bytes.data());
}

// The keys in first-seen order, each once.
class KeyList {
 public:
  void add(const ServiceKey& key) {
    if (seen_.insert(key).second) {
      keys_.push_back(key);
    }
  }
  std::vector<ServiceKey> take() { return std::move(keys_); }

 private:
  std::vector<ServiceKey> keys_;
  std::set<ServiceKey> seen_;
};

void expandEntry(const VirtualServerGroupEntry& e, const config::VirtualServer& vs, KeyList& keys) {
  if (e.kind == VirtualServerGroupEntry::Kind::Fwmark) {
    int family = e.fwmarkFamily != AF_UNSPEC ? e.fwmarkFamily : vs.family;
    keys.add(ServiceKey::forFwmark(family == AF_UNSPEC ? AF_INET : family, e.fwmark));
    return;
  }
  if (e.first.empty() || e.last < e.first) {
    return;
  }
  Protocol protocol = protocolFrom(vs.protocol);
  IpAddress address = e.first;
  for (size_t n = 0; n < kMaxGroupRangeAddresses; ++n) {
    keys.add(ServiceKey::forAddress(protocol, address, e.port));
    if (address == e.last) {
      break;
    }
    address = nextAddress(address);
  }
}

// The canonical forwarding of a config forwarding method: tunnel fields only
// for tunnels.
void setForwarding(Destination& d, const config::Forwarding& f) {
  d.tunnelType = TunnelType::Ipip;
  d.tunnelChecksum = TunnelChecksum::NoChecksum;
  d.tunnelPort = 0;
  switch (f.method) {
    case config::ForwardingMethod::Nat:
      d.forwarding = ForwardingMethod::Nat;
      return;
    case config::ForwardingMethod::DirectRouting:
      d.forwarding = ForwardingMethod::DirectRouting;
      return;
    case config::ForwardingMethod::Tunnel:
      break;
  }
  d.forwarding = ForwardingMethod::Tunnel;
  switch (f.tunnelType) {
    case config::TunnelType::Ipip:
      d.tunnelType = TunnelType::Ipip;
      break;
    case config::TunnelType::Gue:
      d.tunnelType = TunnelType::Gue;
      d.tunnelPort = f.tunnelPort;
      break;
    case config::TunnelType::Gre:
      d.tunnelType = TunnelType::Gre;
      break;
  }
  switch (f.tunnelChecksum) {
    case config::TunnelChecksum::NoChecksum:
      d.tunnelChecksum = TunnelChecksum::NoChecksum;
      break;
    case config::TunnelChecksum::Checksum:
      d.tunnelChecksum = TunnelChecksum::Checksum;
      break;
    case config::TunnelChecksum::RemoteChecksum:
      d.tunnelChecksum = TunnelChecksum::RemoteChecksum;
      break;
  }
}

std::string_view schedulerName(config::LvsScheduler scheduler) {
  return config::toString(scheduler);
}

}  // namespace

Protocol protocolFrom(config::LvsProtocol protocol) {
  switch (protocol) {
    case config::LvsProtocol::Tcp:
      return Protocol::Tcp;
    case config::LvsProtocol::Udp:
      return Protocol::Udp;
    case config::LvsProtocol::Sctp:
      break;
  }
  return Protocol::Sctp;
}

std::vector<ServiceKey> serviceKeys(const config::VirtualServer& vs, const config::LvsModel& lvs) {
  KeyList keys;
  switch (vs.kind) {
    case config::ServiceKind::Address:
      keys.add(ServiceKey::forAddress(protocolFrom(vs.protocol), vs.address, vs.port));
      break;
    case config::ServiceKind::Fwmark:
      keys.add(ServiceKey::forFwmark(vs.family == AF_UNSPEC ? AF_INET : vs.family, vs.fwmark));
      break;
    case config::ServiceKind::Group:
      if (const config::VirtualServerGroup* group = lvs.findGroup(vs.groupName)) {
        for (const VirtualServerGroupEntry& e : group->entries) {
          expandEntry(e, vs, keys);
        }
      }
      break;
  }
  return keys.take();
}

Service serviceFrom(const config::VirtualServer& vs) {
  Service s;
  s.scheduler = std::string(schedulerName(vs.scheduler));
  s.schedulerFlags = vs.schedulerFlags & (kSchedFlag1 | kSchedFlag2 | kSchedFlag3);
  s.onePacket = vs.onePacket;
  s.hashed = vs.hashed;
  s.persistenceTimeout = vs.persistenceTimeout;
  unsigned hostLength = vs.family == AF_INET6 ? 128 : 32;
  s.netmaskPrefix =
      static_cast<uint8_t>(vs.persistenceGranularity == 0 || vs.persistenceGranularity > hostLength
                               ? hostLength
                               : vs.persistenceGranularity);
  s.persistenceEngine = vs.persistenceEngine;
  return s;
}

DestinationKey destinationKey(const config::RealServer& rs) { return {rs.address, rs.port}; }

DestinationKey destinationKey(const config::SorryServer& sorry) {
  return {sorry.address, sorry.port};
}

Destination withForwarding(Destination destination, const config::Forwarding& forwarding) {
  setForwarding(destination, forwarding);
  return destination;
}

Destination destinationFrom(const config::RealServer& rs, uint32_t effectiveWeight) {
  Destination d;
  setForwarding(d, rs.forwarding);
  d.weight = effectiveWeight;
  d.upperThreshold = rs.upperThreshold();
  d.lowerThreshold = rs.lowerThreshold();
  return d;
}

Destination destinationFrom(const config::SorryServer& sorry, uint32_t weight) {
  Destination d;
  setForwarding(d, sorry.forwarding);
  d.weight = weight;
  return d;
}

}  // namespace vigil::ipvs
