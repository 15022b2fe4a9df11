#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

namespace vigil {

// An immutable text shared by every holder: copying one copies a pointer.
// The supervisor keeps each worker's last snapshot as one (megabytes at
// tens of thousands of real servers) and hands it to every /status,
// /metrics, /healthz request, the SNMP thread and systemd's status line
// without copying the text; a new snapshot (or a patch applied) makes a new
// text, and holders of the old one keep theirs unchanged.
class SharedText {
 public:
  SharedText() = default;
  // NOLINTNEXTLINE(google-explicit-constructor): a text is a value here.
  SharedText(std::string text)
      : text_(text.empty() ? nullptr : std::make_shared<std::string>(std::move(text))) {}
  // NOLINTNEXTLINE(google-explicit-constructor)
  SharedText(const char* text) : SharedText(std::string(text)) {}

  const std::string& str() const { return text_ ? *text_ : empty_; }
  // NOLINTNEXTLINE(google-explicit-constructor)
  operator std::string_view() const { return str(); }
  size_t size() const { return str().size(); }
  bool empty() const { return str().empty(); }
  void clear() { text_.reset(); }
  // Whether both hold the same text object (not merely equal bytes).
  bool sameAs(const SharedText& other) const { return text_ == other.text_; }

  // Names one text object without holding it: a cache keyed by a snapshot
  // keeps a Mark, so the supervisor stays the text's only holder and a
  // patch still edits it in place (take()). It keeps the text's control
  // block alive, not the text: a later text never reuses that block, so a
  // Mark is never taken for a newer text at the same address.
  class Mark {
   public:
    Mark() = default;
    bool names(const SharedText& text) const {
      return !text_.owner_before(text.text_) && !text.text_.owner_before(text_);
    }

   private:
    friend class SharedText;
    explicit Mark(const std::shared_ptr<std::string>& text) : text_(text) {}
    std::weak_ptr<std::string> text_;
  };
  // Empty texts all have the same Mark.
  Mark mark() const { return Mark(text_); }
  // The text for a holder that keeps it as a plain shared string (a
  // response body's piece); null when empty.
  std::shared_ptr<const std::string> shared() const { return text_; }

  // The text to change and put back: moved out when this is its only
  // holder, else copied (the other holders keep theirs). Leaves this empty.
  std::string take() {
    if (!text_) return {};
    if (text_.use_count() != 1) {
      std::string copy = *text_;
      text_.reset();
      return copy;
    }
    // use_count() reads the count relaxed; another thread (SNMP's) that
    // let go of the text read it before its release decrement, so order
    // those reads before the move.
    std::atomic_thread_fence(std::memory_order_acquire);
    std::string out = std::move(*text_);
    text_.reset();
    return out;
  }

  friend bool operator==(const SharedText& a, std::string_view b) { return a.str() == b; }

 private:
  static inline const std::string empty_;
  // Not const inside, so take() may move out of a text nobody else holds;
  // nothing else changes it.
  std::shared_ptr<std::string> text_;
};

}  // namespace vigil
