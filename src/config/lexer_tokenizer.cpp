#include "config/lexer_tokenizer.h"

#include <array>

namespace vigil::config::lexer {
namespace {

// Bytes that end the plain (unquoted) run of a word: blanks, quotes and,
// unless they are text, braces.
constexpr std::array<bool, 256> wordBreaks(bool braces) {
  std::array<bool, 256> t{};
  t[' '] = t['\t'] = t['\r'] = t['\f'] = t['\v'] = true;
  t['"'] = t['\''] = true;
  t['{'] = t['}'] = braces;
  return t;
}
constexpr std::array<bool, 256> kBreakWithBraces = wordBreaks(true);
constexpr std::array<bool, 256> kBreakBlanksAndQuotes = wordBreaks(false);

int hexValue(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

char simpleEscape(char c) {
  switch (c) {
    case 'a':
      return '\a';
    case 'b':
      return '\b';
    case 'E':
      return '\x1b';
    case 'f':
      return '\f';
    case 'n':
      return '\n';
    case 'r':
      return '\r';
    case 't':
      return '\t';
    case 'v':
      return '\v';
    default:
      return c;  // \C is C itself: \\ \" \' and anything else
  }
}

// Reads the quoted part that opens at text[open]; returns the index just
// past the closing quote, or text.size() when there is none.
size_t readQuoted(std::string_view text, size_t open, std::string& out) {
  char quote = text[open];
  size_t i = open + 1;
  while (i < text.size()) {
    char c = text[i];
    if (c == quote) {
      return i + 1;
    }
    if (c == '\\' && i + 1 < text.size()) {
      i = applyEscape(text, i, out);
    } else {
      out.push_back(c);
      ++i;
    }
  }
  return std::string_view::npos;
}

}  // namespace

size_t applyEscape(std::string_view text, size_t i, std::string& out) {
  size_t n = text.size();
  char c = text[i + 1];
  size_t j = i + 2;
  if (c >= '0' && c <= '7') {
    unsigned value = static_cast<unsigned>(c - '0');
    for (int k = 0; k < 2 && j < n && text[j] >= '0' && text[j] <= '7'; ++k, ++j) {
      value = value * 8 + static_cast<unsigned>(text[j] - '0');
    }
    out.push_back(static_cast<char>(value & 0xff));
  } else if (c == 'x' && j < n && hexValue(text[j]) >= 0) {
    unsigned value = 0;
    for (; j < n && hexValue(text[j]) >= 0; ++j) {
      value = (value << 4 | static_cast<unsigned>(hexValue(text[j]))) & 0xff;
    }
    out.push_back(static_cast<char>(value));
  } else if (c == 'c' && j < n) {
    char ctl = text[j++];
    out.push_back(ctl == '?' ? '\x7f' : static_cast<char>(ctl & 0x1f));
  } else {
    out.push_back(simpleEscape(c));
  }
  return j;
}

size_t tokenizeLine(const LineView& line, TokenList& out, Diagnostics& diagnostics, Braces braces) {
  const std::array<bool, 256>& breaks =
      braces == Braces::AreTokens ? kBreakWithBraces : kBreakBlanksAndQuotes;
  auto breaksWord = [&](char c) { return breaks[static_cast<unsigned char>(c)]; };
  std::string_view text = line.text;
  size_t n = text.size();
  size_t count = 0;
  size_t i = 0;
  while (i < n) {
    char c = text[i];
    if (isBlank(c)) {
      ++i;
      continue;
    }
    if ((c == '{' || c == '}') && braces == Braces::AreTokens) {
      out.push_back(
          {c == '{' ? Token::Kind::OpenBrace : Token::Kind::CloseBrace, {}, line.posAt(i), false});
      ++count;
      ++i;
      continue;
    }
    Token word{Token::Kind::Word, {}, line.posAt(i), false};
    size_t start = i;
    while (i < n && !breaksWord(text[i])) {
      ++i;
    }
    word.text.assign(text.data() + start, i - start);  // all of it in the common, quote-free case
    // Quoted parts and the plain text around them make one word, up to a
    // blank or a brace outside the quotes.
    while (i < n && (text[i] == '"' || text[i] == '\'')) {
      word.quoted = true;
      size_t open = i;
      i = readQuoted(text, open, word.text);
      if (i == std::string_view::npos) {
        diagnostics.error(line.posAt(open), std::string("unterminated quoted string (no closing ") +
                                                text[open] + " on this line)");
        i = n;
      }
      start = i;
      while (i < n && !breaksWord(text[i])) {
        ++i;
      }
      word.text.append(text.data() + start, i - start);
    }
    out.push_back(std::move(word));
    ++count;
  }
  if (count > 0) {
    out.push_back({Token::Kind::EndOfLine, {}, line.posAt(n), false});
    ++count;
  }
  return count;
}

}  // namespace vigil::config::lexer
