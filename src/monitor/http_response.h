#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vigil::monitor {

struct HttpResponse {
  int status = 200;
  std::string contentType = "text/plain; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra, e.g. Allow

  static HttpResponse text(int status, std::string body);
};

// "OK", "Not Found", ...; "Unknown" for a status this server never sends.
std::string_view reasonPhrase(int status);

// The response on the wire. Content-Length is always set (HEAD too, with
// no body); `keepAlive` false adds Connection: close.
std::string serializeResponse(const HttpResponse& response, bool headOnly, bool keepAlive);

}  // namespace vigil::monitor
