#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "check/http_fetch.h"

// Reads one HTTP/1.x response as the bytes of a connection arrive, for the
// plain-HTTP client (check/plain_http_fetch.h), judging it the way libcurl
// does for HttpFetch: the final response after any 1xx, its status, its
// headers as received (kept up to 64 KB), its body as sent (a chunked body
// keeps its chunk framing, as keepalived digests it) up to `maxBody` bytes.
// The body ends at Content-Length, at the end of the last chunk, at once for
// 204 and 304, and otherwise when the server closes.
namespace vigil::check {

class HttpResponseReader {
 public:
  enum class State : uint8_t { NeedMore, Complete, Failed };

  explicit HttpResponseReader(size_t maxBody) : maxBody_(maxBody) {}

  // Takes the next bytes of the connection. Complete: the response is whole
  // (or its body reached maxBody: truncated); Failed: not an HTTP response,
  // or one libcurl rejects too (headers over 300 KB in all, a header line
  // over 64 KB, a NUL byte in the headers, a negative or non-numeric
  // Content-Length, chunk data not followed by its line end; error() says
  // why). Bytes after a complete response are ignored.
  State feed(std::string_view bytes);
  // The server closed the connection (or reset it after sending `bytes`).
  // Complete when what arrived is a whole response; Failed otherwise: a
  // close before any byte (nothing() is then true), inside the headers, or
  // before Content-Length or the last chunk.
  State closed();

  State state() const { return state_; }
  bool nothing() const { return received_ == 0; }
  const std::string& error() const { return error_; }
  // Moves the response out (status, headers, body, truncated); transport is
  // left Up.
  HttpResponse take() { return std::move(response_); }

 private:
  enum class Body : uint8_t { UntilClose, Length, ChunkSize, ChunkData, ChunkDataEnd, Trailers };

  State fail(std::string why);
  State complete();
  // Consumes one header line (with its line end); false (lineError_ says
  // why) when the status line is not HTTP's or a Content-Length is invalid.
  bool headerLine(std::string_view line);
  void headersDone();
  State feedBody(std::string_view bytes);
  // Appends to the body; false (and truncated) once maxBody is reached.
  bool keep(std::string_view bytes);

  size_t maxBody_;
  State state_ = State::NeedMore;
  size_t received_ = 0;
  bool inHeaders_ = true;
  bool statusSeen_ = false;
  std::string line_;        // a header line still incomplete
  size_t headerBytes_ = 0;  // all header bytes so far, interim responses included
  std::string lineError_;
  HttpResponse response_;
  Body body_ = Body::UntilClose;
  std::optional<size_t> contentLength_;
  bool chunked_ = false;
  size_t remaining_ = 0;  // Length: body bytes left; ChunkData: chunk bytes left
  std::string chunkLine_;
  std::string error_;
};

}  // namespace vigil::check
