// vrrp_instance: one keyword table, assembled from small groups. Values a
// global default may supply are marked explicit when written here, so
// validation (validate_vrrp*.cpp) fills only the others.
#include <cctype>

#include "config/parse_vrrp_internal.h"

namespace vigil::config::vrrp {
namespace {

using parse::args;
using parse::flagInto;
using parse::integerInto;
using parse::quoted;
using parse::repeatInto;
using parse::scriptInto;
using parse::secondsInto;
using parse::stringInto;
using parse::what;
using Instance = VrrpInstance;
using Table = KeywordTable<Instance>;
using Handler = Table::Handler;

constexpr double kDay = 86400;

// Runs `h`, then records that the instance set `s` itself.
Handler marking(InstanceSetting s, Handler h) {
  return [s, h](const Node& node, Instance& inst, ParseContext& ctx) {
    h(node, inst, ctx);
    inst.markSet(s);
  };
}

// Runs `h`, then records where the value was written (for validation).
Handler at(SourcePos InstancePositions::*where, Handler h) {
  return [where, h](const Node& node, Instance& inst, ParseContext& ctx) {
    h(node, inst, ctx);
    inst.at.*where = node.args.empty() ? node.pos() : node.args[0].pos;
  };
}

template <class Member>
auto field(Member member) {
  return [member](Instance & inst) -> auto& { return inst.*member; };
}

void state(const Node& node, Instance& inst, ParseContext& ctx) {
  if (!args(node, ctx, 1)) {
    return;
  }
  if (auto s = ctx.oneOf(node.args[0], "state", {"MASTER", "BACKUP"})) {
    inst.initialState = *s == "MASTER" ? VrrpInitialState::Master : VrrpInitialState::Backup;
  }
}

bool looksLikeMac(const std::string& s) { return s.find(':') != std::string::npos; }

// 5 or 6 colon-separated hex octets (5: the VRID is the 6th).
bool validMac(const std::string& s) {
  size_t octets = 0;
  size_t i = 0;
  while (i < s.size()) {
    size_t digits = 0;
    while (i < s.size() && std::isxdigit(static_cast<unsigned char>(s[i]))) {
      ++i;
      ++digits;
    }
    if (digits < 1 || digits > 2) {
      return false;
    }
    ++octets;
    if (i < s.size() && s[i++] != ':') {
      return false;
    }
  }
  return (octets == 5 || octets == 6) && s.back() != ':';
}

void useVmac(const Node& node, Instance& inst, ParseContext& ctx) {
  if (!args(node, ctx, 0, 2)) {
    return;
  }
  constexpr size_t kMaxIfName = 15;  // IFNAMSIZ - 1
  for (const Token& tok : node.args) {
    if (!looksLikeMac(tok.text)) {
      if (tok.text.size() > kMaxIfName) {
        ctx.error(tok.pos, "'use_vmac' interface name " + quoted(tok.text) + " is longer than " +
                               std::to_string(kMaxIfName) + " characters");
        return;
      }
      inst.vmacName = tok.text;
    } else if (!validMac(tok.text)) {
      ctx.error(tok.pos, "'use_vmac' MAC address " + quoted(tok.text) +
                             " must be 5 or 6 hex octets separated by ':'");
      return;
    } else {
      inst.vmacMac = tok.text;
    }
  }
  inst.useVmac = true;
}

Handler setPreempt(bool preempt) {
  return [preempt](const Node& node, Instance& inst, ParseContext& ctx) {
    if (args(node, ctx, 0)) {
      inst.preempt = preempt;
      if (!preempt) {
        inst.at.nopreempt = node.pos();
      }
    }
  };
}

Handler setAccept(bool accept) {
  return marking(InstanceSetting::Accept,
                 [accept](const Node& node, Instance& inst, ParseContext& ctx) {
                   if (args(node, ctx, 0)) {
                     inst.accept = accept;
                   }
                 });
}

void garpExtraIf(const Node& node, Instance& inst, ParseContext& ctx) {
  if (!args(node, ctx, 1, 2)) {
    return;
  }
  bool all = node.args.size() == 2;
  if (all && !ctx.oneOf(node.args[0], "'garp_extra_if' option", {"all"})) {
    return;
  }
  if (auto secs = ctx.integer(node.args.back(), what(node), 0, 86400)) {
    inst.garp.extraIfInterval = std::chrono::seconds(*secs);
    inst.garp.extraIfAll = all;
  }
}

void oldUnicastChecksum(const Node& node, Instance& inst, ParseContext& ctx) {
  if (!args(node, ctx, 0, 1)) {
    return;
  }
  if (node.args.empty()) {
    inst.oldUnicastChecksum = true;
  } else if (ctx.oneOf(node.args[0], "'old_unicast_checksum' option", {"never"})) {
    inst.oldUnicastChecksumNever = true;
  }
}

void lvsSyncDaemonInterface(const Node& node, Instance& inst, ParseContext& ctx) {
  if (!args(node, ctx, 1)) {
    return;
  }
  ctx.warning(node.pos(), "'lvs_sync_daemon_interface' is deprecated; write 'lvs_sync_daemon " +
                              node.args[0].text + " " + inst.name + "' in global_defs");
  inst.lvsSyncDaemonInterface = node.args[0].text;
  inst.lvsSyncDaemonInterfacePos = node.pos();
}

void addCore(Table& t) {
  using P = InstancePositions;
  t.on("state", at(&P::state, state))
      .on("interface", at(&P::interface, stringInto<Instance>(field(&Instance::interface))))
      .on("virtual_router_id", at(&P::vrid, integerInto<Instance>(field(&Instance::vrid), 1, 255)))
      .on("priority",
          at(&P::priority, marking(InstanceSetting::Priority,
                                   integerInto<Instance>(field(&Instance::priority), 1, 255))))
      .on("advert_int",
          at(&P::advertInt, secondsInto<Instance>(field(&Instance::advertInterval), 0.01, 255)))
      .on("version",
          at(&P::version, marking(InstanceSetting::Version,
                                  integerInto<Instance>(field(&Instance::version), 2, 3))))
      .on("use_vmac", useVmac)
      .on("use_vmac_addr", flagInto<Instance>(field(&Instance::useVmacAddr)))
      .on("vmac_xmit_base", flagInto<Instance>(field(&Instance::vmacXmitBase)))
      .on("dont_track_primary", flagInto<Instance>(field(&Instance::dontTrackPrimary)))
      .on("track_src_ip", flagInto<Instance>(field(&Instance::trackSrcIp)))
      .on("promote_secondaries", flagInto<Instance>(field(&Instance::promoteSecondaries)))
      .on("unicast_fault_no_peer", flagInto<Instance>(field(&Instance::unicastFaultNoPeer)))
      .on("unicast_ttl", integerInto<Instance>(field(&Instance::unicastTtl), 1, 255))
      .on("check_unicast_src", marking(InstanceSetting::CheckUnicastSrc,
                                       flagInto<Instance>(field(&Instance::checkUnicastSrc))))
      .on("debug", integerInto<Instance>(field(&Instance::debug), 0, 4))
      .on("kernel_rx_buf_size",
          integerInto<Instance>(field(&Instance::kernelRxBufSize), 1, INT32_MAX))
      .on("lvs_sync_daemon_interface", lvsSyncDaemonInterface);
}

void addBehaviour(Table& t) {
  using S = InstanceSetting;
  auto g = [](auto member) {
    return [member](Instance & inst) -> auto& { return inst.garp.*member; };
  };
  t.on("nopreempt", setPreempt(false))
      .on("preempt", setPreempt(true))
      .on("preempt_delay", at(&InstancePositions::preemptDelay,
                              secondsInto<Instance>(field(&Instance::preemptDelay), 0, 1000)))
      .on("accept", setAccept(true))
      .on("no_accept", setAccept(false))
      .on("garp_master_delay",
          marking(S::GarpMasterDelay,
                  secondsInto<Instance>(g(&GarpSettings::masterDelay), 0, kDay)))
      .on("garp_master_repeat",
          marking(S::GarpMasterRepeat, repeatInto<Instance>(g(&GarpSettings::masterRepeat))))
      .on("garp_lower_prio_delay",
          marking(S::GarpLowerPrioDelay,
                  secondsInto<Instance>(g(&GarpSettings::lowerPrioDelay), 0, kDay)))
      .on("garp_lower_prio_repeat",
          marking(S::GarpLowerPrioRepeat, repeatInto<Instance>(g(&GarpSettings::lowerPrioRepeat))))
      .on("garp_master_refresh",
          marking(S::GarpMasterRefresh,
                  secondsInto<Instance>(g(&GarpSettings::masterRefresh), 0, kDay)))
      .on("garp_master_refresh_repeat",
          marking(S::GarpMasterRefreshRepeat,
                  repeatInto<Instance>(g(&GarpSettings::masterRefreshRepeat))))
      .on("garp_extra_if", marking(S::GarpExtraIf, garpExtraIf))
      .on("down_timer_adverts",
          marking(S::DownTimerAdverts,
                  integerInto<Instance>(field(&Instance::downTimerAdverts), 1, 100)))
      .on("lower_prio_no_advert",
          marking(S::LowerPrioNoAdvert, flagInto<Instance>(field(&Instance::lowerPrioNoAdvert))))
      .on("higher_prio_send_advert",
          marking(S::HigherPrioSendAdvert,
                  flagInto<Instance>(field(&Instance::higherPrioSendAdvert))))
      .on("strict_mode", marking(S::StrictMode, flagInto<Instance>(field(&Instance::strictMode))))
      .on("skip_check_adv_addr",
          marking(S::SkipCheckAdvAddr, flagInto<Instance>(field(&Instance::skipCheckAdvAddr))))
      .on("old_unicast_checksum", oldUnicastChecksum)
      .on("v3_checksum_as_v2", flagInto<Instance>(field(&Instance::v3ChecksumAsV2)));
}

void addNotify(Table& t) {
  addNotifyKeywords(t);
  t.on("notify_master_rx_lower_pri",
       scriptInto<Instance>([](Instance & inst) -> auto& { return inst.notify.masterRxLowerPri; }))
      .on("notify_priority_changes",
          marking(InstanceSetting::NotifyPriorityChanges,
                  flagInto<Instance>(field(&Instance::notifyPriorityChanges))))
      .on("smtp_alert",
          marking(InstanceSetting::SmtpAlert, flagInto<Instance>(field(&Instance::smtpAlert))));
}

const Table& instanceTable() {
  static const Table table = [] {
    Table t("vrrp_instance");
    addCore(t);
    addInstanceAddressKeywords(t);
    addBehaviour(t);
    addNotify(t);
    addTrackingKeywords(t);
    t.unsupported({"vrf", "use_ipvlan"}, "")
        .unsupported({"linkbeat_use_polling"}, "vigil follows link state through netlink");
    return t;
  }();
  return table;
}

}  // namespace

void parseInstance(const Node& node, VrrpModel& model, ParseContext& ctx) {
  std::optional<VrrpInstance> parsed = readNamedBlock(node, model.instances, instanceTable(), ctx);
  if (!parsed) {
    return;
  }
  VrrpInstance& inst = *parsed;
  model.instances.push_back(std::move(inst));
}

}  // namespace vigil::config::vrrp
