#include "config/lexer_preprocessor.h"

#include <climits>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "config/lexer_scan.h"
#include "config/lexer_tokenizer.h"

namespace vigil::config::lexer {
namespace {

// Past this many lines with bytes that have no place in a text file, the
// file is taken for binary and the rest of it is skipped.
constexpr unsigned kMaxBadLines = 10;

// Hands out the physical lines of a buffer, with their 1-based numbers.
class PhysicalLines {
 public:
  explicit PhysicalLines(std::string_view text) : text_(text) {
    if (text_.starts_with("\xEF\xBB\xBF")) {  // a UTF-8 byte order mark
      pos_ = 3;
      firstCol_ = 4;
    }
  }

  bool next(std::string_view& line, uint32_t& number, uint32_t& firstCol) {
    if (pos_ >= text_.size()) {
      return false;
    }
    const void* nl = std::memchr(text_.data() + pos_, '\n', text_.size() - pos_);
    size_t end = nl == nullptr ? text_.size() : static_cast<const char*>(nl) - text_.data();
    line = text_.substr(pos_, end - pos_);
    number = ++line_;
    firstCol = line_ == 1 ? firstCol_ : 1;
    pos_ = end + 1;
    return true;
  }

 private:
  std::string_view text_;
  size_t pos_ = 0;
  uint32_t line_ = 0;
  uint32_t firstCol_ = 1;
};

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
                           const LexerOptions& options)
    : sources_(sources),
      diagnostics_(diagnostics),
      options_(options),
      random_(options.randomSeed) {}

Result<TokenList> Preprocessor::readFile(const std::string& path) {
  Result<std::string> data = readRegularFile(path);
  if (!data) {
    return data.error();
  }
  readBuffer(makeFrame(path, {}), *data);
  return std::move(out_);
}

TokenList Preprocessor::readText(std::string_view name, std::string_view text) {
  readBuffer(makeFrame(std::string(name), {}), text);
  return std::move(out_);
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
  PhysicalLines lines(text);
  std::string_view raw;
  uint32_t number = 0;
  uint32_t firstCol = 1;
  unsigned badLines = 0;
  // Returns the comment-free, trimmed content of a physical line, or an empty
  // view after reporting why the line cannot be used.
  auto content = [&](std::string_view rawLine, uint32_t lineNo, uint32_t col) {
    LineView view{rawLine, nullptr, col, lineNo, name};
    if (rawLine.size() > options_.maxLineBytes) {
      diagnostics_.error(view.posAt(0),
                         "line longer than " + std::to_string(options_.maxLineBytes) + " bytes (" +
                             std::to_string(rawLine.size()) + " bytes); line ignored");
      return view.sub(0, 0);
    }
    PhysicalScan scan = scanPhysicalLine(rawLine);
    if (scan.badAt != std::string_view::npos) {
      if (++badLines <= kMaxBadLines) {
        diagnostics_.error(view.posAt(scan.badAt),
                           scan.badWhat + " (not a text file?); line ignored");
      }
      return view.sub(0, 0);
    }
    return view.sub(0, scan.contentEnd).trimmed();
  };
  while (!stopped_ && lines.next(raw, number, firstCol)) {
    LineView line = content(raw, number, firstCol);
    if (badLines > kMaxBadLines) {
      diagnostics_.error(SourcePos{name, number, 1},
                         "too many lines with invalid bytes; ignoring the rest of " + *name);
      break;
    }
    if (line.text.empty() || handleDirective(line)) {
      continue;
    }
    lineFailed_ = false;
    if (line.text.back() != '\\' || !startsDefinition(line.text)) {
      processLine(line, 0);
      continue;
    }
    // A multi-line definition: every line ending in `\` continues it. Blank
    // and comment-only lines inside it are skipped, as in the man page's
    // examples.
    std::string joined(line.text.substr(0, line.text.size() - 1));
    bool more = true;
    while (more && lines.next(raw, number, firstCol)) {
      LineView next = content(raw, number, firstCol);
      if (next.text.empty()) {
        continue;
      }
      more = next.text.back() == '\\';
      joined.push_back('\n');
      joined.append(next.text.substr(0, next.text.size() - (more ? 1 : 0)));
      if (joined.size() > options_.maxLineBytes) {
        diagnostics_.error(line.posAt(0), "parameter definition longer than " +
                                              std::to_string(options_.maxLineBytes) + " bytes");
        joined.clear();
      }
    }
    if (!joined.empty()) {
      processLine(LineView{joined, nullptr, line.firstCol, line.line, name}, 0);
    }
  }
  stack_.pop_back();
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
    std::string cycle;
    for (size_t k = i; k < stack_.size(); ++k) {
      cycle += *stack_[k].name + " -> ";
    }
    diagnostics_.error(from, "include loop: " + cycle + path);
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
