// Per-instance validation and resolution. After resolveInstance the
// instance holds effective values: the VRRP worker applies no defaults and
// no vrrp_strict rules of its own.
#include <cstdio>

#include "config/parse_util.h"
#include "config/validate_vrrp_internal.h"

namespace vigil::config::vrrp {
namespace {

using parse::quoted;
using S = InstanceSetting;
using namespace std::chrono_literals;

std::string name(const VrrpInstance& inst) { return "vrrp_instance " + quoted(inst.name); }

template <class T>
void inherit(VrrpInstance& inst, S setting, T& value, const T& global) {
  if (!inst.isSet(setting)) {
    value = global;
  }
}

void inheritGarp(VrrpInstance& inst, const VrrpGlobalDefaults& g) {
  GarpSettings& garp = inst.garp;
  inherit(inst, S::GarpMasterDelay, garp.masterDelay, g.garpMasterDelay);
  inherit(inst, S::GarpMasterRepeat, garp.masterRepeat, g.garpMasterRepeat);
  inherit(inst, S::GarpLowerPrioDelay, garp.lowerPrioDelay,
          g.garpLowerPrioDelay.value_or(garp.masterDelay));
  inherit(inst, S::GarpLowerPrioRepeat, garp.lowerPrioRepeat,
          g.garpLowerPrioRepeat.value_or(garp.masterRepeat));
  inherit(inst, S::GarpMasterRefresh, garp.masterRefresh, g.garpMasterRefresh);
  inherit(inst, S::GarpMasterRefreshRepeat, garp.masterRefreshRepeat, g.garpMasterRefreshRepeat);
  if (!inst.isSet(S::GarpExtraIf)) {
    garp.extraIfInterval = g.garpExtraIfInterval;
    garp.extraIfAll = g.garpExtraIfAll;
  }
}

void inheritDefaults(VrrpInstance& inst, const GlobalDefs& global) {
  const VrrpGlobalDefaults& g = global.vrrp;
  // keepalived: an instance configured MASTER without a priority is the
  // address owner.
  if (!inst.isSet(S::Priority) && inst.initialState == VrrpInitialState::Master) {
    inst.priority = 255;
  }
  if (inst.family == AF_UNSPEC) {
    inst.family = AF_INET;
  }
  inherit(inst, S::Version, inst.version, g.version);
  inheritGarp(inst, g);
  inherit(inst, S::LowerPrioNoAdvert, inst.lowerPrioNoAdvert, g.lowerPrioNoAdvert);
  inherit(inst, S::HigherPrioSendAdvert, inst.higherPrioSendAdvert, g.higherPrioSendAdvert);
  inherit(inst, S::StrictMode, inst.strictMode, g.strict);
  inherit(inst, S::SkipCheckAdvAddr, inst.skipCheckAdvAddr, g.skipCheckAdvAddr);
  inherit(inst, S::CheckUnicastSrc, inst.checkUnicastSrc, g.checkUnicastSrc);
  inherit(inst, S::SmtpAlert, inst.smtpAlert, global.smtpAlertVrrp.value_or(global.smtpAlert));
  inherit(inst, S::DownTimerAdverts, inst.downTimerAdverts, g.downTimerAdverts);
  inherit(inst, S::NotifyPriorityChanges, inst.notifyPriorityChanges, g.notifyPriorityChanges);
  if (inst.unicastFaultNoPeer) {
    inst.unicast = true;  // never fall back to multicast
  }
  if (!inst.unicast && inst.mcastDst.empty()) {
    inst.mcastDst = inst.family == AF_INET6 ? g.mcastGroup6 : g.mcastGroup4;
  }
}

void resolveVersion(VrrpInstance& inst, ParseContext& ctx) {
  if (inst.family != AF_INET6 || inst.version == 3) {
    return;
  }
  // VRRPv2 (RFC 3768) is IPv4 only.
  if (inst.isSet(S::Version)) {
    ctx.warning(inst.at.version,
                name(inst) + " is IPv6, which VRRPv2 does not support; using version 3");
  }
  inst.version = 3;
}

void checkAdvertInterval(VrrpInstance& inst, ParseContext& ctx) {
  const SourcePos& pos = where(inst.at.advertInt, inst.pos);
  std::string written = formatSeconds(inst.advertInterval);
  if (inst.version == 2) {
    // RFC 3768: the Adver Int field counts whole seconds.
    if (inst.advertInterval < 1s) {
      ctx.error(pos, "VRRPv2 'advert_int' must be whole seconds from 1 to 255, got " + written +
                         " (use 'version 3' for shorter intervals)");
      return;
    }
    auto rounded = std::chrono::round<std::chrono::seconds>(inst.advertInterval);
    if (rounded != inst.advertInterval) {
      inst.advertInterval = rounded;
      ctx.warning(pos, "VRRPv2 advertises whole seconds; 'advert_int' " + written +
                           " is rounded to " + formatSeconds(rounded));
    }
    return;
  }
  // RFC 5798: a 12-bit Max Adver Int in centiseconds.
  using Centis = std::chrono::duration<int64_t, std::centi>;
  if (inst.advertInterval > Centis(4095)) {
    ctx.error(pos, "VRRPv3 'advert_int' " + written + " is out of range 0.01-40.95 seconds");
    return;
  }
  auto rounded = std::chrono::round<Centis>(inst.advertInterval);
  if (rounded != inst.advertInterval) {
    inst.advertInterval = rounded;
    ctx.warning(pos, "VRRPv3 advertises centiseconds; 'advert_int' " + written + " is rounded to " +
                         formatSeconds(rounded));
  }
}

void checkAuth(VrrpInstance& inst, ParseContext& ctx) {
  VrrpAuth& auth = inst.auth;
  if (auth.type == VrrpAuthType::None) {
    return;
  }
  if (inst.strictMode) {
    ctx.warning(auth.pos, "strict mode does not allow authentication; 'authentication' is ignored");
  } else if (inst.version == 3) {
    ctx.warning(auth.pos, "VRRPv3 has no authentication; 'authentication' is ignored");
  } else if (auth.type == VrrpAuthType::Ah && inst.family == AF_INET6) {
    ctx.warning(auth.pos, "AH authentication is IPv4 only; 'authentication' is ignored");
  } else {
    if (auth.type == VrrpAuthType::Ah && inst.initialState == VrrpInitialState::Master &&
        !inst.isAddressOwner()) {
      ctx.warning(where(inst.at.state, inst.pos),
                  name(inst) +
                      " uses AH authentication, which cannot start as MASTER; starting "
                      "as BACKUP");
      inst.initialState = VrrpInitialState::Backup;
    }
    return;
  }
  auth = VrrpAuth{VrrpAuthType::None, "", auth.pos};
}

void checkInterface(const VrrpInstance& inst, ParseContext& ctx) {
  if (!inst.interface.empty() || (inst.unicast && inst.unicastPeers.empty())) {
    return;  // an empty unicast_peer block is reported on its own
  }
  if (!inst.unicast) {
    ctx.error(inst.pos, name(inst) + " has no 'interface'");
  } else if (!inst.sourceAddress) {
    ctx.error(inst.pos, name(inst) +
                            " has no 'interface'; a unicast instance without one needs "
                            "'unicast_src_ip'");
  } else if (inst.sourceAddress->isLinkLocal()) {
    ctx.error(inst.at.sourceAddress,
              "link-local 'unicast_src_ip' needs the instance's 'interface'");
  } else {
    for (const UnicastPeer& peer : inst.unicastPeers) {
      if (peer.address.isLinkLocal()) {
        ctx.error(peer.pos, "link-local unicast peer " + peer.address.toString() +
                                " needs the instance's 'interface'");
      }
    }
  }
}

void checkUnicast(VrrpInstance& inst, ParseContext& ctx) {
  if (!inst.unicast) {
    return;
  }
  if (inst.unicastPeers.empty()) {
    const SourcePos& pos = where(inst.at.unicastPeer, inst.pos);
    if (inst.unicastFaultNoPeer) {
      ctx.warning(
          pos, name(inst) + " has no unicast peers; it stays in FAULT until some are configured");
    } else {
      ctx.error(pos, "'unicast_peer' block is empty: " + name(inst) +
                         " would have no peer to advertise to (list its peers, or add "
                         "'unicast_fault_no_peer' to keep it in FAULT)");
    }
  }
  if (!inst.mcastDst.empty()) {
    ctx.warning(inst.at.mcastDst, "'mcast_dst_ip' is ignored: " + name(inst) + " uses unicast");
    inst.mcastDst = IpAddress();
  }
}

void checkVips(const VrrpInstance& inst, ParseContext& ctx) {
  if (inst.vips.empty()) {
    if (inst.strictMode) {
      ctx.error(inst.pos, "strict mode: " + name(inst) + " needs at least one virtual_ipaddress");
    } else {
      ctx.warning(inst.pos, name(inst) + " has no virtual_ipaddress");
    }
    return;
  }
  const VirtualAddress& first = inst.vips.front();
  if (first.prefix.address.isV6() && !first.prefix.address.isLinkLocal()) {
    // RFC 5798 5.2.9: the first IPv6 address is the link-local one.
    std::string message =
        "the first IPv6 VIP of " + name(inst) + " should be link-local (RFC 5798)";
    if (inst.strictMode) {
      ctx.error(first.pos, "strict mode: " + message);
    } else {
      ctx.warning(first.pos, message);
    }
  }
}

void checkPreempt(VrrpInstance& inst, ParseContext& ctx) {
  if (!inst.preempt && inst.isAddressOwner()) {
    ctx.warning(inst.at.nopreempt,
                "'nopreempt' is ignored: the address owner (priority 255) "
                "always preempts");
    inst.preempt = true;
  } else if (!inst.preempt && inst.initialState == VrrpInitialState::Master) {
    ctx.warning(inst.at.nopreempt,
                "'nopreempt' is ignored with 'state MASTER'; use 'state BACKUP'");
    inst.preempt = true;
  }
  if (inst.preemptDelay == Duration{0}) {
    return;
  }
  if (inst.initialState == VrrpInitialState::Master) {
    ctx.warning(inst.at.preemptDelay,
                "'preempt_delay' is ignored with 'state MASTER'; use 'state BACKUP'");
    inst.preemptDelay = Duration{0};
  } else if (!inst.preempt) {
    ctx.warning(inst.at.preemptDelay, "'preempt_delay' is ignored with 'nopreempt'");
    inst.preemptDelay = Duration{0};
  }
}

// keepalived.conf(5), vrrp_strict: what strict compliance implies. Values
// the operator wrote that strict mode overrides get a warning; inherited
// defaults are overridden silently.
void applyStrict(VrrpInstance& inst, ParseContext& ctx) {
  auto reset = [&](bool written, auto& value, auto strictValue, const std::string& keyword) {
    if (written && value != strictValue) {
      ctx.warning(inst.pos, "strict mode: '" + keyword + "' of " + name(inst) + " is ignored");
    }
    value = strictValue;
  };
  bool owner = inst.isAddressOwner();
  if ((inst.initialState == VrrpInitialState::Master) != owner) {
    ctx.error(where(inst.at.state, where(inst.at.priority, inst.pos)),
              "strict mode: " + name(inst) +
                  " must be 'state MASTER' exactly when it has priority 255 (the address owner)");
  }
  if (inst.unicast) {
    ctx.warning(where(inst.at.unicastPeer, inst.pos),
                "strict mode: RFC 5798 has no unicast; " + name(inst) + " uses it anyway");
  }
  reset(inst.preemptDelay != Duration{0}, inst.preemptDelay, Duration{0}, "preempt_delay");
  reset(inst.isSet(S::Accept) && inst.version == 2, inst.accept, false, "accept");
  reset(inst.isSet(S::LowerPrioNoAdvert), inst.lowerPrioNoAdvert, true, "lower_prio_no_advert");
  reset(inst.isSet(S::HigherPrioSendAdvert), inst.higherPrioSendAdvert, false,
        "higher_prio_send_advert");
  reset(inst.isSet(S::GarpMasterDelay), inst.garp.masterDelay, Duration{0}, "garp_master_delay");
  reset(inst.isSet(S::GarpMasterRefresh), inst.garp.masterRefresh, Duration{0},
        "garp_master_refresh");
  reset(inst.isSet(S::DownTimerAdverts), inst.downTimerAdverts, 3u, "down_timer_adverts");
  reset(inst.vmacXmitBase, inst.vmacXmitBase, false, "vmac_xmit_base");
  reset(!inst.vmacMac.empty(), inst.vmacMac, std::string(), "use_vmac MAC address");
  if (!inst.isSet(S::Accept)) {
    inst.accept = owner;
  }
}

}  // namespace

std::string formatSeconds(Duration d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6f", std::chrono::duration<double>(d).count());
  std::string s = buf;
  s.erase(s.find_last_not_of('0') + 1);
  if (s.back() == '.') {
    s.pop_back();
  }
  return s;
}

void resolveInstance(VrrpInstance& inst, const GlobalDefs& global, ParseContext& ctx) {
  if (inst.at.vrid.file == nullptr) {  // a bad value was reported where written
    ctx.error(inst.pos, name(inst) + " has no 'virtual_router_id'");
  }
  inheritDefaults(inst, global);
  resolveVersion(inst, ctx);
  checkAdvertInterval(inst, ctx);
  checkAuth(inst, ctx);
  checkInterface(inst, ctx);
  checkUnicast(inst, ctx);
  checkVips(inst, ctx);
  checkPreempt(inst, ctx);
  if (inst.strictMode) {
    applyStrict(inst, ctx);
  }
  if (inst.vmacXmitBase && !inst.useVmac) {
    ctx.warning(inst.pos, "'vmac_xmit_base' of " + name(inst) + " is ignored without 'use_vmac'");
    inst.vmacXmitBase = false;
  }
}

}  // namespace vigil::config::vrrp
