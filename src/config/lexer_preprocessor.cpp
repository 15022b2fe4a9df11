#include "config/lexer_preprocessor.h"

#include <climits>
#include <cstdlib>
#include <filesystem>

#include "config/lexer_scan.h"
#include "config/lexer_tokenizer.h"

namespace vigil::config::lexer {
namespace {

std::string dirOf(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) {
    return {};
  }
  return slash == 0 ? std::string("/") : path.substr(0, slash);
}

std::string absoluteDir(const std::string& dir) {
  std::error_code ec;
  std::filesystem::path p = std::filesystem::absolute(dir.empty() ? "." : dir, ec);
  if (ec) {
    return dir;
  }
  std::string s = p.lexically_normal().string();
  if (s.size() > 1 && s.back() == '/') {
    s.pop_back();
  }
  return s;
}

std::string identityOf(const std::string& path) {
  char resolved[PATH_MAX];
  if (::realpath(path.c_str(), resolved) != nullptr) {
    return resolved;
  }
  std::error_code ec;
  std::filesystem::path p = std::filesystem::absolute(path, ec);
  return ec ? path : p.lexically_normal().string();
}

}  // namespace

size_t definitionNameLength(std::string_view text) {
  if (text.size() < 3 || text[0] != '$') {
    return 0;
  }
  size_t len = identLength(text.substr(1));
  return len > 0 && len + 1 < text.size() && text[len + 1] == '=' ? len : 0;
}

bool startsDefinition(std::string_view text) {
  if (text.starts_with('@')) {
    size_t e = 0;
    while (e < text.size() && !isBlank(text[e])) {
      ++e;
    }
    while (e < text.size() && isBlank(text[e])) {
      ++e;
    }
    text.remove_prefix(e);
  }
  return definitionNameLength(text) > 0;
}

Preprocessor::Preprocessor(SourceSet& sources, Diagnostics& diagnostics,
                           const LexerOptions& options, TokenSink& sink)
    : sources_(sources),
      diagnostics_(diagnostics),
      options_(options),
      sink_(sink),
      random_(options.randomSeed) {}

Result<void> Preprocessor::readFile(const std::string& path) {
  Result<std::string> data = readRegularFile(path);
  if (!data) {
    return data.error();
  }
  readBuffer(makeFrame(path, {}), *data);
  return {};
}

void Preprocessor::readText(std::string_view name, std::string_view text) {
  readBuffer(makeFrame(std::string(name), {}), text);
}

Preprocessor::FileFrame Preprocessor::makeFrame(const std::string& path,
                                                const IncludeChecks& checks) {
  FileFrame frame;
  frame.name = sources_.intern(path);
  frame.dir = dirOf(path);
  frame.absDir = absoluteDir(frame.dir);
  frame.identity = identityOf(path);
  frame.checks = checks;
  return frame;
}

void Preprocessor::readBuffer(FileFrame frame, std::string_view text) {
  const std::string* name = frame.name;
  stack_.push_back(std::move(frame));
  FileLines lines(name, text, options_.maxLineBytes, diagnostics_);
  LineView line;
  while (!stopped_ && lines.next(line)) {
    if (handleDirective(line)) {
      continue;
    }
    lineFailed_ = false;
    if (line.text.back() == '\\' && startsDefinition(line.text)) {
      readMultiLineDefinition(line, lines);
    } else {
      processLine(line, 0);
    }
  }
  stack_.pop_back();
}

// Every line ending in `\` continues the definition. Blank and comment-only
// lines inside it are skipped, as in the man page's examples; the parts are
// joined with '\n' so that using the value makes one line per part.
void Preprocessor::readMultiLineDefinition(const LineView& first, FileLines& lines) {
  std::string joined(first.text.substr(0, first.text.size() - 1));
  bool tooLong = false;
  LineView next;
  bool more = true;
  while (more && lines.next(next)) {
    more = next.text.back() == '\\';
    tooLong = tooLong || joined.size() + next.text.size() >= options_.maxLineBytes;
    if (!tooLong) {
      joined.push_back('\n');
      joined.append(next.text.substr(0, next.text.size() - (more ? 1 : 0)));
    }
  }
  if (tooLong) {
    diagnostics_.error(first.posAt(0), "parameter definition longer than " +
                                           std::to_string(options_.maxLineBytes) +
                                           " bytes; definition ignored");
    return;
  }
  processLine(LineView{joined, nullptr, first.firstCol, first.line, first.file}, 0);
}

bool Preprocessor::handleDirective(const LineView& line) {
  std::string_view text = line.text;
  if (!text.starts_with("include")) {
    return false;
  }
  size_t wordEnd = 0;
  while (wordEnd < text.size() && !isBlank(text[wordEnd])) {
    ++wordEnd;
  }
  std::string_view word = text.substr(0, wordEnd);
  std::optional<IncludeChecks> extra = includeKeyword(word);
  if (!extra && word != "include_check") {
    return false;
  }
  TokenList tokens;
  tokenizeLine(line, tokens, diagnostics_, Braces::AreText);
  std::vector<Token> args;
  for (size_t i = 1; i < tokens.size() && tokens[i].kind != Token::Kind::EndOfLine; ++i) {
    args.push_back(tokens[i]);
  }
  if (extra) {
    include(tokens[0], args, *extra);
    return true;
  }
  std::vector<std::string> options;
  options.reserve(args.size());
  for (const Token& arg : args) {
    options.push_back(arg.text);
  }
  std::string problem = applyIncludeCheck(options, stack_.back().checks);
  if (!problem.empty()) {
    diagnostics_.error(tokens[0].pos, problem);
  }
  return true;
}

void Preprocessor::include(const Token& keyword, const std::vector<Token>& args,
                           const IncludeChecks& extra) {
  if (args.size() != 1 || args[0].kind != Token::Kind::Word) {
    diagnostics_.error(keyword.pos, keyword.text + " takes exactly one file name (glob pattern)");
    return;
  }
  const Token& pattern = args[0];
  if (stack_.size() >= options_.maxIncludeDepth) {
    diagnostics_.error(pattern.pos, "includes nested more than " +
                                        std::to_string(options_.maxIncludeDepth) + " deep; '" +
                                        pattern.text + "' not read");
    return;
  }
  IncludeChecks checks = stack_.back().checks | extra;
  IncludeMatches matches = findIncludeFiles(pattern.text, stack_.back().dir, checks);
  for (const IncludeProblem& problem : matches.problems) {
    if (problem.isError) {
      diagnostics_.error(pattern.pos, problem.message);
    } else {
      diagnostics_.warning(pattern.pos, problem.message);
    }
  }
  for (const std::string& file : matches.files) {
    if (stopped_) {
      return;
    }
    includeFile(file, pattern.pos, checks);
  }
}

void Preprocessor::includeFile(const std::string& path, const SourcePos& from,
                               const IncludeChecks& checks) {
  FileFrame frame = makeFrame(path, checks);
  for (size_t i = 0; i < stack_.size(); ++i) {
    if (stack_[i].identity != frame.identity) {
      continue;
    }
    std::string cycle = "include loop: ";
    for (size_t k = i; k < stack_.size(); ++k) {
      cycle += *stack_[k].name;
      cycle += " -> ";
    }
    cycle += path;
    diagnostics_.error(from, cycle);
    return;
  }
  Result<std::string> data = readRegularFile(path);
  if (!data) {
    std::string message = "include: " + data.error().describe();
    if (checks.readable) {
      diagnostics_.error(from, message);
    } else {
      diagnostics_.warning(from, message);
    }
    return;
  }
  readBuffer(std::move(frame), *data);
}

}  // namespace vigil::config::lexer
