#include "check/tcp_syn_probe.h"

#include <cerrno>

#include "core/result.h"

namespace vigil::check {

TcpSynProbe::TcpSynProbe(TcpSynProber& prober, const config::ProbeTarget& target)
    : prober_(prober), target_(target) {}

TcpSynProbe::~TcpSynProbe() { abort(); }

void TcpSynProbe::start(Done done) {
  abort();
  done_ = std::move(done);
  // The prober reports from the loop, never from inside send(), so `done`
  // cannot run inside start().
  inFlight_ = prober_.send(target_, *this);
}

void TcpSynProbe::abort() {
  if (inFlight_) {
    prober_.cancel(inFlight_);
  }
  inFlight_ = {};
  done_ = nullptr;
}

void TcpSynProbe::onSynVerdict(SynVerdict verdict, int sendError) {
  inFlight_ = {};
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
