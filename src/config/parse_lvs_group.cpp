// virtual_server_group NAME { IP [PORT] | IP-RANGE [PORT] | fwmark N [inet|inet6] }
#include <algorithm>
#include <charconv>

#include "config/parse_lvs_internal.h"
#include "config/parse_util.h"
#include "core/host_bits.h"

namespace vigil::config::lvs {
namespace {

using parse::quoted;
using Entry = VirtualServerGroupEntry;

bool parseHex16(std::string_view s, unsigned& out) {
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out, 16);
  return !s.empty() && ec == std::errc() && end == s.data() + s.size() && out <= 0xffff;
}

bool parseDecimal8(std::string_view s, unsigned& out) {
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out, 10);
  return !s.empty() && ec == std::errc() && end == s.data() + s.size() && out <= 255;
}

// "A-B" where B is a whole address or the last component of A (a decimal
// octet for IPv4, a hex group for IPv6).
bool readDashRange(const Token& tok, size_t dash, Entry& e, ParseContext& ctx) {
  std::string_view text = tok.text;
  auto first = IpAddress::parse(text.substr(0, dash));
  std::string_view tail = text.substr(dash + 1);
  if (!first) {
    ctx.error(tok.pos,
              "virtual_server_group entry is not a valid address range: " + quoted(tok.text));
    return false;
  }
  std::optional<IpAddress> last;
  if (tail.find_first_of(".:") != std::string_view::npos) {
    last = IpAddress::parse(tail);
  } else {
    std::array<uint8_t, 16> bytes{};
    std::copy(first->bytes(), first->bytes() + first->size(), bytes.begin());
    unsigned value = 0;
    if (first->isV4() && parseDecimal8(tail, value)) {
      bytes[3] = static_cast<uint8_t>(value);
      last = IpAddress::fromBytes(AF_INET, bytes.data());
    } else if (first->isV6() && parseHex16(tail, value)) {
      bytes[14] = static_cast<uint8_t>(value >> 8);
      bytes[15] = static_cast<uint8_t>(value);
      last = IpAddress::fromBytes(AF_INET6, bytes.data());
    }
  }
  if (!last || last->family() != first->family()) {
    ctx.error(tok.pos,
              "virtual_server_group entry is not a valid address range: " + quoted(tok.text));
    return false;
  }
  if (*last < *first) {
    ctx.error(tok.pos, "address range " + tok.text + " ends before it starts");
    return false;
  }
  e.first = *first;
  e.last = *last;
  return true;
}

bool readRange(const Token& tok, Entry& e, ParseContext& ctx) {
  const std::string& text = tok.text;
  if (text.find('/') != std::string::npos) {
    auto prefix = IpPrefix::parse(text);
    if (!prefix) {
      ctx.error(tok.pos,
                "virtual_server_group entry is not a valid address/prefix: " + quoted(text));
      return false;
    }
    e.first = withHostBits(prefix->address, prefix->length, false);
    e.last = withHostBits(prefix->address, prefix->length, true);
    if (e.first != prefix->address) {
      ctx.warning(tok.pos, text + " has host bits set; the range is " + e.first.toString() + "-" +
                               e.last.toString());
    }
    return true;
  }
  if (auto a = IpAddress::parse(text)) {
    e.first = e.last = *a;
    return true;
  }
  size_t dash = text.rfind('-');
  if (dash == std::string::npos) {
    ctx.error(tok.pos, "virtual_server_group entry is not a valid address, range or 'fwmark': " +
                           quoted(text));
    return false;
  }
  return readDashRange(tok, dash, e, ctx);
}

std::optional<Entry> readFwmark(const Node& node, ParseContext& ctx) {
  if (!parse::args(node, ctx, 1, 2)) {
    return std::nullopt;
  }
  Entry e;
  e.pos = node.pos();
  e.kind = Entry::Kind::Fwmark;
  auto mark = ctx.unsignedInt(node.args[0], "'fwmark'", 1, UINT32_MAX);
  if (!mark) {
    return std::nullopt;
  }
  e.fwmark = *mark;
  if (node.args.size() == 2) {
    auto family = ctx.oneOf(node.args[1], "address family", {"inet", "inet6"});
    if (!family) {
      return std::nullopt;
    }
    e.fwmarkFamily = *family == "inet" ? AF_INET : AF_INET6;
  }
  return e;
}

std::optional<Entry> readEntry(const Node& node, ParseContext& ctx) {
  if (node.name() == "fwmark") {
    return readFwmark(node, ctx);
  }
  if (!ctx.expectNoBlock(node) || !ctx.expectArgs(node, 0, 1)) {
    return std::nullopt;
  }
  Entry e;
  e.pos = node.pos();
  if (!readRange(node.keyword, e, ctx)) {
    return std::nullopt;
  }
  if (!node.args.empty()) {
    auto port = ctx.port(node.args[0], "virtual_server_group port", true);
    if (!port) {
      return std::nullopt;
    }
    e.port = *port;
  }
  return e;
}

}  // namespace

std::optional<VirtualServerGroup> parseVirtualServerGroup(const Node& node, ParseContext& ctx) {
  if (!ctx.expectArgs(node, 1) || !ctx.expectBlock(node)) {
    return std::nullopt;
  }
  VirtualServerGroup group;
  group.pos = node.pos();
  group.name = node.args[0].text;
  group.entries.reserve(node.children.size());
  for (const Node& child : node.children) {
    if (auto e = readEntry(child, ctx)) {
      group.entries.push_back(*e);
    }
  }
  if (node.children.empty()) {
    ctx.warning(node.pos(), "virtual_server_group " + quoted(group.name) + " has no entries");
  }
  return group;
}

}  // namespace vigil::config::lvs
