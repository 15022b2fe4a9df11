#include "config/lexer_params.h"

#include <charconv>
#include <optional>

namespace vigil::config::lexer {
namespace {

constexpr uint64_t kRandomDefaultMax = 32767;
constexpr size_t kMaxRandomArgs = 64;  // bytes of "MIN MAX" looked at for the `}`

struct Reference {
  size_t end = 0;          // index just past the reference
  std::string_view name;   // for diagnostics
  std::string_view value;  // what it stands for
};

// Parses "${_RANDOM [MIN [MAX]]}" arguments; nullopt when they are not one or
// two non-negative integers with MIN <= MAX.
std::optional<uint64_t> randomValue(std::string_view args, RandomSource& random) {
  uint64_t bounds[2] = {0, kRandomDefaultMax};
  int count = 0;
  size_t i = 0;
  while (i < args.size()) {
    if (isBlank(args[i])) {
      ++i;
      continue;
    }
    if (count == 2) {
      return std::nullopt;
    }
    auto [ptr, ec] = std::from_chars(args.data() + i, args.data() + args.size(), bounds[count]);
    size_t used = static_cast<size_t>(ptr - (args.data() + i));
    if (ec != std::errc() || (i + used < args.size() && !isBlank(args[i + used]))) {
      return std::nullopt;
    }
    i += used;
    ++count;
  }
  if (bounds[0] > bounds[1]) {
    return std::nullopt;
  }
  uint64_t span = bounds[1] - bounds[0];
  uint64_t r = random.next();
  return span == UINT64_MAX ? r : bounds[0] + r % (span + 1);
}

class Resolver {
 public:
  Resolver(const SubstitutionInput& input) : input_(input) {}

  // Resolves the reference whose `$` is at text[at]; nullopt when there is
  // none there or it names nothing defined.
  std::optional<Reference> resolve(const LineView& line, size_t at) {
    std::string_view text = line.text;
    if (at + 1 < text.size() && text[at + 1] == '{') {
      // Only the name (and _RANDOM's short arguments) is scanned, so a line
      // of unclosed `${` stays linear.
      size_t nameStart = at + 2;
      size_t len = identLength(text.substr(nameStart));
      size_t after = nameStart + len;
      std::string_view name = text.substr(nameStart, len);
      if (after < text.size() && text[after] == '}') {
        return lookup(name, after + 1);
      }
      if (name == "_RANDOM" && after < text.size() && isBlank(text[after])) {
        size_t close = text.substr(0, after + kMaxRandomArgs).find('}', after);
        if (close != std::string_view::npos) {
          return random(line, at, text.substr(after, close - after), close + 1);
        }
      }
      return std::nullopt;
    }
    size_t len = identLength(text.substr(at + 1));
    size_t end = at + 1 + len;
    if (len == 0 || (end < text.size() && !isBlank(text[end]) && text[end] != '\n')) {
      return std::nullopt;
    }
    return lookup(text.substr(at + 1, len), end);
  }

 private:
  std::optional<Reference> lookup(std::string_view name, size_t end) {
    if (name.empty()) {
      return std::nullopt;
    }
    if (const std::string* value = input_.params.find(name)) {
      return Reference{end, name, *value};
    }
    if (name.front() != '_') {
      return std::nullopt;
    }
    const Predefined& pre = input_.predefined;
    if (name == "_PWD") {
      return Reference{end, name, pre.pwd};
    }
    if (name == "_INSTANCE") {
      return Reference{end, name, pre.instance};
    }
    if (name == "_HASH") {
      return Reference{end, name, "#"};
    }
    if (name == "_BANG") {
      return Reference{end, name, "!"};
    }
    if (name == "_RANDOM" && pre.random != nullptr) {
      scratch_ = std::to_string(pre.random->next() % (kRandomDefaultMax + 1));
      return Reference{end, name, scratch_};
    }
    return std::nullopt;
  }

  std::optional<Reference> random(const LineView& line, size_t at, std::string_view args,
                                  size_t end) {
    if (input_.params.find("_RANDOM") != nullptr || input_.predefined.random == nullptr) {
      return std::nullopt;
    }
    std::optional<uint64_t> value = randomValue(args, *input_.predefined.random);
    if (!value) {
      input_.diagnostics.error(line.posAt(at),
                               "${_RANDOM MIN MAX} needs non-negative integers with MIN <= MAX");
      return std::nullopt;
    }
    scratch_ = std::to_string(*value);
    return Reference{end, "_RANDOM", scratch_};
  }

  const SubstitutionInput& input_;
  std::string scratch_;
};

}  // namespace

void ParamTable::define(std::string_view name, std::string value) {
  auto it = values_.find(name);
  if (it != values_.end()) {
    it->second = std::move(value);
  } else {
    values_.emplace(std::string(name), std::move(value));
  }
}

const std::string* ParamTable::find(std::string_view name) const {
  auto it = values_.find(name);
  return it == values_.end() ? nullptr : &it->second;
}

uint64_t RandomSource::next() {
  uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

Substitution substituteOnce(const LineView& in, const SubstitutionInput& input, OwnedLine& out,
                            LastReference& last) {
  std::string_view text = in.text;
  Resolver resolver(input);
  bool changed = false;
  size_t copied = 0;
  for (size_t at = text.find('$'); at != std::string_view::npos; at = text.find('$', at + 1)) {
    std::optional<Reference> ref = resolver.resolve(in, at);
    if (!ref) {
      continue;
    }
    if (!changed) {
      out.clear();
      out.text.reserve(text.size() + ref->value.size());
      changed = true;
    }
    out.append(in, copied, at - copied);
    out.appendAt(ref->value, in.colAt(at));
    last.name.assign(ref->name);
    last.at = at;
    copied = ref->end;
    at = ref->end - 1;
    if (out.text.size() > input.maxBytes) {
      return Substitution::TooLong;
    }
  }
  if (!changed) {
    return Substitution::None;
  }
  out.append(in, copied, text.size() - copied);
  return out.text.size() > input.maxBytes ? Substitution::TooLong : Substitution::Done;
}

}  // namespace vigil::config::lexer
