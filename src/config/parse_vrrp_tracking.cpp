// vrrp_script, track_file, vrrp_track_process, and the track_* reference
// blocks of instances and sync groups.
#include "config/parse_vrrp_internal.h"

namespace vigil::config::vrrp {
namespace {

using parse::args;
using parse::flagInto;
using parse::integerInto;
using parse::quoted;
using parse::secondsInto;
using parse::what;

// `weight N` / `reverse` / `noreverse` at args[i]; advances i past what it
// read. False after reporting an unknown or incomplete option.
bool trackOption(const std::string& block, const Node& node, size_t& i, int64_t maxWeight,
                 TrackRef& ref, ParseContext& ctx) {
  const Token& word = node.args[i];
  if (word.text == "reverse") {
    ref.reverse = true;
  } else if (word.text == "noreverse" || word.text == "no_reverse") {
    ref.reverse = false;
  } else if (word.text == "weight") {
    if (i + 1 >= node.args.size()) {
      ctx.error(word.pos, quoted(block) + " weight needs a value");
      return false;
    }
    auto w = ctx.integer(node.args[++i], quoted(block) + " weight", -maxWeight, maxWeight);
    if (!w) {
      return false;
    }
    ref.weight = static_cast<int32_t>(*w);
  } else {
    ctx.error(word.pos, "unknown " + quoted(block) + " option " + quoted(word.text) +
                            " (expected weight N, reverse or noreverse)");
    return false;
  }
  return true;
}

const KeywordTable<VrrpScript>& scriptTable() {
  using T = VrrpScript;
  static const KeywordTable<T> table = [] {
    KeywordTable<T> t("vrrp_script");
    t.on("script",
         [](const Node& node, T& s, ParseContext& ctx) {
           if (args(node, ctx, 1, SIZE_MAX)) {
             s.script = ParseContext::joinArgs(node);
           }
         })
        .on("interval", secondsInto<T>(
                            [](T & s) -> auto& { return s.interval; }, 0.001, 86400))
        .on("timeout", secondsInto<T>(
                           [](T & s) -> auto& { return s.timeout; }, 0.001, 86400))
        .on("weight",
            [](const Node& node, T& s, ParseContext& ctx) {
              int64_t w = 0;
              if (parseWeight(node, kMaxScriptWeight, w, s.weightReverse, ctx)) {
                s.weight = static_cast<int32_t>(w);
              }
            })
        .on("rise", integerInto<T>(
                        [](T & s) -> auto& { return s.rise; }, 1, 1'000'000))
        .on("fall", integerInto<T>(
                        [](T & s) -> auto& { return s.fall; }, 1, 1'000'000))
        .on("user", [](const Node& node, T& s,
                       ParseContext& ctx) { s.user = parse::scriptAccount(node, ctx); })
        .on("init_fail", flagInto<T>([](T & s) -> auto& { return s.initFail; }));
    return t;
  }();
  return table;
}

const KeywordTable<TrackFile>& trackFileTable() {
  using T = TrackFile;
  static const KeywordTable<T> table = [] {
    KeywordTable<T> t("track_file");
    t.on("file",
         [](const Node& node, T& f, ParseContext& ctx) {
           if (args(node, ctx, 1)) {
             f.path = node.args[0].text;
           }
         })
        .on("weight",
            [](const Node& node, T& f, ParseContext& ctx) {
              parseWeight(node, INT32_MAX, f.weight, f.weightReverse, ctx);
            })
        .on("init_file", [](const Node& node, T& f, ParseContext& ctx) {
          if (!args(node, ctx, 0, 2)) {
            return;
          }
          f.initFile = true;
          for (const Token& tok : node.args) {
            if (tok.text == "overwrite") {
              f.initOverwrite = true;
            } else if (auto v = ctx.integer(tok, "'init_file' value", INT32_MIN, INT32_MAX)) {
              f.initValue = *v;
            }
          }
        });
    return t;
  }();
  return table;
}

void processParamMatch(const Node& node, TrackProcess& p, ParseContext& ctx) {
  if (!args(node, ctx, 1)) {
    return;
  }
  if (auto v = ctx.oneOf(node.args[0], "'param_match' mode", {"initial", "partial"})) {
    p.paramMatch = *v == "initial" ? ProcessParamMatch::Initial : ProcessParamMatch::Partial;
    p.paramMatchSet = true;
  }
}

const KeywordTable<TrackProcess>& trackProcessTable() {
  using T = TrackProcess;
  static const KeywordTable<T> table = [] {
    KeywordTable<T> t("vrrp_track_process");
    t.on("process",
         [](const Node& node, T& p, ParseContext& ctx) {
           if (args(node, ctx, 1, SIZE_MAX)) {
             p.process.clear();
             for (const Token& tok : node.args) {
               p.process.push_back(tok.text);
             }
           }
         })
        .on("param_match", processParamMatch)
        .on("weight",
            [](const Node& node, T& p, ParseContext& ctx) {
              int64_t w = 0;
              if (parseWeight(node, kMaxFileWeight, w, p.weightReverse, ctx)) {
                p.weight = static_cast<int32_t>(w);
              }
            })
        .on("quorum", integerInto<T>(
                          [](T & p) -> auto& { return p.quorum; }, 1, 65535))
        .on("quorum_max", integerInto<T>(
                              [](T & p) -> auto& { return p.quorumMax; }, 0, 65535))
        .on("fork_delay", secondsInto<T>(
                              [](T & p) -> auto& { return p.forkDelay; }, 0, 3600))
        .on("terminate_delay", secondsInto<T>(
                                   [](T & p) -> auto& { return p.terminateDelay; }, 0, 3600))
        .on("delay",
            [](const Node& node, T& p, ParseContext& ctx) {
              if (auto d = parse::secondsArg(node, ctx, 0, 3600)) {
                p.forkDelay = *d;
                p.terminateDelay = *d;
              }
            })
        .on("full_command", flagInto<T>([](T & p) -> auto& { return p.fullCommand; }));
    return t;
  }();
  return table;
}

}  // namespace

bool parseWeight(const Node& node, int64_t maxWeight, int64_t& weight, bool& reverse,
                 ParseContext& ctx) {
  if (!args(node, ctx, 1, 2)) {
    return false;
  }
  auto w = ctx.integer(node.args[0], what(node), -maxWeight, maxWeight);
  if (!w) {
    return false;
  }
  if (node.args.size() == 2 && !ctx.oneOf(node.args[1], "weight option", {"reverse"})) {
    return false;
  }
  weight = *w;
  reverse = node.args.size() == 2;
  return true;
}

void parseTrackBlock(const Node& node, int32_t maxWeight, std::vector<TrackRef>& out,
                     ParseContext& ctx) {
  if (!ctx.expectBlock(node) || !ctx.expectArgs(node, 0)) {
    return;
  }
  for (const Node& entry : node.children) {
    if (!ctx.expectNoBlock(entry)) {
      continue;
    }
    TrackRef ref{entry.name(), std::nullopt, false, entry.pos()};
    bool ok = true;
    for (size_t i = 0; ok && i < entry.args.size(); ++i) {
      ok = trackOption(node.name(), entry, i, maxWeight, ref, ctx);
    }
    if (ok) {
      out.push_back(std::move(ref));
    }
  }
}

void parseNameList(const Node& node, std::vector<NameRef>& out, ParseContext& ctx) {
  if (!ctx.expectBlock(node) || !ctx.expectArgs(node, 0)) {
    return;
  }
  for (const Node& entry : node.children) {
    if (!ctx.expectNoBlock(entry)) {
      continue;
    }
    out.push_back({entry.name(), entry.pos()});
    for (const Token& more : entry.args) {
      out.push_back({more.text, more.pos});
    }
  }
}

void parseScript(const Node& node, VrrpModel& model, ParseContext& ctx) {
  std::optional<VrrpScript> parsed = readNamedBlock(node, model.scripts, scriptTable(), ctx);
  if (!parsed) {
    return;
  }
  VrrpScript& script = *parsed;
  model.scripts.push_back(std::move(script));
}

void parseTrackFile(const Node& node, VrrpModel& model, ParseContext& ctx) {
  std::optional<TrackFile> parsed = readNamedBlock(node, model.trackFiles, trackFileTable(), ctx);
  if (!parsed) {
    return;
  }
  TrackFile& file = *parsed;
  if (file.path.empty()) {
    // Kept anyway, so references to it report nothing further.
    ctx.error(node.pos(), "track_file " + quoted(file.name) + " has no 'file'");
  }
  model.trackFiles.push_back(std::move(file));
}

void parseTrackProcess(const Node& node, VrrpModel& model, ParseContext& ctx) {
  std::optional<TrackProcess> parsed =
      readNamedBlock(node, model.trackProcesses, trackProcessTable(), ctx);
  if (!parsed) {
    return;
  }
  TrackProcess& process = *parsed;
  if (process.process.empty()) {
    ctx.error(node.pos(), "vrrp_track_process " + quoted(process.name) + " has no 'process'");
  } else if (process.quorumMax && *process.quorumMax < process.quorum) {
    ctx.error(node.pos(), "vrrp_track_process " + quoted(process.name) + ": 'quorum_max' " +
                              std::to_string(*process.quorumMax) + " is below 'quorum' " +
                              std::to_string(process.quorum));
  }
  model.trackProcesses.push_back(std::move(process));
}

}  // namespace vigil::config::vrrp
