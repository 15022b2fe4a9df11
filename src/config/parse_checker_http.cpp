// HTTP_GET and SSL_GET, with their url { } blocks.
#include <charconv>

#include "config/lvs_names.h"
#include "config/parse_lvs_internal.h"

namespace vigil::config::lvs {
namespace {

using D = CheckerDraft;
using parse::args;
using parse::quoted;
using parse::what;

constexpr unsigned kMinStatus = 100;
constexpr unsigned kMaxStatus = 599;

HttpCheck& http(D& d) { return std::get<HttpCheck>(d.probe); }

// A url block while it is read: the regex settings are collected before
// deciding whether the url has a regex at all.
struct UrlDraft {
  HttpUrl url;
  HttpRegex regex;
  bool hasRegex = false;
  std::optional<SourcePos> regexSettingPos;  // a regex_* keyword, for "without regex"
  SourcePos maxOffsetPos;
};

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

void readDigest(const Node& n, UrlDraft& u, ParseContext& ctx) {
  if (!args(n, ctx, 1)) {
    return;
  }
  const Token& tok = n.args[0];
  std::array<uint8_t, 16> digest{};
  bool ok = tok.text.size() == 32;
  for (size_t i = 0; ok && i < 16; ++i) {
    int hi = hexValue(tok.text[2 * i]);
    int lo = hexValue(tok.text[2 * i + 1]);
    ok = hi >= 0 && lo >= 0;
    digest[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  if (!ok) {
    ctx.error(tok.pos, "'digest' must be 32 hex digits (an MD5 as genhash prints it), got " +
                           quoted(tok.text));
    return;
  }
  u.url.digest = digest;
}

std::optional<unsigned> statusNumber(const Token& tok, std::string_view text, ParseContext& ctx) {
  unsigned v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
    ctx.error(tok.pos,
              "'status_code' must be a code or a range like 200-299, got " + quoted(tok.text));
    return std::nullopt;
  }
  if (v < kMinStatus || v > kMaxStatus) {
    ctx.error(tok.pos, "'status_code' " + std::string(text) + " is out of range 100-599");
    return std::nullopt;
  }
  return v;
}

void readStatusCodes(const Node& n, UrlDraft& u, ParseContext& ctx) {
  if (!args(n, ctx, 1, SIZE_MAX)) {
    return;
  }
  for (const Token& tok : n.args) {
    std::string_view text = tok.text;
    size_t dash = text.find('-');
    auto first = statusNumber(tok, text.substr(0, dash), ctx);
    auto last =
        dash == std::string_view::npos ? first : statusNumber(tok, text.substr(dash + 1), ctx);
    if (!first || !last) {
      continue;
    }
    if (*last < *first) {
      ctx.error(tok.pos, "'status_code' range " + tok.text + " ends before it starts");
      continue;
    }
    u.url.statusCodes.push_back({static_cast<uint16_t>(*first), static_cast<uint16_t>(*last)});
  }
}

void readRegexOptions(const Node& n, UrlDraft& u, ParseContext& ctx) {
  if (!args(n, ctx, 1, SIZE_MAX)) {
    return;
  }
  u.regexSettingPos = n.pos();
  for (const Token& tok : n.args) {
    if (auto option = regexOptionNamed(tok.text)) {
      u.regex.options |= 1U << static_cast<unsigned>(*option);
    } else {
      ctx.error(tok.pos, "unknown regex option " + quoted(tok.text) + " (see pcre2api(3))");
    }
  }
}

void readRegexStack(const Node& n, UrlDraft& u, ParseContext& ctx) {
  if (!args(n, ctx, 2)) {
    return;
  }
  u.regexSettingPos = n.pos();
  auto start = ctx.unsignedInt(n.args[0], "'regex_stack' start", 1, UINT32_MAX);
  auto max = ctx.unsignedInt(n.args[1], "'regex_stack' maximum", 1, UINT32_MAX);
  if (start && max && *max < *start) {
    ctx.error(n.args[1].pos,
              "'regex_stack' maximum " + n.args[1].text + " is below its start " + n.args[0].text);
    return;
  }
  if (start && max) {
    u.regex.stackStart = *start;
    u.regex.stackMax = *max;
  }
}

const KeywordTable<UrlDraft>& urlTable() {
  using U = UrlDraft;
  static const KeywordTable<U> table = [] {
    KeywordTable<U> t("url");
    t.on("path", [](const Node& n, U& u, ParseContext& ctx) {
      if (args(n, ctx, 1)) {
        u.url.path = n.args[0].text;
      }
    });
    t.on("digest", readDigest);
    t.on("status_code", readStatusCodes);
    t.on("virtualhost", [](const Node& n, U& u, ParseContext& ctx) {
      u.url.virtualhost = readSharedString(n, ctx);
    });
    t.on("regex", [](const Node& n, U& u, ParseContext& ctx) {
      if (args(n, ctx, 1)) {
        u.regex.pattern = n.args[0].text;
        u.hasRegex = true;
      }
    });
    t.on("regex_no_match", [](const Node& n, U& u, ParseContext& ctx) {
      if (auto v = ctx.flag(n)) {
        u.regex.noMatch = *v;
        u.regexSettingPos = n.pos();
      }
    });
    t.on("regex_options", readRegexOptions);
    t.on("regex_stack", readRegexStack);
    t.on("regex_min_offset", [](const Node& n, U& u, ParseContext& ctx) {
      if (auto v = parse::integerArg(n, ctx, 0, UINT32_MAX)) {
        u.regex.minOffset = static_cast<uint32_t>(*v);
        u.regexSettingPos = n.pos();
      }
    });
    t.on("regex_max_offset", [](const Node& n, U& u, ParseContext& ctx) {
      if (auto v = parse::integerArg(n, ctx, 1, UINT32_MAX)) {
        u.regex.maxOffset = static_cast<uint32_t>(*v);
        u.regexSettingPos = n.pos();
        u.maxOffsetPos = n.args[0].pos;
      }
    });
    return t;
  }();
  return table;
}

void readUrl(const Node& n, D& d, ParseContext& ctx) {
  if (!ctx.expectArgs(n, 0) || !ctx.expectBlock(n)) {
    d.valid = false;
    return;
  }
  UrlDraft u;
  u.url.pos = n.pos();
  urlTable().apply(n.children, u, ctx);
  if (u.url.path.empty()) {
    ctx.error(n.pos(), "url needs a 'path'");
    d.valid = false;
    return;
  }
  if (u.hasRegex) {
    if (u.regex.maxOffset != 0 && u.regex.maxOffset < u.regex.minOffset) {
      ctx.error(u.maxOffsetPos, "'regex_max_offset' is below 'regex_min_offset'");
    }
    u.url.regex = std::make_shared<const HttpRegex>(std::move(u.regex));
  } else if (u.regexSettingPos) {
    ctx.warning(*u.regexSettingPos, "regex settings without 'regex' have no effect");
  }
  if (u.url.statusCodes.empty()) {
    u.url.statusCodes.push_back({200, 299});
  }
  http(d).urls.push_back(std::move(u.url));
}

}  // namespace

const KeywordTable<D>& httpCheckerTable() {
  static const KeywordTable<D> table = [] {
    KeywordTable<D> t("HTTP_GET/SSL_GET");
    addCommonCheckerKeywords(t, true);
    t.on("url", readUrl);
    t.on("http_protocol", [](const Node& n, D& d, ParseContext& ctx) {
      if (!args(n, ctx, 1)) {
        return;
      }
      if (auto p = httpProtocolNamed(n.args[0].text)) {
        http(d).protocol = *p;
      } else {
        ctx.error(n.args[0].pos, "unknown " + what(n) + " " + quoted(n.args[0].text) +
                                     " (expected one of " + httpProtocolList() + ")");
      }
    });
    t.on("virtualhost",
         [](const Node& n, D& d, ParseContext& ctx) { d.virtualhost = readSharedString(n, ctx); });
    t.on("enable_sni", parse::flagInto<D>([](D& d) -> bool& { return http(d).enableSni; }));
    t.on("fast_recovery", parse::flagInto<D>([](D& d) -> bool& { return http(d).fastRecovery; }));
    // vigil's own: check the server's certificate against SSL { ca }, and
    // send an SNI name other than the url's virtualhost.
    t.on("verify_cert",
         parse::flagInto<D>([](D& d) -> bool& { return http(d).verifyCertificate; }));
    t.on("sni_name", [](const Node& n, D& d, ParseContext& ctx) {
      if (args(n, ctx, 1)) {
        http(d).sniName = n.args[0].text;
      }
    });
    return t;
  }();
  return table;
}

}  // namespace vigil::config::lvs
