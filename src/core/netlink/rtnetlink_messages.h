#pragma once

#include <linux/netlink.h>

#include <optional>

#include "core/netlink/address_manager.h"
#include "core/netlink/routing_dump.h"
#include "core/netlink/rule_manager.h"

namespace vigil::netlink {

// The rtnetlink messages the kernel sends about addresses, routes and rules
// (a dump's RTM_NEW*, a notification's RTM_NEW* / RTM_DEL*), read into the
// fields vigil matches its own entries on. nullopt for a message too short
// or of a family other than IPv4 and IPv6. Only the attributes' sizes are
// trusted as the header says; nothing is read past them.
std::optional<InstalledAddress> parseAddressMessage(nlmsghdr* header);
std::optional<KernelRoute> parseRouteMessage(nlmsghdr* header);
// Fields the message leaves out stay unset, the protocol 0 (not
// keepalived's).
std::optional<RuleSpec> parseRuleMessage(nlmsghdr* header);

}  // namespace vigil::netlink
