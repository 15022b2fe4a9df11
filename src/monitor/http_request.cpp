#include "monitor/http_request.h"

#include <algorithm>
#include <cctype>

namespace vigil::monitor {
namespace {

constexpr std::string_view kWhitespace = " \t";

std::string_view trim(std::string_view s) {
  size_t first = s.find_first_not_of(kWhitespace);
  if (first == std::string_view::npos) return {};
  size_t last = s.find_last_not_of(kWhitespace);
  return s.substr(first, last - first + 1);
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// RFC 9110 token characters (method and header names).
bool isToken(std::string_view s) {
  constexpr std::string_view kSpecials = "!#$%&'*+-.^_`|~";
  return !s.empty() && std::all_of(s.begin(), s.end(), [&](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || kSpecials.find(c) != kSpecials.npos;
  });
}

bool containsToken(std::string_view list, std::string_view token) {
  std::string all = lower(list);
  size_t start = 0;
  while (start <= all.size()) {
    size_t comma = all.find(',', start);
    std::string_view item = trim(
        std::string_view(all).substr(start, comma == std::string::npos ? comma : comma - start));
    if (item == token) return true;
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return false;
}

// Where the head ends (after its blank line), accepting a bare LF as a line
// end as RFC 9112 allows; npos while incomplete.
std::pair<size_t, size_t> findHeadEnd(std::string_view buffer) {
  for (size_t i = buffer.find('\n'); i != std::string_view::npos; i = buffer.find('\n', i + 1)) {
    if (i + 1 < buffer.size() && buffer[i + 1] == '\n') return {i + 1, i + 2};
    if (i + 2 < buffer.size() && buffer[i + 1] == '\r' && buffer[i + 2] == '\n') {
      return {i + 1, i + 3};
    }
  }
  return {std::string_view::npos, std::string_view::npos};
}

}  // namespace

std::string_view HttpRequest::path() const {
  std::string_view t = target;
  return t.substr(0, t.find('?'));
}

const std::string* HttpRequest::header(std::string_view lowerName) const {
  for (const auto& [name, value] : headers) {
    if (name == lowerName) return &value;
  }
  return nullptr;
}

HttpRequestParser::State HttpRequestParser::feed(std::string_view bytes) {
  if (state_ != State::Incomplete) return state_;
  buffer_.append(bytes);
  auto [headLength, consumed] = findHeadEnd(buffer_);
  if (headLength == std::string::npos || headLength > maxBytes_) {
    // 431: the head alone is over the limit (RFC 6585).
    return buffer_.size() > maxBytes_ ? fail(431) : state_;
  }
  std::string head = buffer_.substr(0, headLength);
  buffer_.erase(0, consumed);
  return parseHead(head);
}

void HttpRequestParser::reset() {
  state_ = State::Incomplete;
  request_ = HttpRequest{};
  errorStatus_ = 0;
}

HttpRequestParser::State HttpRequestParser::fail(int status) {
  errorStatus_ = status;
  state_ = State::Failed;
  return state_;
}

HttpRequestParser::State HttpRequestParser::parseHead(std::string_view head) {
  bool first = true;
  while (!head.empty()) {
    size_t eol = head.find('\n');
    std::string_view line = head.substr(0, eol);
    head.remove_prefix(eol == std::string_view::npos ? head.size() : eol + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (first) {
      // RFC 9112 2.2: ignore empty lines before the request line.
      if (line.empty()) continue;
      first = false;
      if (!parseRequestLine(line)) return state_ == State::Failed ? state_ : fail(400);
      continue;
    }
    if (line.empty()) break;
    if (!parseHeader(line)) return fail(400);
  }
  if (first) return fail(400);
  if (request_.header("transfer-encoding") != nullptr) return fail(413);
  if (const std::string* length = request_.header("content-length")) {
    if (trim(*length) != "0") return fail(413);
  }
  const std::string* connection = request_.header("connection");
  if (request_.minorVersion == 0) {
    request_.keepAlive = connection != nullptr && containsToken(*connection, "keep-alive");
  } else {
    request_.keepAlive = connection == nullptr || !containsToken(*connection, "close");
  }
  state_ = State::Complete;
  return state_;
}

bool HttpRequestParser::parseRequestLine(std::string_view line) {
  size_t sp1 = line.find(' ');
  size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos) {
    return false;
  }
  std::string_view method = line.substr(0, sp1);
  std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  std::string_view version = line.substr(sp2 + 1);
  if (!isToken(method) || target.empty()) return false;
  if (version.size() != 8 || version.substr(0, 5) != "HTTP/" || version[6] != '.' ||
      !std::isdigit(static_cast<unsigned char>(version[5])) ||
      !std::isdigit(static_cast<unsigned char>(version[7]))) {
    return false;
  }
  if (version[5] != '1' || (version[7] != '0' && version[7] != '1')) {
    fail(505);
    return false;
  }
  request_.method = method;
  request_.target = target;
  request_.minorVersion = version[7] - '0';
  return true;
}

bool HttpRequestParser::parseHeader(std::string_view line) {
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return false;
  std::string_view name = line.substr(0, colon);
  // RFC 9112 5.1: no whitespace between the name and the colon.
  if (!isToken(name)) return false;
  request_.headers.emplace_back(lower(name), std::string(trim(line.substr(colon + 1))));
  return true;
}

}  // namespace vigil::monitor
