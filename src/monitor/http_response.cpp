#include "monitor/http_response.h"

#include <fmt/format.h>

namespace vigil::monitor {

HttpResponse HttpResponse::text(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

std::string_view reasonPhrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 413:
      return "Content Too Large";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    case 505:
      return "HTTP Version Not Supported";
    default:
      return "Unknown";
  }
}

std::string serializeResponse(const HttpResponse& response, bool headOnly, bool keepAlive) {
  std::string out =
      fmt::format("HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\n", response.status,
                  reasonPhrase(response.status), response.contentType, response.body.size());
  for (const auto& [name, value] : response.headers) {
    fmt::format_to(std::back_inserter(out), "{}: {}\r\n", name, value);
  }
  if (!keepAlive) out += "Connection: close\r\n";
  out += "\r\n";
  if (headOnly) return out;
  out.reserve(out.size() + response.body.size());  // one copy of a big body, no regrowth
  out += response.body;
  return out;
}

}  // namespace vigil::monitor
