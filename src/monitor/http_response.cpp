#include "monitor/http_response.h"

#include <fmt/format.h>

namespace vigil::monitor {

HttpResponse HttpResponse::text(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

size_t HttpResponse::bodySize() const {
  size_t size = body.size();
  for (const auto& piece : sharedBody) size += piece->size();
  return size;
}

std::string HttpResponse::wholeBody() const {
  std::string out;
  out.reserve(bodySize());
  out += body;
  for (const auto& piece : sharedBody) out += *piece;
  return out;
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

std::vector<OutputChunk> serializeResponse(HttpResponse response, bool headOnly, bool keepAlive) {
  std::string head =
      fmt::format("HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\n", response.status,
                  reasonPhrase(response.status), response.contentType, response.bodySize());
  for (const auto& [name, value] : response.headers) {
    fmt::format_to(std::back_inserter(head), "{}: {}\r\n", name, value);
  }
  if (!keepAlive) head += "Connection: close\r\n";
  head += "\r\n";
  std::vector<OutputChunk> out;
  out.reserve(2 + response.sharedBody.size());
  // A small body rides with the head (one piece to write); a big one is
  // moved, not copied behind it.
  constexpr size_t kCopiedBody = 4096;
  if (!headOnly && response.body.size() <= kCopiedBody) head += response.body;
  out.push_back({std::move(head), nullptr});
  if (headOnly) return out;
  if (response.body.size() > kCopiedBody) out.push_back({std::move(response.body), nullptr});
  for (auto& piece : response.sharedBody) {
    if (!piece->empty()) out.push_back({{}, std::move(piece)});
  }
  return out;
}

}  // namespace vigil::monitor
