#include "check/probe_registry.h"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <functional>
#include <type_traits>
#include <utility>
#include <variant>

namespace vigil::check {
namespace {

// Appends fields as "name=<length>:value;" so no value can run into the
// next one, whatever characters it holds.
class KeyWriter {
 public:
  void add(std::string_view name, std::string_view value) {
    fmt::format_to(std::back_inserter(text_), "{}={}:{};", name, value.size(), value);
  }
  template <class T>
  requires std::is_arithmetic_v<T>
  void add(std::string_view name, T value) { add(name, fmt::format("{}", value)); }
  void add(std::string_view name, Duration value) { add(name, value.count()); }
  // Fitted: the text grows by doubling, and a running checker keeps its
  // key (about 290 bytes for a TCP_CHECK, in a 480-byte buffer unfitted).
  std::string take() {
    text_.shrink_to_fit();
    return std::move(text_);
  }

 private:
  std::string text_;
};

void addBase(KeyWriter& key, const config::CheckerBase& base, bool alpha) {
  key.add("type", config::toString(base.type));
  key.add("delay_loop", base.delayLoop);
  key.add("connect_timeout", base.connectTimeout);
  key.add("delay_before_retry", base.delayBeforeRetry);
  key.add("warmup", base.warmup);
  key.add("retry", base.retry);
  key.add("alpha", alpha);
  key.add("log_all_failures", base.logAllFailures);
}

void addTarget(KeyWriter& key, const config::ProbeTarget& target) {
  key.add("connect_ip", target.address.toString());
  key.add("connect_port", target.port);
  key.add("bindto", target.bindAddress().toString());
  key.add("bind_port", target.bindPort());
  key.add("bind_if", target.bindInterface().view());
  key.add("fwmark", target.fwmark());
}

void addUrl(KeyWriter& key, const config::HttpUrl& url) {
  key.add("path", url.path);
  if (url.digest) {
    key.add("digest", std::string_view(reinterpret_cast<const char*>(url.digest->data()),
                                       url.digest->size()));
  }
  for (const config::StatusRange& range : url.statusCodes) {
    key.add("status", fmt::format("{}-{}", range.first, range.last));
  }
  if (url.virtualhost) {
    key.add("virtualhost", *url.virtualhost);
  }
  if (url.regex) {
    const config::HttpRegex& r = *url.regex;
    key.add("regex", r.pattern);
    key.add("no_match", r.noMatch);
    key.add("options", r.options);
    key.add("stack", fmt::format("{}-{}", r.stackStart, r.stackMax));
    key.add("offsets", fmt::format("{}-{}", r.minOffset, r.maxOffset));
  }
}

void addHttp(KeyWriter& key, const config::HttpCheck& http) {
  key.add("http_protocol", config::toString(http.protocol));
  key.add("tls", http.tls);
  key.add("enable_sni", http.enableSni);
  key.add("sni_name", http.sniName);
  key.add("verify_cert", http.verifyCertificate);
  key.add("fast_recovery", http.fastRecovery);
  for (const config::HttpUrl& url : http.urls) {
    addUrl(key, url);
  }
}

void addMisc(KeyWriter& key, const config::MiscCheck& misc) {
  key.add("misc_path", misc.script.command);
  key.add("user", misc.script.user);
  key.add("group", misc.script.group);
  key.add("misc_timeout", misc.timeout);
  key.add("misc_dynamic", misc.dynamic);
}

void addSmtp(KeyWriter& key, const config::SmtpCheck& smtp) {
  for (const config::ProbeTarget& host : smtp.hosts) {
    addTarget(key, host);
  }
  key.add("helo_name", smtp.heloName);
}

void addDns(KeyWriter& key, const config::DnsCheck& dns) {
  key.add("dns_type", config::toString(dns.type));
  key.add("dns_name", dns.name);
}

void addUdp(KeyWriter& key, const config::UdpCheck& udp) {
  std::string payload;
  for (uint8_t byte : udp.payload) {
    fmt::format_to(std::back_inserter(payload), "{:02x}", byte);
  }
  key.add("payload", payload);
  key.add("require_reply", udp.requireReply);
  std::string reply;
  for (const config::MaskedByte& byte : udp.reply) {
    fmt::format_to(std::back_inserter(reply), "{:02x}/{:02x}", byte.value, byte.mask);
  }
  key.add("reply", reply);
  key.add("min_length", udp.minReplyLength);
  key.add("max_length", udp.maxReplyLength);
}

void addFile(KeyWriter& key, const config::FileCheck& file) {
  key.add("track_file", file.trackFile);
  key.add("weight", file.weight);
  key.add("reverse", file.reverse);
  key.add("dynamic", file.dynamic);
}

// How a FILE_CHECK is keyed: by its configuration object (probeKey, for
// sharing and keeping across a reload), or by what it names (checkerId).
enum class FileIdentity : uint8_t { Object, Parameters };

std::string keyOf(const config::Checker& checker, FileIdentity fileIdentity, bool alpha) {
  KeyWriter key;
  addBase(key, checker.base, alpha);
  std::visit(
      [&](const auto& probe) {
        using T = std::decay_t<decltype(probe)>;
        if constexpr (std::is_same_v<T, config::MiscCheck>) {
          addMisc(key, probe);
          return;
        }
        addTarget(key, checker.target);
        if constexpr (std::is_same_v<T, config::TcpCheck>) {
          key.add("tcp_check_mode", config::toString(probe.mode));
        } else if constexpr (std::is_same_v<T, config::HttpCheck>) {
          addHttp(key, probe);
        } else if constexpr (std::is_same_v<T, config::SmtpCheck>) {
          addSmtp(key, probe);
        } else if constexpr (std::is_same_v<T, config::DnsCheck>) {
          addDns(key, probe);
        } else if constexpr (std::is_same_v<T, config::UdpCheck>) {
          addUdp(key, probe);
        } else if constexpr (std::is_same_v<T, config::FileCheck>) {
          // A FILE_CHECK reads its track_file block and its real server's
          // weight from the configuration it was built with: never shared,
          // and rebuilt by a reload (it only reads a file, so nothing flaps).
          if (fileIdentity == FileIdentity::Object) {
            key.add("parameters", fmt::format("{}", fmt::ptr(&probe)));
          } else {
            addFile(key, probe);
          }
        }
      },
      *checker.probe);
  return key.take();
}

}  // namespace

std::string probeKey(const config::Checker& checker) {
  return keyOf(checker, FileIdentity::Object, checker.base.alpha);
}

std::string probeKey(const config::Checker& checker, bool alpha) {
  return keyOf(checker, FileIdentity::Object, alpha);
}

std::string checkerId(const config::Checker& checker) {
  uint64_t hash = 14695981039346656037ULL;
  for (const char c : keyOf(checker, FileIdentity::Parameters, checker.base.alpha)) {
    hash = (hash ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
  }
  return fmt::format("{:016x}", hash);
}

void ProbeRegistry::Listeners::add(uint64_t id, Checker::Listener listener) {
  if (first_.first == 0) {
    first_ = {id, std::move(listener)};
    return;
  }
  if (!rest_) rest_ = std::make_unique<std::vector<Item>>();
  rest_->emplace_back(id, std::move(listener));
}

void ProbeRegistry::Listeners::remove(uint64_t id) {
  if (first_.first == id && id != 0) {
    if (rest_) {
      first_ = std::move(rest_->front());
      rest_->erase(rest_->begin());
      if (rest_->empty()) rest_.reset();
    } else {
      first_ = {0, {}};
    }
    return;
  }
  if (!rest_) return;
  std::erase_if(*rest_, [id](const Item& item) { return item.first == id; });
  if (rest_->empty()) rest_.reset();
}

Checker::Listener* ProbeRegistry::Listeners::find(uint64_t id) {
  if (id == 0) return nullptr;
  if (first_.first == id) return &first_.second;
  if (!rest_) return nullptr;
  auto it = std::find_if(rest_->begin(), rest_->end(),
                         [id](const Item& item) { return item.first == id; });
  return it == rest_->end() ? nullptr : &it->second;
}

std::vector<uint64_t> ProbeRegistry::Listeners::ids() const {
  std::vector<uint64_t> out;
  out.reserve(size());
  if (first_.first != 0) out.push_back(first_.first);
  if (rest_) {
    for (const Item& item : *rest_) out.push_back(item.first);
  }
  return out;
}

Checker::Listener* ProbeRegistry::Entry::listener(uint64_t id) { return listeners.find(id); }

bool ProbeRegistry::Entry::isSuspended(uint64_t id) const {
  return suspended && std::find(suspended->begin(), suspended->end(), id) != suspended->end();
}

void ProbeRegistry::Entry::suspend(uint64_t id) {
  if (!suspended) suspended = std::make_unique<std::vector<uint64_t>>();
  suspended->push_back(id);
}

bool ProbeRegistry::Entry::unsuspend(uint64_t id) {
  if (!suspended || std::erase(*suspended, id) == 0) return false;
  if (suspended->empty()) suspended.reset();
  return true;
}

namespace {

uint64_t hashOf(const std::string& key) { return std::hash<std::string>{}(key); }

}  // namespace

ProbeRegistry::Subscription::~Subscription() { release(); }

ProbeRegistry::Subscription::Subscription(Subscription&& other) noexcept
    : registry_(std::exchange(other.registry_, nullptr)),
      entry_(std::exchange(other.entry_, nullptr)),
      id_(other.id_) {}

ProbeRegistry::Subscription& ProbeRegistry::Subscription::operator=(Subscription&& other) noexcept {
  if (this != &other) {
    release();
    registry_ = std::exchange(other.registry_, nullptr);
    entry_ = std::exchange(other.entry_, nullptr);
    id_ = other.id_;
  }
  return *this;
}

void ProbeRegistry::Subscription::release() {
  if (registry_ == nullptr) return;
  ProbeRegistry* registry = std::exchange(registry_, nullptr);
  registry->unsubscribe(*entry_, id_);
}

const Checker& ProbeRegistry::Subscription::checker() const { return *entry_->checker; }

std::string ProbeRegistry::Subscription::key() const { return entryKey(*entry_); }

void ProbeRegistry::Subscription::rebind(std::shared_ptr<const config::Checker> checker) {
  assert(probeKey(*checker, entry_->alpha) == entryKey(*entry_));
  entry_->config = std::move(checker);
  entry_->checker->nameAfter(*entry_->config);
}

// fanOut() calls a copy of the listener, so one that replaces itself
// keeps running.
void ProbeRegistry::Subscription::setListener(Checker::Listener listener) {
  *entry_->listener(id_) = std::move(listener);
}

std::string ProbeRegistry::entryKey(const Entry& entry) {
  return probeKey(*entry.config, entry.alpha);
}

void ProbeRegistry::Subscription::setSuspended(bool suspended) {
  if (suspended == entry_->isSuspended(id_)) {
    return;
  }
  if (suspended) {
    entry_->suspend(id_);
  } else {
    entry_->unsuspend(id_);
  }
  runIfNeeded(*entry_);
}

bool ProbeRegistry::Subscription::suspended() const { return entry_->isSuspended(id_); }

void ProbeRegistry::runIfNeeded(Entry& entry) {
  if (entry.suspendedCount() < entry.listeners.size()) {
    entry.checker->start();
  } else {
    entry.checker->stop();
  }
}

ProbeRegistry::ProbeRegistry(EventLoop& loop, CheckerFactory factory)
    : loop_(loop), factory_(std::move(factory)) {}

ProbeRegistry::~ProbeRegistry() { *alive_ = false; }

template <class Map>
auto ProbeRegistry::find(Map& entries, const std::string& key, uint64_t hash)
    -> decltype(entries.end()) {
  auto [first, last] = entries.equal_range(hash);
  for (auto it = first; it != last; ++it) {
    if (entryKey(it->second) == key) {
      return it;
    }
  }
  return entries.end();
}

Result<ProbeRegistry::Subscription> ProbeRegistry::subscribe(const config::Checker& checker,
                                                             Checker::Listener listener) {
  return subscribe(std::make_shared<const config::Checker>(checker), checker.base.alpha,
                   std::move(listener));
}

Result<ProbeRegistry::Subscription> ProbeRegistry::subscribe(
    std::shared_ptr<const config::Checker> checker, bool alpha, Checker::Listener listener) {
  const std::string key = probeKey(*checker, alpha);
  const uint64_t hash = hashOf(key);
  auto it = find(entries_, key, hash);
  if (it == entries_.end()) {
    auto made = [&] {
      if (checker->base.alpha == alpha) return factory_(*checker);
      config::Checker started = *checker;  // the factory reads the state to start in from alpha
      started.base.alpha = alpha;
      return factory_(started);
    }();
    if (!made) {
      return made.error();
    }
    it = entries_.emplace(std::piecewise_construct, std::forward_as_tuple(hash),
                          std::forward_as_tuple());
    // The node's address is the entry's for its life (unordered containers
    // never move their elements).
    Entry* raw = &it->second;
    raw->hash = hash;
    raw->alpha = alpha;
    raw->checker = std::move(*made);
    raw->checker->setListener([this, raw](const CheckerEvent& event) { fanOut(*raw, event); });
  }
  Entry& entry = it->second;
  entry.config = std::move(checker);  // the latest load's, so an earlier one can go
  entry.checker->nameAfter(*entry.config);
  uint64_t id = nextId_++;
  entry.listeners.add(id, std::move(listener));
  entry.checker->start();  // a no-op unless every other subscriber was suspended
  return Subscription(*this, entry, id);
}

size_t ProbeRegistry::subscriberCount(const config::Checker& checker) const {
  const std::string key = probeKey(checker);
  auto it = find(entries_, key, hashOf(key));
  return it == entries_.end() ? 0 : it->second.listeners.size();
}

void ProbeRegistry::unsubscribe(Entry& entry, uint64_t id) {
  entry.listeners.remove(id);
  entry.unsuspend(id);
  if (entry.retired) {
    return;
  }
  if (!entry.listeners.empty()) {
    runIfNeeded(entry);
    return;
  }
  entry.retired = true;
  entry.checker->stop();
  auto [first, last] = entries_.equal_range(entry.hash);
  auto self =
      std::find_if(first, last, [&entry](const auto& slot) { return &slot.second == &entry; });
  auto node = entries_.extract(self);
  if (dispatching_ == 0) {
    return;  // nothing of it is on the stack: freed with `node` now
  }
  retired_.push_back(std::move(node));
  loop_.post([this, alive = std::weak_ptr<bool>(alive_)] {
    if (!alive.expired() && dispatching_ == 0) {
      retired_.clear();
    }
  });
}

void ProbeRegistry::fanOut(Entry& entry, const CheckerEvent& event) {
  // A listener may unsubscribe itself or others: walk a copy of the ids.
  const std::vector<uint64_t> ids = entry.listeners.ids();
  ++dispatching_;
  for (uint64_t id : ids) {
    if (entry.retired) {
      break;
    }
    Checker::Listener* listener = entry.listener(id);
    if (listener != nullptr && *listener) {
      Checker::Listener call = *listener;  // survives its own unsubscribe
      call(event);
    }
  }
  --dispatching_;
}

}  // namespace vigil::check
