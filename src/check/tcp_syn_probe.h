#pragma once

#include <memory>

#include "check/probe.h"
#include "check/tcp_syn_prober.h"
#include "config/model_lvs.h"
#include "core/clock.h"
#include "core/event_loop.h"

// TCP_CHECK in syn mode (tcp_check_mode syn): a half-open check. Each
// attempt sends a SYN through the loop's shared TcpSynProber, and again
// (same sequence number) at each further fraction of the attempt's time
// (synResendDelay): a SYN-ACK to any copy is up, a RST is refused, silence
// is left to the checker's connect_timeout. Never used with bind_port,
// bind_if or fwmark (see probe_factory.cpp); bindto is the SYN's source
// address.
namespace vigil::check {

// SYNs one attempt sends at most: the first, then retransmits.
inline constexpr int kSynCopies = 3;

// The wait before each retransmit: copies go out at 0, 1/3 and 2/3 of the
// attempt's timeout. Unlike the kernel's 1 s initial RTO (RFC 6298), which
// sends a single SYN within the sub-second connect_timeouts checks use,
// every attempt gets two spare copies, each still given a third of the
// timeout to be answered. Zero: no retransmits.
Duration synResendDelay(Duration attemptTimeout);

class TcpSynProbe final : public Probe, private SynSender::Client {
 public:
  // `sender` outlives the probe (the worker's probe factory holds it);
  // `attemptTimeout` is the checker's (connect_timeout).
  TcpSynProbe(EventLoop& loop, SynSender& sender, const config::ProbeTarget& target,
              Duration attemptTimeout);
  ~TcpSynProbe() override;

  void start(Done done) override;
  // The prober counts a timeout for AbortReason::Timeout only: the checker
  // knows why it gives up (a timeout judged after its late-timeout grace
  // comes later than attemptTimeout; a stop may come after it too).
  void abort(AbortReason reason) override;

 private:
  void onSynVerdict(SynVerdict verdict, int sendError) override;
  void onResendDue();

  EventLoop& loop_;
  SynSender& sender_;
  config::ProbeTarget target_;
  Duration resendDelay_;
  std::unique_ptr<Timer> resendTimer_;
  int copiesSent_ = 0;
  SynSender::Handle inFlight_;
  Done done_;
};

}  // namespace vigil::check
