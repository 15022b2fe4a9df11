#include "check/http_response_reader.h"

#include <fmt/format.h>
#include <strings.h>

#include <algorithm>
#include <charconv>

namespace vigil::check {

namespace {

// All header bytes of the exchange, interim (1xx) responses included:
// libcurl's limit (MAX_HTTP_RESP_HEADER_SIZE, "Too large response
// headers"). A server that streams headers or 100 Continue forever fails
// here, long before the attempt's timeout.
constexpr size_t kMaxResponseHeaderBytes = 300 * 1024;

std::string_view withoutCr(std::string_view line) {
  return line.ends_with('\r') ? line.substr(0, line.size() - 1) : line;
}

std::string_view trim(std::string_view text) {
  size_t begin = text.find_first_not_of(" \t");
  if (begin == std::string_view::npos) return {};
  size_t end = text.find_last_not_of(" \t");
  return text.substr(begin, end - begin + 1);
}

bool named(std::string_view line, std::string_view name) {
  return line.size() > name.size() && line[name.size()] == ':' &&
         ::strncasecmp(line.data(), name.data(), name.size()) == 0;
}

// "HTTP/1.1 200 OK" -> 200; nullopt when the line is not an HTTP/1.x or
// HTTP/2 status line with a three-digit code (libcurl's test).
std::optional<long> statusOf(std::string_view line) {
  if (!line.starts_with("HTTP/")) return std::nullopt;
  size_t space = line.find(' ');
  if (space == std::string_view::npos || line.size() < space + 4) return std::nullopt;
  std::string_view digits = line.substr(space + 1, 3);
  if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  if (line.size() > space + 4 && line[space + 4] != ' ' && line[space + 4] != '\r')
    return std::nullopt;
  return (digits[0] - '0') * 100 + (digits[1] - '0') * 10 + (digits[2] - '0');
}

}  // namespace

HttpResponseReader::State HttpResponseReader::fail(std::string why) {
  error_ = std::move(why);
  state_ = State::Failed;
  return state_;
}

HttpResponseReader::State HttpResponseReader::complete() {
  state_ = State::Complete;
  return state_;
}

HttpResponseReader::State HttpResponseReader::feed(std::string_view bytes) {
  if (state_ != State::NeedMore) return state_;
  received_ += bytes.size();
  while (inHeaders_ && !bytes.empty()) {
    size_t end = bytes.find('\n');
    std::string_view raw = bytes.substr(0, end == std::string_view::npos ? end : end + 1);
    bytes.remove_prefix(raw.size());
    headerBytes_ += raw.size();
    if (headerBytes_ > kMaxResponseHeaderBytes) {
      return fail(fmt::format("response headers larger than {} bytes", kMaxResponseHeaderBytes));
    }
    if (line_.size() + raw.size() > kMaxHeaderBytes) {
      return fail(fmt::format("a response header line longer than {} bytes", kMaxHeaderBytes));
    }
    if (raw.find('\0') != std::string_view::npos) {
      return fail("a NUL byte in the response headers");
    }
    if (end == std::string_view::npos) {
      line_.append(raw);
      return state_;
    }
    bool ok = true;
    if (line_.empty()) {
      ok = headerLine(raw);
    } else {
      line_.append(raw);
      ok = headerLine(line_);
      line_.clear();
    }
    if (!ok) return fail(std::move(lineError_));
    if (state_ != State::NeedMore) return state_;
  }
  if (inHeaders_) return state_;
  return feedBody(bytes);
}

bool HttpResponseReader::headerLine(std::string_view raw) {
  std::string_view line = withoutCr(raw.substr(0, raw.size() - 1));
  if (!statusSeen_) {
    std::optional<long> status = statusOf(line);
    if (!status) {
      lineError_ = "not an HTTP response (no HTTP/1.x status line)";
      return false;
    }
    statusSeen_ = true;
    response_.status = *status;
    response_.headers.clear();  // a new response (after a 1xx): keep the final one
    contentLength_.reset();
    chunked_ = false;
  }
  if (response_.headers.size() + raw.size() <= kMaxHeaderBytes) response_.headers.append(raw);
  if (line.empty()) {
    headersDone();
    return true;
  }
  if (named(line, "Content-Length")) {
    std::string_view value = trim(line.substr(15));
    size_t length = 0;
    auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), length);
    // As libcurl 7.88: a negative or non-numeric length is not a reply to
    // judge ("Invalid Content-Length"); one too large to hold is read until
    // the server closes ("Overflow Content-Length").
    if (error == std::errc::result_out_of_range) return true;
    if (error != std::errc() || end != value.data() + value.size()) {
      lineError_ = fmt::format("an invalid Content-Length '{}'", value);
      return false;
    }
    contentLength_ = length;
  } else if (named(line, "Transfer-Encoding")) {
    std::string_view value = line.substr(18);
    for (size_t i = 0; i + 7 <= value.size(); ++i) {
      if (::strncasecmp(value.data() + i, "chunked", 7) == 0) chunked_ = true;
    }
  }
  return true;
}

