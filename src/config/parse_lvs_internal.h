#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/keyword_table.h"
#include "config/model_lvs.h"
#include "config/node.h"
#include "config/parse_context.h"
#include "config/parse_util.h"

// Shared between the LVS parser files only. A virtual_server block is read
// into drafts that remember what was left unset, and resolved into the model
// once the whole block is known, so keywords may come in any order (a
// virtual server's delay_loop after its real servers still applies to them).
namespace vigil::config::lvs {

// Settings a level leaves to the level above: checker <- real server <-
// virtual server <- the checker type's default.
struct InheritedSettings {
  std::optional<Duration> delayLoop;
  std::optional<Duration> connectTimeout;
  std::optional<Duration> delayBeforeRetry;
  std::optional<Duration> warmup;
  std::optional<uint32_t> retry;
  std::optional<bool> alpha;
};

// `lvs_method METHOD [type T [port N]] [CSUM]` as written, with where.
struct ForwardingSetting {
  Forwarding forwarding;
  SourcePos pos;
};

struct CheckerDraft {
  Checker checker;     // base.type and base.pos as parsed
  CheckerProbe probe;  // the per-type part as parsed
  InheritedSettings settings;
  ProbeTarget target;  // connect_* as written; empty address / port 0: unset
  std::shared_ptr<const std::string> virtualhost;  // HTTP_GET / SSL_GET level
  std::optional<Duration> miscTimeout;
  bool valid = true;
};

struct RealServerDraft {
  RealServer server;          // pos, address, port and the non-inherited settings
  RealServerOptions options;  // as written; resolved into server.options
  InheritedSettings settings;
  std::optional<ForwardingSetting> forwarding;
  std::optional<uint32_t> weight;
  std::optional<bool> inhibitOnFailure;
  SourcePos lowerThresholdPos;
  std::vector<CheckerDraft> checkers;
  bool valid = true;
};

// A keyword whose effect depends on something known only at the end of the
// block (sh-port needs the scheduler), kept with where it was written.
struct PendingFlag {
  std::string name;
  SourcePos pos;
};

struct VirtualServerDraft {
  VirtualServer server;
  InheritedSettings settings;
  std::optional<ForwardingSetting> forwarding;
  uint32_t realServerWeight = 1;     // the virtual server's `weight`
  std::optional<Token> granularity;  // its meaning depends on the family
  std::optional<Token> ipFamily;
  std::vector<PendingFlag> schedulerFlags;  // sh-port, sh-fallback, mh-port, mh-fallback
  std::optional<SorryServer> sorry;
  std::optional<ForwardingSetting> sorryForwarding;
  bool sorryInhibit = false;
  SourcePos sorryInhibitPos;
  std::vector<RealServerDraft> realServers;
  bool valid = true;
};

// parse_lvs_forwarding.cpp
std::optional<Forwarding> parseForwarding(const Node& node, ParseContext& ctx);
std::optional<LvsScheduler> parseScheduler(const Node& node, ParseContext& ctx);
std::optional<LvsProtocol> parseProtocol(const Node& node, ParseContext& ctx);

// parse_lvs_server.cpp
std::optional<VirtualServer> parseVirtualServer(const Node& node, ParseContext& ctx);

// parse_checkers.cpp: a checker block (TCP_CHECK, ...) inside a real_server,
// or false when `node` is not a checker keyword.
bool parseChecker(const Node& node, RealServerDraft& rs, ParseContext& ctx);

// <TIMER> bounds (keepalived's: microseconds in 32 bits).
inline constexpr double kMinInterval = 0.000001;
inline constexpr double kMaxTimer = 4294.967295;

// The timing keywords every level accepts and passes down (delay_loop,
// connect_timeout, retry, delay_before_retry, warmup). `get` maps the
// table's target to its InheritedSettings.
template <class T, class Get>
void addTimingKeywords(KeywordTable<T>& table, Get get) {
  using parse::secondsArg;
  table.on("delay_loop", [get](const Node& n, T& t, ParseContext& ctx) {
    if (auto v = secondsArg(n, ctx, kMinInterval, kMaxTimer)) {
      get(t).delayLoop = v;
    }
  });
  table.on("connect_timeout", [get](const Node& n, T& t, ParseContext& ctx) {
    if (auto v = secondsArg(n, ctx, kMinInterval, kMaxTimer)) {
      get(t).connectTimeout = v;
    }
  });
  table.on("delay_before_retry", [get](const Node& n, T& t, ParseContext& ctx) {
    if (auto v = secondsArg(n, ctx, 0, kMaxTimer)) {
      get(t).delayBeforeRetry = v;
    }
  });
  table.on("warmup", [get](const Node& n, T& t, ParseContext& ctx) {
    if (auto v = secondsArg(n, ctx, 0, kMaxTimer)) {
      get(t).warmup = v;
    }
  });
  table.on("retry", [get](const Node& n, T& t, ParseContext& ctx) {
    if (auto v = parse::integerArg(n, ctx, 0, UINT32_MAX)) {
      get(t).retry = static_cast<uint32_t>(*v);
    }
  });
}

// `KW VALUE` as a shared string (virtualhost, snmp_name), null on error.
std::shared_ptr<const std::string> readSharedString(const Node& node, ParseContext& ctx);

// parse_checkers.cpp: the keywords every checker with a target accepts
// (connect_ip, ..., the timing keywords, alpha, log_all_failures), or only
// those from alpha on (MISC_CHECK has no target).
void addCommonCheckerKeywords(KeywordTable<CheckerDraft>& table, bool withTarget);
// parse_checker_http.cpp: HTTP_GET and SSL_GET.
const KeywordTable<CheckerDraft>& httpCheckerTable();

// resolve_lvs.cpp: applies inheritance and per-service rules.
std::optional<VirtualServer> resolveVirtualServer(VirtualServerDraft draft, ParseContext& ctx);
Checker resolveChecker(CheckerDraft draft, const RealServer& rs,
                       const InheritedSettings& rsSettings, const InheritedSettings& vsSettings,
                       ParseContext& ctx, bool& ok);

// parse_lvs_group.cpp
std::optional<VirtualServerGroup> parseVirtualServerGroup(const Node& node, ParseContext& ctx);

}  // namespace vigil::config::lvs
