#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "config/model_lvs.h"

// Reading the LVS model's enumerations from configuration words. The
// toString() functions in model_lvs.h write them back the same way.
namespace vigil::config::lvs {

std::optional<LvsScheduler> schedulerNamed(std::string_view name);   // exact, lower case
std::optional<LvsProtocol> protocolNamed(std::string_view name);     // any case
std::optional<ForwardingMethod> methodNamed(std::string_view name);  // NAT DR TUN
std::optional<TunnelType> tunnelTypeNamed(std::string_view name);
std::optional<TunnelChecksum> tunnelChecksumNamed(std::string_view name);
std::optional<HttpProtocol> httpProtocolNamed(std::string_view name);
std::optional<RegexOption> regexOptionNamed(std::string_view name);
std::optional<DnsType> dnsTypeNamed(std::string_view name);  // any case

// "rr|wrr|...", for messages listing what is accepted.
std::string schedulerList();
std::string httpProtocolList();
std::string dnsTypeList();

}  // namespace vigil::config::lvs
