#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "check/checker.h"
#include "config/model_lvs.h"
#include "core/event_loop.h"
#include "core/result.h"

// Shared probes (keepalived issue #2358): identical checkers configured under
// several virtual services run one Checker whose state changes fan out to
// every subscriber.
namespace vigil::check {

// Everything that makes two checkers probe the same thing the same way, as
// one canonical string: the checker type, the base timing (delay_loop,
// connect_timeout, delay_before_retry, warmup, retry, alpha,
// log_all_failures), the target with its bind options (not for MISC_CHECK,
// whose command line is its whole target) and the per-type parameters.
// Equal keys <=> one shared Checker. FILE_CHECK alone is keyed by the
// identity of its parameters (the configuration object), so it is never
// shared and a reload rebuilds it: its probe also reads its track_file
// block's path and its real server's weight, which the key cannot see.
std::string probeKey(const config::Checker& checker);
// The key of `checker` as if its alpha were `alpha`: a Checker started down
// or up by its first subscriber (CheckWorker::subscribe) is keyed so.
std::string probeKey(const config::Checker& checker, bool alpha);

// A short name (16 hex digits, FNV-1a) for what `checker` probes and how,
// equal for equal configurations however often they are loaded: the key
// above, except that a FILE_CHECK is named by its track_file, its
// parameters and its real server's address and port rather than by its
// configuration object. The check worker publishes it ("id" in the
// snapshot), so a reader (smtp_alert) follows a checker across a reload
// that reorders, keeps or rebuilds it.
std::string checkerId(const config::Checker& checker);

class ProbeRegistry {
  // One shared Checker. Per checker this is what a running probe costs
  // beyond the Checker and its probe, so it is kept small (issue 4: 20,000
  // TCP_CHECKs): the configuration it was built from, held by pointer into
  // its subscriber's load (a copy was 136 of its 208 bytes), rather than its
  // key; its subscribers in a vector (one subscriber is the usual case)
  // rather than an ordered tree; the suspended ones only once there are
  // some; and the entry itself in its entries_ node, not in a block of its
  // own.
  // Subscribers' listeners by id, ascending (ids only grow, so appending
  // keeps the order): the first inline, as one subscriber is the usual
  // case, the others in a vector made when a second joins (a vector alone
  // was a 48-byte block per checker; issue 4). A removal may move the
  // others' listeners.
  class Listeners {
   public:
    size_t size() const { return (first_.first != 0 ? 1 : 0) + (rest_ ? rest_->size() : 0); }
    bool empty() const { return first_.first == 0; }
    void add(uint64_t id, Checker::Listener listener);
    void remove(uint64_t id);
    // Null when `id` is not there.
    Checker::Listener* find(uint64_t id);
    std::vector<uint64_t> ids() const;

   private:
    using Item = std::pair<uint64_t, Checker::Listener>;
    Item first_{0, {}};                        // id 0: none (ids start at 1); set whenever any is
    std::unique_ptr<std::vector<Item>> rest_;  // null when empty
  };

  struct Entry {
    // probeKey(*config, alpha) is the entry's key.
    std::shared_ptr<const config::Checker> config;
    uint64_t hash = 0;  // of that key: the entries_ slot
    std::unique_ptr<Checker> checker;
    Listeners listeners;
    // Ids of listeners that need no probe (ha_suspend); null: none.
    std::unique_ptr<std::vector<uint64_t>> suspended;
    bool alpha = false;    // the Checker started down
    bool retired = false;  // its last subscriber left: notify nobody more

    Checker::Listener* listener(uint64_t id);
    size_t suspendedCount() const { return suspended ? suspended->size() : 0; }
    bool isSuspended(uint64_t id) const;
    void suspend(uint64_t id);
    // Whether the id was there.
    bool unsuspend(uint64_t id);
  };
  using Entries = std::unordered_multimap<uint64_t, Entry>;

 public:
  // Builds (but does not start) the Checker for the first subscriber of a
  // key; an error is handed back to that subscriber.
  using CheckerFactory = std::function<Result<std::unique_ptr<Checker>>(const config::Checker&)>;

