#include "config/loader.h"

#include "config/node.h"
#include "config/parsers.h"

namespace vigil::config {
namespace {

// keepalived top-level blocks vigil does not implement.
bool isUnsupportedTopLevel(const std::string& name) {
  static const char* const kNames[] = {"bfd_instance", "linkbeat_interfaces", "garp_group"};
  for (const char* n : kNames) {
    if (name == n) {
      return true;
    }
  }
  return false;
}

// Top-level statements are read and turned into model objects one at a
// time, so peak memory is the model plus one block, never the whole file.
void buildModel(NodeReader& reader, Config& config, ParseContext& ctx) {
  while (auto next = reader.next()) {
    const Node& node = *next;
    if (node.name() == "global_defs") {
      parseGlobalDefs(node, config, ctx);
    } else if (parseVrrpTopLevel(node, config, ctx) || parseLvsTopLevel(node, config, ctx)) {
      continue;
    } else if (isUnsupportedTopLevel(node.name())) {
      ctx.unsupportedKeyword(node, "");
    } else {
      ctx.unknownKeyword(node, "the top level");
    }
  }
  validateVrrp(config, ctx);
  validateLvs(config, ctx);
}

LoadResult finish(std::shared_ptr<SourceSet> sources, std::string path, const TokenList& tokens,
                  Diagnostics diagnostics, const LoadOptions& options) {
  LoadResult result;
  result.diagnostics = std::move(diagnostics);
  result.sources = sources;
  auto config = std::make_shared<Config>();
  config->path = std::move(path);
  config->sources = std::move(sources);
  ParseContext ctx(result.diagnostics, options.strict);
  TokenListSource source(tokens);
  NodeReader reader(source, result.diagnostics);
  buildModel(reader, *config, ctx);
  if (!result.diagnostics.hasErrors()) {
    result.config = std::move(config);
  }
  return result;
}

}  // namespace

LoadResult loadConfig(const std::string& path, const LoadOptions& options) {
  auto sources = std::make_shared<SourceSet>();
  Diagnostics diagnostics;
  Lexer lexer(*sources, diagnostics, options.lexer);
  auto tokens = lexer.readFile(path);
  if (!tokens) {
    LoadResult result;
    result.unreadable = true;
    result.sources = sources;
    result.diagnostics = std::move(diagnostics);
    result.diagnostics.error(SourcePos{sources->intern(path), 0, 0}, tokens.error().describe());
    return result;
  }
  return finish(std::move(sources), path, *tokens, std::move(diagnostics), options);
}

LoadResult loadConfigText(std::string_view name, std::string_view text,
                          const LoadOptions& options) {
  auto sources = std::make_shared<SourceSet>();
  Diagnostics diagnostics;
  Lexer lexer(*sources, diagnostics, options.lexer);
  TokenList tokens = lexer.readText(name, text);
  return finish(std::move(sources), std::string(name), tokens, std::move(diagnostics), options);
}

}  // namespace vigil::config
