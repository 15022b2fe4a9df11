#include "config/loader.h"

#include <string>

#include "config/node.h"
#include "config/parsers.h"

namespace vigil::config {
namespace {

// keepalived top-level keywords vigil does not implement: blocks, and the
// process-level settings keepalived accepts outside global_defs.
bool isUnsupportedTopLevel(const std::string& name) {
  static const char* const kNames[] = {
      "bfd_instance",       "linkbeat_interfaces",   "garp_group", "net_namespace",
      "net_namespace_ipvs", "namespace_with_ipsets", "instance",   "use_pid_dir",
      "child_wait_time",    "linkbeat_use_polling"};
  for (const char* n : kNames) {
    if (name == n) {
      return true;
    }
  }
  return false;
}

void dispatch(const Node& node, Config& config, ParseContext& ctx) {
  if (node.name() == "global_defs") {
    parseGlobalDefs(node, config, ctx);
  } else if (parseVrrpTopLevel(node, config, ctx) || parseLvsTopLevel(node, config, ctx)) {
    return;
  } else if (isUnsupportedTopLevel(node.name())) {
    ctx.unsupportedKeyword(node, "");
  } else {
    ctx.unknownKeyword(node, "the top level");
  }
}

// Receives the lexer's tokens and turns each complete top-level statement
// into model objects as soon as it has been read, then drops its tokens, so
// peak memory is the model plus one block, never the whole file's tokens.
// A statement is complete at a line end outside any block, unless the next
// line opens its block (keepalived allows `{` on the following line): the
// buffer is handed over when the next statement starts.
class BlockAssembler final : public TokenSink {
 public:
  BlockAssembler(Config& config, ParseContext& ctx) : config_(config), ctx_(ctx) {}

  void push(Token&& token) override {
    using Kind = Token::Kind;
    if (statementEnded_ && token.kind != Kind::EndOfLine && token.kind != Kind::OpenBrace) {
      flush();
    }
    statementEnded_ = false;
    if (token.kind == Kind::OpenBrace) {
      ++depth_;
    } else if (token.kind == Kind::CloseBrace && depth_ > 0) {
      --depth_;
    }
    bool lineEnd = token.kind == Kind::EndOfLine;
    if (lineEnd && buffer_.empty()) {
      return;
    }
    buffer_.push_back(std::move(token));
    statementEnded_ = lineEnd && depth_ == 0;
  }

  void finish() { flush(); }

 private:
  void flush() {
    TokenListSource source(buffer_);
    NodeReader reader(source, ctx_.diagnostics());
    while (auto node = reader.next()) {
      dispatch(*node, config_, ctx_);
    }
    buffer_.clear();
    statementEnded_ = false;
  }

  Config& config_;
  ParseContext& ctx_;
  TokenList buffer_;
  int depth_ = 0;
  bool statementEnded_ = false;
};

// Runs `read` (which feeds the lexer's tokens to the sink it is given) and
// builds and validates the model from them.
template <class ReadFn>
LoadResult load(std::string path, const LoadOptions& options, ReadFn read) {
  LoadResult result;
  result.sources = std::make_shared<SourceSet>();
  auto config = std::make_shared<Config>();
  config->path = std::move(path);
  config->sources = result.sources;
  ParseContext ctx(result.diagnostics, options.strict, options.routeNames);
  BlockAssembler assembler(*config, ctx);
  Lexer lexer(*result.sources, result.diagnostics, options.lexer);
  if (Status status = read(lexer, assembler); !status) {
    result.unreadable = true;
    result.diagnostics.error(SourcePos{result.sources->intern(config->path), 0, 0},
                             status.error().describe());
    return result;
  }
  assembler.finish();
  validateVrrp(*config, ctx);
  validateLvs(*config, ctx);
  if (!result.diagnostics.hasErrors()) {
    result.config = std::move(config);
  }
  return result;
}

}  // namespace

LoadResult loadConfig(const std::string& path, const LoadOptions& options) {
  return load(path, options,
              [&](Lexer& lexer, TokenSink& sink) { return lexer.streamFile(path, sink); });
}

LoadResult loadConfigText(std::string_view name, std::string_view text,
                          const LoadOptions& options) {
  return load(std::string(name), options, [&](Lexer& lexer, TokenSink& sink) -> Status {
    lexer.streamText(name, text, sink);
    return {};
  });
}

std::string errorSummary(const LoadResult& result, size_t maxErrors) {
  std::string out;
  size_t errors = 0;
  for (const Diagnostic& d : result.diagnostics.all()) {
    if (d.severity != Severity::Error) continue;
    if (++errors > maxErrors) continue;
    if (!out.empty()) out += '\n';
    out += d.format();
  }
  if (errors > maxErrors) out += "\n(" + std::to_string(errors - maxErrors) + " more errors)";
  return out;
}

}  // namespace vigil::config
