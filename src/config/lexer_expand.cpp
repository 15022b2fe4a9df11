// The logical-line half of the Preprocessor: conditionals, definitions,
// ~SEQ/~LST and parameter substitution, in keepalived's order.
#include <variant>

#include "config/lexer_loop.h"
#include "config/lexer_preprocessor.h"
#include "config/lexer_tokenizer.h"

namespace vigil::config::lexer {
namespace {

// Substitution and sequence levels a line may go through. Real files use a
// handful; more means a parameter that refers to itself.
constexpr unsigned kMaxNesting = 32;
constexpr size_t kBytesPerUnit = 64;

}  // namespace

void Preprocessor::processLine(const LineView& input, unsigned depth) {
  LineView line = input.trimmed();
  if (stopped_ || lineFailed_ || !withinBudget(line)) {
    return;
  }
  while (!line.text.empty() && line.text[0] == '@') {
    if (!conditionSelects(line)) {
      return;
    }
  }
  if (line.text.empty()) {
    return;
  }
  if (line.text[0] == '$' && tryDefinition(line)) {
    return;
  }
  if (line.text[0] == '~' && startsLoop(line.text)) {
    expandLoop(line, depth);
    return;
  }
  if (line.text.find('$') != std::string_view::npos && substitute(line, depth)) {
    return;
  }
  lineTokens_.clear();
  tokenizeLine(line, lineTokens_, diagnostics_);
  tokensEmitted_ += lineTokens_.size();
  for (Token& token : lineTokens_) {
    sink_.push(std::move(token));
  }
}

bool Preprocessor::withinBudget(const LineView& line) {
  // A line costs one unit plus one per kBytesPerUnit, so repeating a long
  // line that makes no tokens is bounded as well.
  linesExpanded_ += 1 + line.text.size() / kBytesPerUnit;
  if (tokensEmitted_ + linesExpanded_ <= options_.maxTokens) {
    return true;
  }
  stopped_ = true;
  diagnostics_.error(line.posAt(0),
                     "the configuration expands to more than " +
                         std::to_string(options_.maxTokens) +
                         " tokens and lines (a runaway ~SEQ, ~LST or parameter?); reading stopped");
  return false;
}

// `@ID rest` keeps `rest` when ID is the config id, `@^ID rest` when it is
// not. Leaves the rest in `line` and says whether the line is kept.
bool Preprocessor::conditionSelects(LineView& line) const {
  size_t end = 1;
  while (end < line.text.size() && !isBlank(line.text[end])) {
    ++end;
  }
  std::string_view id = line.text.substr(1, end - 1);
  bool negate = id.starts_with('^');
  if (negate) {
    id.remove_prefix(1);
  }
  bool selected = (id == options_.configId) != negate;
  line = line.sub(end).trimmedLeft();
  return selected;
}

bool Preprocessor::tryDefinition(const LineView& line) {
  size_t nameLength = definitionNameLength(line.text);
  if (nameLength == 0) {
    return false;
  }
  std::string_view value = line.text.substr(nameLength + 2);
  while (!value.empty() && (isBlank(value.front()) || value.front() == '\n')) {
    value.remove_prefix(1);
  }
  while (!value.empty() && (isBlank(value.back()) || value.back() == '\n')) {
    value.remove_suffix(1);
  }
  params_.define(line.text.substr(1, nameLength), std::string(value));
  return true;
}

void Preprocessor::expandLoop(const LineView& line, unsigned depth) {
  size_t open = line.text.find('(');
  std::string_view keyword = line.text.substr(0, open);
  size_t close = line.text.find(')', open);
  if (close == std::string_view::npos) {
    diagnostics_.error(line.posAt(0), std::string(keyword) + "(...) has no closing ')'");
    return;
  }
  if (depth >= kMaxNesting) {
    lineFailed_ = true;
    diagnostics_.error(line.posAt(0), "~SEQ/~LST and parameters nested more than " +
                                          std::to_string(kMaxNesting) + " levels deep");
    return;
  }
  std::string inner = substituteFully(line.sub(open + 1, close - open - 1));
  std::variant<LoopSpec, std::string> parsed = parseLoop(keyword, inner);
  if (const std::string* problem = std::get_if<std::string>(&parsed)) {
    diagnostics_.error(line.posAt(0),
                       "invalid " + std::string(keyword) + "(" + inner + "): " + *problem);
    return;
  }
  const LoopSpec& spec = std::get<LoopSpec>(parsed);
  LineView rest = line.sub(close + 1).trimmed();
  for (uint64_t k = 0; k < spec.iterations() && !stopped_ && !lineFailed_; ++k) {
    for (size_t v = 0; v < spec.vars.size(); ++v) {
      params_.define(spec.vars[v], spec.value(k, v));
    }
    processLine(rest, depth + 1);
  }
}

SubstitutionInput Preprocessor::substitutionInput() {
  predefined_ = Predefined{stack_.back().absDir, options_.configId, &random_};
  return SubstitutionInput{params_, predefined_, options_.maxLineBytes, diagnostics_};
}

bool Preprocessor::substitute(const LineView& line, unsigned depth) {
  OwnedLine owned;
  LastReference last;
  switch (substituteOnce(line, substitutionInput(), owned, last)) {
    case Substitution::None:
      return false;
    case Substitution::TooLong:
      lineFailed_ = true;
      diagnostics_.error(line.posAt(last.at),
                         "line longer than " + std::to_string(options_.maxLineBytes) +
                             " bytes after substituting $" + last.name + "; line ignored");
      return true;
    case Substitution::Done:
      break;
  }
  if (depth >= kMaxNesting) {
    lineFailed_ = true;
    diagnostics_.error(line.posAt(last.at), "parameter substitution nested more than " +
                                                std::to_string(kMaxNesting) + " levels deep at $" +
                                                last.name + " (does it refer to itself?)");
    return true;
  }
  LineView expanded = owned.view(line, line.colAt(line.text.size()));
  // A multi-line value makes several lines, each run through the pipeline.
  size_t start = 0;
  for (;;) {
    size_t nl = expanded.text.find('\n', start);
    processLine(expanded.sub(start, nl == std::string_view::npos ? nl : nl - start), depth + 1);
    if (nl == std::string_view::npos) {
      return true;
    }
    start = nl + 1;
  }
}

std::string Preprocessor::substituteFully(const LineView& line) {
  OwnedLine current;
  current.append(line, 0, line.text.size());
  LineView view = current.view(line, line.colAt(line.text.size()));
  for (unsigned i = 0; i < kMaxNesting; ++i) {
    OwnedLine next;
    LastReference last;
    if (substituteOnce(view, substitutionInput(), next, last) != Substitution::Done) {
      break;
    }
    current = std::move(next);
    view = current.view(line, line.colAt(line.text.size()));
  }
  return current.text;
}

}  // namespace vigil::config::lexer