  // One subscriber's hold on a shared Checker, held by value (a block of
  // its own per checker was 32 bytes; issue 4). Destroying it, or assigning
  // to it, unsubscribes (also from inside a listener call); the last one
  // going stops the Checker and releases it. Moving it moves the hold; a
  // default-constructed or moved-from one holds nothing (false) and only
  // its destruction and assignment are allowed. Must not outlive its
  // registry.
  class Subscription {
   public:
    Subscription() = default;
    ~Subscription();
    Subscription(Subscription&& other) noexcept;
    Subscription& operator=(Subscription&& other) noexcept;
    explicit operator bool() const { return registry_ != nullptr; }

    const Checker& checker() const;
    bool up() const { return checker().up(); }
    std::optional<uint32_t> weight() const { return checker().weight(); }
    // probeKey() of the configuration the Checker was built from,
    // computed on each call (a reload asks once per kept checker).
    std::string key() const;
    // The Checker runs from `checker` from now on: an equal configuration
    // (the same key, alpha aside) from a later load, which the registry
    // holds instead of the one it had, so a reload that keeps the Checker
    // lets the previous load go.
    void rebind(std::shared_ptr<const config::Checker> checker);
    // Replaces this subscriber's listener (a reload that moves it).
    void setListener(Checker::Listener listener);
    // ha_suspend: a suspended subscriber does not need the probe. The
    // Checker stops (keeping its state) while every subscriber is
    // suspended, and starts again when one resumes or a running one joins.
    void setSuspended(bool suspended);
    bool suspended() const;

   private:
    friend class ProbeRegistry;
    Subscription(ProbeRegistry& registry, Entry& entry, uint64_t id)
        : registry_(&registry), entry_(&entry), id_(id) {}
    void release();

    ProbeRegistry* registry_ = nullptr;  // null: holds nothing
    Entry* entry_ = nullptr;             // alive while it has subscribers
    uint64_t id_ = 0;
  };

  ProbeRegistry(EventLoop& loop, CheckerFactory factory);
  ~ProbeRegistry();
  ProbeRegistry(const ProbeRegistry&) = delete;
  ProbeRegistry& operator=(const ProbeRegistry&) = delete;

  // Joins the Checker for `checker`'s key with alpha `alpha`, creating and
  // starting it for the first subscriber (it starts down iff `alpha`).
  // `listener` hears every later state or weight change; the current state
  // is read from the Subscription. The registry holds `checker`, not a
  // copy: a CheckWorker passes a pointer into its configuration (aliasing
  // the Config, which it keeps alive), so 20,000 running checkers do not
  // hold 20,000 copies of what the configuration already has (issue 4). A
  // Checker's configuration is its latest subscriber's (or rebind()'s).
  Result<Subscription> subscribe(std::shared_ptr<const config::Checker> checker, bool alpha,
                                 Checker::Listener listener);
  // The same with a copy of `checker`, alpha as configured.
  Result<Subscription> subscribe(const config::Checker& checker, Checker::Listener listener);

  size_t checkerCount() const { return entries_.size(); }
  // Subscribers of the Checker `checker` would share; 0 when none runs.
  size_t subscriberCount(const config::Checker& checker) const;

 private:
  void unsubscribe(Entry& entry, uint64_t id);
  // Runs the entry's Checker iff a subscriber is not suspended.
  static void runIfNeeded(Entry& entry);
  void fanOut(Entry& entry, const CheckerEvent& event);

  // The key of the Checker `entry` runs.
  static std::string entryKey(const Entry& entry);
  // The entry of `entries` (entries_, const or not) running `key`
  // (probeKey), of hash `hash`; end() when none.
  template <class Map>
  static auto find(Map& entries, const std::string& key, uint64_t hash) -> decltype(entries.end());

  EventLoop& loop_;
  CheckerFactory factory_;
  // By the hash of the entry's key; equal hashes are told apart by the key
  // itself, computed again from the configuration each entry holds (see
  // Entry). The key is not kept: at about 290 bytes for a TCP_CHECK it was
  // half of a shared probe's bookkeeping (issue 4).
  Entries entries_;
  uint64_t nextId_ = 1;
  // Entries whose last subscriber left while a checker was notifying:
  // freed from a posted callback, once their call stack has unwound.
  std::vector<Entries::node_type> retired_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  int dispatching_ = 0;
};

}  // namespace vigil::check
