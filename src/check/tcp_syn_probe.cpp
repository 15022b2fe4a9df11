#include "check/tcp_syn_probe.h"

#include <cerrno>

#include "core/result.h"

namespace vigil::check {

Duration synResendDelay(Duration attemptTimeout) { return attemptTimeout / kSynCopies; }

TcpSynProbe::TcpSynProbe(EventLoop& loop, SynSender& sender, const config::ProbeTarget& target,
                         Duration attemptTimeout)
    : loop_(loop), sender_(sender), target_(target), resendDelay_(synResendDelay(attemptTimeout)) {}

TcpSynProbe::~TcpSynProbe() { abort(AbortReason::Stopped); }

void TcpSynProbe::start(Done done) {
  abort(AbortReason::Stopped);
  done_ = std::move(done);
  // The sender reports from the loop, never from inside send(), so `done`
  // cannot run inside start().
  inFlight_ = sender_.send(target_, *this);
  copiesSent_ = 1;
  if (resendDelay_ > Duration::zero()) {
    if (!resendTimer_) {
      resendTimer_ = loop_.createTimer([this] { onResendDue(); });
    }
    resendTimer_->armAfter(resendDelay_);
  }
}

void TcpSynProbe::onResendDue() {
  if (!inFlight_) {
    return;
  }
  sender_.resend(inFlight_, target_);
  if (++copiesSent_ < kSynCopies) {
    resendTimer_->armAfter(resendDelay_);
  }
}

void TcpSynProbe::abort(AbortReason reason) {
  if (resendTimer_) {
    resendTimer_->cancel();
  }
  if (inFlight_) {
    sender_.cancel(inFlight_, reason);
  }
  inFlight_ = {};
  done_ = nullptr;
}

void TcpSynProbe::onSynVerdict(SynVerdict verdict, int sendError) {
  inFlight_ = {};
  if (resendTimer_) {
    resendTimer_->cancel();
  }
  Done done = std::move(done_);
  done_ = nullptr;
  if (!done) {
    return;
  }
  switch (verdict) {
    case SynVerdict::Open:
      done(ProbeResult{Outcome::Up, std::nullopt, "SYN answered by SYN-ACK"});
      return;
    case SynVerdict::Refused:
      done(ProbeResult{Outcome::Refused, std::nullopt, "SYN answered by RST"});
      return;
    case SynVerdict::Unrelated:
      done(ProbeResult{Outcome::NetworkError, std::nullopt,
                       Error{sendError, "send SYN"}.describe()});
      return;
  }
}

}  // namespace vigil::check
