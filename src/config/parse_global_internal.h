#pragma once

#include <optional>

#include "config/keyword_table.h"
#include "config/model_global.h"
#include "config/parse_util.h"

// global_defs handlers with more grammar than "KW VALUE"
// (parse_global_complex.cpp), used by the table in parse_global.cpp.
namespace vigil::config::global {

using Handler = KeywordTable<GlobalDefs>::Handler;

void notificationEmail(const Node& node, GlobalDefs& g, ParseContext& ctx);
void smtpServer(const Node& node, GlobalDefs& g, ParseContext& ctx);
void scriptUser(const Node& node, GlobalDefs& g, ParseContext& ctx);
Handler fifo(std::optional<NotifyFifo> GlobalDefs::*member);
Handler fifoScript(std::optional<NotifyFifo> GlobalDefs::*member);
void minGarp(const Node& node, GlobalDefs& g, ParseContext& ctx);
void garpExtraIf(const Node& node, GlobalDefs& g, ParseContext& ctx);
Handler mcastGroup(int family);
void vrrpVersion(const Node& node, GlobalDefs& g, ParseContext& ctx);
Handler cpuAffinity(ProcessTuning GlobalDefs::*member);
void maxAutoPriority(const Node& node, GlobalDefs& g, ParseContext& ctx);
void minAutoPriorityDelay(const Node& node, GlobalDefs& g, ParseContext& ctx);
void dynamicInterfaces(const Node& node, GlobalDefs& g, ParseContext& ctx);
void lvsTimeouts(const Node& node, GlobalDefs& g, ParseContext& ctx);
void lvsSyncDaemon(const Node& node, GlobalDefs& g, ParseContext& ctx);
void lvsFlushOnStop(const Node& node, GlobalDefs& g, ParseContext& ctx);
void snmpRfc(const Node& node, GlobalDefs& g, ParseContext& ctx);

// vigil's own keywords.
void dataplane(const Node& node, GlobalDefs& g, ParseContext& ctx);
void metricsListen(const Node& node, GlobalDefs& g, ParseContext& ctx);
void vipLifetime(const Node& node, GlobalDefs& g, ParseContext& ctx);
void controlSocket(const Node& node, GlobalDefs& g, ParseContext& ctx);

// Checks that need the whole block (a FIFO script without its FIFO).
void finish(GlobalDefs& g, ParseContext& ctx);

// "ADDR:PORT" or "[ADDR]:PORT"; nullopt when malformed.
std::optional<ListenAddress> parseListenAddress(std::string_view text);

}  // namespace vigil::config::global
