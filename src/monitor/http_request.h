#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// An HTTP/1.x request head parser for the monitoring endpoint: GET and
// HEAD only ever matter, so a request with a body is refused rather than
// read. Input is untrusted: everything is bounded by maxBytes.
namespace vigil::monitor {

struct HttpRequest {
  std::string method;
  std::string target;                                        // as sent, query included
  int minorVersion = 1;                                      // HTTP/1.<minorVersion>
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  bool keepAlive = true;

  // The target without its query string.
  std::string_view path() const;
  const std::string* header(std::string_view lowerName) const;
};

class HttpRequestParser {
 public:
  enum class State { Incomplete, Complete, Failed };

  explicit HttpRequestParser(size_t maxBytes = 8192) : maxBytes_(maxBytes) {}

  // Appends bytes. Complete: request() is valid and remainder() holds what
  // followed the head (a pipelined request). Failed: errorStatus() is the
  // HTTP status to answer with (400, 413, 431, 505).
  State feed(std::string_view bytes);
  State state() const { return state_; }
  const HttpRequest& request() const { return request_; }
  int errorStatus() const { return errorStatus_; }
  const std::string& remainder() const { return buffer_; }

  // Ready for the next request on the connection; keeps remainder().
  void reset();

 private:
  State fail(int status);
  State parseHead(std::string_view head);
  bool parseRequestLine(std::string_view line);
  bool parseHeader(std::string_view line);

  size_t maxBytes_;
  std::string buffer_;
  State state_ = State::Incomplete;
  HttpRequest request_;
  int errorStatus_ = 0;
};

}  // namespace vigil::monitor
