#include "cli/vigilctl/genhash.h"

#include <getopt.h>

#include <cctype>
#include <chrono>
#include <iostream>
#include <optional>
#include <string>

#include "check/curl_multi.h"
#include "check/http_fetch.h"
#include "check/md5_digest.h"
#include "core/posix_event_loop.h"

namespace vigil::cli {

namespace {

constexpr const char* kUsage = R"(Usage: vigilctl genhash -s SERVER -p PORT -u URL [OPTIONS]
Prints the MD5 digest of a page's body, as keepalived's genhash does, for
HTTP_GET / SSL_GET url { digest }.
  -s, --server ADDRESS       IPv4 or IPv6 address to connect to
  -p, --port PORT            port (default 80, or 443 with -S)
  -u, --url PATH             path to fetch (default /)
  -S, --use-ssl              connect with TLS (certificate not verified)
  -I, --use-sni              send the virtualhost as SNI (needs -V)
  -V, --use-virtualhost HOST Host header (default SERVER:PORT)
  -P, --protocol VERSION     1.0 (default), 1.0c (Connection: close), 1.1,
                             1.0k / 1.1k (keep-alive)
  -t, --timeout SECONDS      give up after this long (default 5)
  -m, --fwmark MARK          set this firewall mark on the connection
  -v, --verbose              also print the response header and sizes
  -h, --help                 this text
)";

struct GenhashOptions {
  check::HttpRequest request;
  bool sni = false;
  bool verbose = false;
  bool help = false;
};

std::optional<config::HttpProtocol> parseProtocol(std::string text) {
  for (char& c : text) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (text == "1.0") return config::HttpProtocol::Http10;
  if (text == "1.0c") return config::HttpProtocol::Http10Close;
  if (text == "1.0k") return config::HttpProtocol::Http10KeepAlive;
  if (text == "1.1") return config::HttpProtocol::Http11;
  if (text == "1.1k") return config::HttpProtocol::Http11KeepAlive;
  return std::nullopt;
}

std::optional<unsigned long> parseNumber(const char* text, unsigned long max) {
  try {
    size_t used = 0;
    unsigned long value = std::stoul(text, &used, 10);
    if (used == std::string(text).size() && value <= max) {
      return value;
    }
  } catch (const std::exception&) {
  }
  return std::nullopt;
}

// Fills `options`; returns an error message, empty when fine.
std::string parseOptions(int argc, char** argv, GenhashOptions& options) {
  static const option kLong[] = {{"server", required_argument, nullptr, 's'},
                                 {"port", required_argument, nullptr, 'p'},
                                 {"url", required_argument, nullptr, 'u'},
                                 {"use-ssl", no_argument, nullptr, 'S'},
                                 {"use-sni", no_argument, nullptr, 'I'},
                                 {"use-virtualhost", required_argument, nullptr, 'V'},
                                 {"protocol", required_argument, nullptr, 'P'},
                                 {"timeout", required_argument, nullptr, 't'},
                                 {"fwmark", required_argument, nullptr, 'm'},
                                 {"verbose", no_argument, nullptr, 'v'},
                                 {"help", no_argument, nullptr, 'h'},
                                 {nullptr, 0, nullptr, 0}};
  check::HttpRequest& request = options.request;
  request.timeout = std::chrono::seconds(5);
  optind = 1;
  opterr = 0;
  int c = 0;
  while ((c = getopt_long(argc, argv, "s:p:u:SIV:P:t:m:vh", kLong, nullptr)) != -1) {
    switch (c) {
      case 's': {
        auto address = IpAddress::parse(optarg);
        if (!address) {
          return std::string("server must be an IP address: ") + optarg;
        }
        request.target.address = *address;
        break;
      }
      case 'p': {
        auto port = parseNumber(optarg, 65535);
        if (!port || *port == 0) {
          return std::string("bad port: ") + optarg;
        }
        request.target.port = static_cast<uint16_t>(*port);
        break;
      }
      case 'u':
        request.path = optarg;
        break;
      case 'S':
        request.tls = true;
        break;
      case 'I':
        options.sni = true;
        break;
      case 'V':
        request.host = optarg;
        break;
      case 'P': {
        auto protocol = parseProtocol(optarg);
        if (!protocol) {
          return std::string("bad protocol: ") + optarg;
        }
        request.protocol = *protocol;
        break;
      }
      case 't': {
        auto seconds = parseNumber(optarg, 3600);
        if (!seconds || *seconds == 0) {
          return std::string("bad timeout: ") + optarg;
        }
        request.timeout = std::chrono::seconds(*seconds);
        break;
      }
      case 'm': {
        auto mark = parseNumber(optarg, UINT32_MAX);
        if (!mark) {
          return std::string("bad fwmark: ") + optarg;
        }
        request.target.setBinding(config::ProbeBinding{.fwmark = static_cast<uint32_t>(*mark)});
        break;
      }
      case 'v':
        options.verbose = true;
        break;
      case 'h':
        options.help = true;
        return {};
      default:
        return "unknown or incomplete option";
    }
  }
  if (optind < argc) {
    return std::string("unexpected argument: ") + argv[optind];
  }
  if (request.target.address.empty()) {
    return "-s SERVER is required";
  }
  if (request.target.port == 0) {
    request.target.port = request.tls ? 443 : 80;
  }
  if (options.sni) {
    if (request.host.empty()) {
      return "-I needs -V VHOST: SNI sends the virtualhost";
    }
    request.sniName = request.host;
  }
  if (request.host.empty()) {
    request.host = check::hostAndPort(request.target);
  }
  return {};
}

std::optional<check::HttpResponse> fetch(const check::HttpRequest& request) {
  PosixEventLoop loop;
  check::CurlMulti multi(loop);
  check::HttpFetch fetch(multi);
  std::optional<check::HttpResponse> response;
  Status started = fetch.start(request, [&](check::HttpResponse r) { response = std::move(r); });
  if (!started) {
    std::cerr << "vigilctl genhash: " << started.error().describe() << '\n';
    return std::nullopt;
  }
  // curl's own timeout (request.timeout) ends the transfer; the loop's
  // bound only guards against a transfer that never reports.
  auto deadline = std::chrono::steady_clock::now() + request.timeout + std::chrono::seconds(1);
  while (!response && std::chrono::steady_clock::now() < deadline) {
    loop.runOnce(std::chrono::milliseconds(100));
  }
  return response;
}

void printVerbose(const check::HttpResponse& response, std::chrono::microseconds elapsed) {
  std::cout << "--- response header ---\n"
            << response.headers << "--- body: " << response.body.size() << " bytes"
            << (response.truncated ? " (truncated: the rest was not read)" : "") << " ---\n";
  std::cout << "--- response time: " << elapsed.count() << " us ---\n";
}

}  // namespace

int runGenhash(int argc, char** argv) {
  GenhashOptions options;
  std::string error = parseOptions(argc, argv, options);
  if (options.help) {
    std::cout << kUsage;
    return 0;
  }
  if (!error.empty()) {
    std::cerr << "vigilctl genhash: " << error << '\n' << kUsage;
    return 2;
  }
  auto start = std::chrono::steady_clock::now();
  auto response = fetch(options.request);
  if (!response || !response->transport.up()) {
    std::cerr << "vigilctl genhash: no response from " << options.request.target.address.toString()
              << ":" << options.request.target.port << ": "
              << (response ? response->transport.detail : std::string("timed out")) << '\n';
    return 1;
  }
  if (options.verbose) {
    printVerbose(*response, std::chrono::duration_cast<std::chrono::microseconds>(
                                std::chrono::steady_clock::now() - start));
  }
  if (response->truncated) {
    std::cerr << "vigilctl genhash: warning: body longer than " << check::kMaxBodyBytes
              << " bytes; HTTP_GET reads no more and reports a digest mismatch\n";
  }
  std::cout << check::toHex(check::md5Of(response->body)) << '\n';
  return 0;
}

}  // namespace vigil::cli
