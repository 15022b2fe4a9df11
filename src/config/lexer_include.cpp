#include "config/lexer_include.h"

#include <fcntl.h>
#include <glob.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace vigil::config::lexer {
namespace {

constexpr size_t kMaxBraceAlternatives = 4096;
constexpr int kMaxBraceGroups = 64;
constexpr size_t kMaxPatternBytes = 4096;  // PATH_MAX

bool hasWildcard(std::string_view s) { return s.find_first_of("*?[") != std::string_view::npos; }

// Index of the `}` matching the `{` at s[open], or npos.
size_t matchingBrace(std::string_view s, size_t open) {
  int depth = 0;
  for (size_t i = open; i < s.size(); ++i) {
    if (s[i] == '{') {
      ++depth;
    } else if (s[i] == '}' && --depth == 0) {
      return i;
    }
  }
  return std::string_view::npos;
}

void expandFrom(const std::string& s, size_t from, int groups, size_t limit,
                std::vector<std::string>& out, bool& truncated) {
  if (truncated || groups > kMaxBraceGroups) {
    truncated = true;
    return;
  }
  for (size_t open = s.find('{', from); open != std::string::npos; open = s.find('{', open + 1)) {
    size_t close = matchingBrace(s, open);
    if (close == std::string_view::npos) {
      continue;
    }
    std::string_view inner = std::string_view(s).substr(open + 1, close - open - 1);
    int depth = 0;
    size_t start = 0;
    for (size_t i = 0; i <= inner.size(); ++i) {
      if (i < inner.size() && inner[i] == '{') {
        ++depth;
      } else if (i < inner.size() && inner[i] == '}') {
        --depth;
      } else if (i == inner.size() || (inner[i] == ',' && depth == 0)) {
        std::string next = s.substr(0, open);
        next.append(inner.substr(start, i - start));
        next.append(s, close + 1);
        expandFrom(next, open, groups + 1, limit, out, truncated);
        start = i + 1;
      }
    }
    return;
  }
  if (out.size() >= limit) {
    truncated = true;
    return;
  }
  out.push_back(s);
}

std::string join(std::string_view dir, std::string_view path) {
  if (dir.empty() || path.starts_with('/')) {
    return std::string(path);
  }
  std::string out(dir);
  if (out.back() != '/') {
    out.push_back('/');
  }
  out.append(path);
  return out;
}

// glob(3) for one alternative; true when it matched something.
bool globInto(const std::string& pattern, std::vector<std::string>& files,
              std::vector<IncludeProblem>& problems) {
  glob_t g{};
  int rc = glob(pattern.c_str(), 0, nullptr, &g);
  bool matched = rc == 0 && g.gl_pathc > 0;
  if (matched) {
    for (size_t i = 0; i < g.gl_pathc; ++i) {
      files.emplace_back(g.gl_pathv[i]);
    }
  } else if (rc != GLOB_NOMATCH && rc != 0) {
    problems.push_back({true, "include: cannot expand '" + pattern + "'"});
  }
  globfree(&g);
  return matched;
}

}  // namespace

std::optional<IncludeChecks> includeKeyword(std::string_view word) {
  if (word == "include") {
    return IncludeChecks{};
  }
  if (word == "includer") {
    return IncludeChecks{.readable = true};
  }
  if (word == "includem") {
    return IncludeChecks{.readable = true, .match = true};
  }
  if (word == "includew") {
    return IncludeChecks{.readable = true, .wildcardMatch = true};
  }
  if (word == "includeb") {
    return IncludeChecks{.readable = true, .braceMatch = true};
  }
  if (word == "includea") {
    return IncludeChecks::all();
  }
  return std::nullopt;
}

std::string applyIncludeCheck(const std::vector<std::string>& options, IncludeChecks& checks) {
  if (options.empty()) {
    checks = IncludeChecks::all();
    return {};
  }
  IncludeChecks result = checks;
  bool replaced = false;
  for (const std::string& option : options) {
    std::string_view name = option;
    char sign = 0;
    if (name.starts_with('+') || name.starts_with('-')) {
      sign = name[0];
      name.remove_prefix(1);
    } else if (!replaced) {
      result = IncludeChecks{};  // a bare option list says exactly which checks apply
      replaced = true;
    }
    bool on = sign != '-';
    if (name == "readable") {
      result.readable = on;
    } else if (name == "match") {
      result.match = on;
    } else if (name == "wildcard_match") {
      result.wildcardMatch = on;
    } else if (name == "brace_match") {
      result.braceMatch = on;
    } else {
      return "include_check: unknown option '" + option +
             "' (expected readable, match, wildcard_match or brace_match)";
    }
    // The matching checks imply that what matched must be readable.
    if (on && name != "readable") {
      result.readable = true;
    }
  }
  checks = result;
  return {};
}

std::vector<std::string> expandBraces(std::string_view pattern, size_t limit, bool& truncated) {
  std::vector<std::string> out;
  truncated = false;
  expandFrom(std::string(pattern), 0, 0, limit, out, truncated);
  return out;
}

IncludeMatches findIncludeFiles(std::string_view pattern, std::string_view baseDir,
                                const IncludeChecks& checks) {
  IncludeMatches result;
  if (pattern.size() > kMaxPatternBytes) {
    result.problems.push_back(
        {true, "include: file name longer than " + std::to_string(kMaxPatternBytes) + " bytes"});
    return result;
  }
  bool truncated = false;
  std::vector<std::string> alternatives = expandBraces(pattern, kMaxBraceAlternatives, truncated);
  if (truncated) {
    result.problems.push_back({true, "include: '" + std::string(pattern) + "' has more than " +
                                         std::to_string(kMaxBraceAlternatives) +
                                         " brace alternatives or " +
                                         std::to_string(kMaxBraceGroups) + " brace groups"});
    return result;
  }
  bool anyMatch = false;
  for (const std::string& alternative : alternatives) {
    bool matched = globInto(join(baseDir, alternative), result.files, result.problems);
    anyMatch = anyMatch || matched;
    if (!matched && checks.braceMatch && alternatives.size() > 1) {
      result.problems.push_back({true, "include: brace alternative '" + alternative + "' of '" +
                                           std::string(pattern) + "' matches no file"});
    }
  }
  if (!anyMatch) {
    bool required = hasWildcard(pattern) ? checks.wildcardMatch : checks.match;
    result.problems.push_back(
        {required, "include: no file matches '" + std::string(pattern) + "'"});
  }
  return result;
}

Result<std::string> readRegularFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    return errnoError("cannot open " + path);
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    Error e = errnoError("cannot stat " + path);
    ::close(fd);
    return e;
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return S_ISDIR(st.st_mode) ? Error{EISDIR, "cannot read " + path}
                               : Error{0, "cannot read " + path + ": not a regular file"};
  }
  std::string data;
  data.resize(static_cast<size_t>(st.st_size));
  size_t got = 0;
  for (;;) {
    if (got == data.size()) {
      data.resize(data.size() + 65536);  // the file may grow, or be a /proc-style file
    }
    ssize_t n = ::read(fd, data.data() + got, data.size() - got);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      Error e = errnoError("cannot read " + path);
      ::close(fd);
      return e;
    }
    if (n == 0) {
      break;
    }
    got += static_cast<size_t>(n);
  }
  ::close(fd);
  data.resize(got);
  return data;
}

}  // namespace vigil::config::lexer
