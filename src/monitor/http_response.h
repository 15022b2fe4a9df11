#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vigil::monitor {

struct HttpResponse {
  int status = 200;
  std::string contentType = "text/plain; charset=utf-8";
  // The body is `body` followed by each of `sharedBody` in order. A shared
  // piece is text its owner keeps (MetricsCache's rendered snapshot part,
  // tens of MB at 50,000 real servers): it goes out without being copied,
  // and stays alive while a connection still writes it.
  std::string body;
  std::vector<std::shared_ptr<const std::string>> sharedBody;
  std::vector<std::pair<std::string, std::string>> headers;  // extra, e.g. Allow

  static HttpResponse text(int status, std::string body);

  size_t bodySize() const;
  // The body's pieces joined (a copy: for tests and small responses).
  std::string wholeBody() const;
};

// "OK", "Not Found", ...; "Unknown" for a status this server never sends.
std::string_view reasonPhrase(int status);

// Bytes to write: owned, or shared with their keeper.
struct OutputChunk {
  std::string own;
  std::shared_ptr<const std::string> shared;

  std::string_view bytes() const {
    return shared ? std::string_view(*shared) : std::string_view(own);
  }
};

// The response on the wire, in the order to write it: the head, then the
// body's pieces as they are (moved or shared, never copied). Content-Length
// is always set (HEAD too, with no body); `keepAlive` false adds
// Connection: close.
std::vector<OutputChunk> serializeResponse(HttpResponse response, bool headOnly, bool keepAlive);

}  // namespace vigil::monitor
