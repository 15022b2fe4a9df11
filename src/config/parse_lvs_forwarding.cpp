// lvs_method / lb_kind / sorry_server_lvs_method, lb_algo and protocol.
#include "config/lvs_names.h"
#include "config/parse_lvs_internal.h"
#include "config/parse_util.h"

namespace vigil::config::lvs {
namespace {

using parse::quoted;
using parse::what;

std::optional<ForwardingMethod> readMethod(const Node& node, ParseContext& ctx) {
  const Token& tok = node.args[0];
  if (auto m = methodNamed(tok.text)) {
    return m;
  }
  if (tok.text == "FNAT" || tok.text == "FULLNAT") {
    ctx.error(tok.pos, what(node) + " " + tok.text +
                           " is not supported: the Linux kernel's IPVS has no full-NAT "
                           "forwarding (use NAT, DR or TUN)");
  } else {
    ctx.error(tok.pos,
              "unknown " + what(node) + " " + quoted(tok.text) + " (expected one of NAT|DR|TUN)");
  }
  return std::nullopt;
}

// The words after TUN: [type ipip|gue port N|gre] [nocsum|csum|remcsum].
bool readTunnelOptions(const Node& node, Forwarding& fw, ParseContext& ctx) {
  const auto& a = node.args;
  size_t i = 1;
  const Token* typeTok = nullptr;
  if (i < a.size() && a[i].text == "type") {
    if (i + 1 >= a.size()) {
      ctx.error(a[i].pos, what(node) + " 'type' needs one of ipip|gue|gre");
      return false;
    }
    typeTok = &a[i + 1];
    auto type = tunnelTypeNamed(typeTok->text);
    if (!type) {
      ctx.error(typeTok->pos,
                "unknown tunnel type " + quoted(typeTok->text) + " (expected one of ipip|gue|gre)");
      return false;
    }
    fw.tunnelType = *type;
    i += 2;
  }
  if (i < a.size() && a[i].text == "port") {
    if (fw.tunnelType != TunnelType::Gue) {
      ctx.error(a[i].pos, "'port' applies only to gue tunnels");
      return false;
    }
    if (i + 1 >= a.size()) {
      ctx.error(a[i].pos, "gue tunnel 'port' needs a port number");
      return false;
    }
    auto port = ctx.port(a[i + 1], "gue tunnel port");
    if (!port) {
      return false;
    }
    fw.tunnelPort = *port;
    i += 2;
  } else if (fw.tunnelType == TunnelType::Gue) {
    ctx.error(typeTok->pos, "gue tunnels need 'port N'");
    return false;
  }
  if (i < a.size()) {
    if (auto csum = tunnelChecksumNamed(a[i].text)) {
      if (fw.tunnelType == TunnelType::Ipip) {
        ctx.error(a[i].pos, quoted(a[i].text) + " applies only to gue and gre tunnels");
        return false;
      }
      if (*csum == TunnelChecksum::RemoteChecksum && fw.tunnelType == TunnelType::Gre) {
        ctx.error(a[i].pos, "'remcsum' is not available for gre tunnels");
        return false;
      }
      fw.tunnelChecksum = *csum;
      ++i;
    }
  }
  if (i < a.size()) {
    ctx.error(a[i].pos, "unexpected " + quoted(a[i].text) + " in " + what(node) +
                            " (expected [type ipip|gue port N|gre] [nocsum|csum|remcsum])");
    return false;
  }
  return true;
}

}  // namespace

std::optional<Forwarding> parseForwarding(const Node& node, ParseContext& ctx) {
  if (!parse::args(node, ctx, 1, 6)) {
    return std::nullopt;
  }
  auto method = readMethod(node, ctx);
  if (!method) {
    return std::nullopt;
  }
  Forwarding fw;
  fw.method = *method;
  if (fw.method != ForwardingMethod::Tunnel) {
    if (node.args.size() > 1) {
      ctx.error(node.args[1].pos, what(node) + " " + node.args[0].text +
                                      " takes no tunnel options, got " + quoted(node.args[1].text));
      return std::nullopt;
    }
    return fw;
  }
  if (!readTunnelOptions(node, fw, ctx)) {
    return std::nullopt;
  }
  return fw;
}

std::optional<LvsScheduler> parseScheduler(const Node& node, ParseContext& ctx) {
  if (!parse::args(node, ctx, 1)) {
    return std::nullopt;
  }
  const Token& tok = node.args[0];
  auto s = schedulerNamed(tok.text);
  if (!s) {
    ctx.error(tok.pos, "unknown " + what(node) + " " + quoted(tok.text) + " (expected one of " +
                           schedulerList() + ")");
  }
  return s;
}

std::optional<LvsProtocol> parseProtocol(const Node& node, ParseContext& ctx) {
  if (!parse::args(node, ctx, 1)) {
    return std::nullopt;
  }
  const Token& tok = node.args[0];
  auto p = protocolNamed(tok.text);
  if (!p) {
    ctx.error(tok.pos,
              "unknown " + what(node) + " " + quoted(tok.text) + " (expected one of TCP|UDP|SCTP)");
  }
  return p;
}

}  // namespace vigil::config::lvs