void HttpResponseReader::headersDone() {
  long status = response_.status;
  if (status >= 100 && status < 200) {
    statusSeen_ = false;  // an interim response: the final one follows
    return;
  }
  inHeaders_ = false;
  if (status == 204 || status == 304) {
    complete();
  } else if (chunked_) {
    body_ = Body::ChunkSize;
  } else if (contentLength_) {
    body_ = Body::Length;
    remaining_ = *contentLength_;
    if (remaining_ == 0) complete();
  }
}

bool HttpResponseReader::keep(std::string_view bytes) {
  std::string& body = response_.body;
  size_t room = maxBody_ - std::min(maxBody_, body.size());
  if (bytes.size() > room) {
    body.append(bytes.substr(0, room));
    response_.truncated = true;
    return false;
  }
  body.append(bytes);
  return true;
}

HttpResponseReader::State HttpResponseReader::feedBody(std::string_view bytes) {
  while (!bytes.empty() && state_ == State::NeedMore) {
    switch (body_) {
      case Body::UntilClose:
        if (!keep(bytes)) return complete();
        return state_;
      case Body::Length:
      case Body::ChunkData: {
        std::string_view part = bytes.substr(0, std::min(remaining_, bytes.size()));
        bytes.remove_prefix(part.size());
        remaining_ -= part.size();
        if (!keep(part)) return complete();
        if (remaining_ == 0) {
          if (body_ == Body::Length) return complete();
          body_ = Body::ChunkDataEnd;
        }
        break;
      }
      case Body::ChunkSize:
      case Body::ChunkDataEnd:
      case Body::Trailers: {
        size_t end = bytes.find('\n');
        std::string_view part = bytes.substr(0, end == std::string_view::npos ? end : end + 1);
        bytes.remove_prefix(part.size());
        if (!keep(part)) return complete();
        if (chunkLine_.size() + part.size() > kMaxHeaderBytes) {
          return fail("a chunk line longer than 64 KB");
        }
        chunkLine_.append(part);
        if (end == std::string_view::npos) break;
        std::string_view line =
            withoutCr(std::string_view(chunkLine_).substr(0, chunkLine_.size() - 1));
        if (body_ == Body::ChunkSize) {
          size_t size = 0;
          auto [stop, error] = std::from_chars(line.data(), line.data() + line.size(), size, 16);
          if (error != std::errc() || (stop != line.data() + line.size() && *stop != ';' &&
                                       *stop != ' ' && *stop != '\t')) {
            return fail(fmt::format("a bad chunk size line '{}'", line));
          }
          body_ = size == 0 ? Body::Trailers : Body::ChunkData;
          remaining_ = size;
        } else if (body_ == Body::ChunkDataEnd) {
          // libcurl accepts only the line end (carriage returns skipped)
          // after a chunk's data.
          if (line.find_first_not_of('\r') != std::string_view::npos) {
            return fail("chunk data longer than its chunk size");
          }
          body_ = Body::ChunkSize;
        } else if (line.empty()) {
          chunkLine_.clear();
          return complete();
        }
        chunkLine_.clear();
        break;
      }
    }
  }
  return state_;
}

HttpResponseReader::State HttpResponseReader::closed() {
  if (state_ != State::NeedMore) return state_;
  if (received_ == 0) return fail("empty reply from server");
  if (inHeaders_) return fail("connection closed inside the response headers");
  switch (body_) {
    case Body::UntilClose:
      return complete();
    case Body::Length:
      return fail(
          fmt::format("connection closed with {} bytes of the body outstanding", remaining_));
    default:
      return fail("connection closed before the last chunk");
  }
}

}  // namespace vigil::check
