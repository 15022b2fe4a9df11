// The LVS top-level blocks: virtual_server_group, virtual_server and SSL.
#include "config/parse_lvs_internal.h"
#include "config/parsers.h"

namespace vigil::config {
namespace {

const KeywordTable<SslContext>& sslTable() {
  static const KeywordTable<SslContext> table = [] {
    KeywordTable<SslContext> t("SSL");
    t.on("password",
         parse::stringInto<SslContext>([](SslContext & s) -> auto& { return s.password; }));
    t.on("ca", parse::stringInto<SslContext>([](SslContext & s) -> auto& { return s.caFile; }));
    t.on("certificate",
         parse::stringInto<SslContext>([](SslContext & s) -> auto& { return s.certificateFile; }));
    t.on("key", parse::stringInto<SslContext>([](SslContext & s) -> auto& { return s.keyFile; }));
    return t;
  }();
  return table;
}

void parseSsl(const Node& node, LvsModel& lvs, ParseContext& ctx) {
  if (!ctx.expectArgs(node, 0) || !ctx.expectBlock(node)) {
    return;
  }
  if (lvs.ssl) {
    ctx.warning(node.pos(), "a second SSL block replaces the one at " + lvs.ssl->pos.format());
  }
  SslContext ssl;
  ssl.pos = node.pos();
  sslTable().apply(node.children, ssl, ctx);
  lvs.ssl = std::move(ssl);
}

}  // namespace

bool parseLvsTopLevel(const Node& node, Config& config, ParseContext& ctx) {
  const std::string& name = node.name();
  if (name == "virtual_server") {
    if (auto vs = lvs::parseVirtualServer(node, ctx)) {
      config.lvs.virtualServers.push_back(std::move(*vs));
    }
  } else if (name == "virtual_server_group") {
    if (auto group = lvs::parseVirtualServerGroup(node, ctx)) {
      config.lvs.groups.push_back(std::move(*group));
    }
  } else if (name == "SSL") {
    parseSsl(node, config.lvs, ctx);
  } else {
    return false;
  }
  return true;
}

}  // namespace vigil::config
