#pragma once

#include <chrono>
#include <string>

#include "core/clock.h"
#include "core/result.h"

namespace vigil::vrrp {

// Removes the nftables table of no_accept (accept_filter_rules.h) with
// every instance's chain in it, for the supervisor when the VRRP worker died
// without lifting its rules. Runs `nft` and waits for it, at most `timeout`
// (then kills it): the supervisor respawns the worker only after this
// returns, so the delete can never land on the new worker's fresh rules.
// An absent table is not an error; an absent `nft` is ENOENT.
[[nodiscard]] Status removeAcceptFilterTable(const std::string& nft = "nft",
                                             Duration timeout = std::chrono::seconds(5));

}  // namespace vigil::vrrp
