#pragma once

#include "check/probe.h"
#include "check/tcp_syn_prober.h"
#include "config/model_lvs.h"
#include "core/event_loop.h"

// TCP_CHECK in syn mode (tcp_check_mode syn): a half-open check. Each
// attempt sends one SYN through the loop's shared TcpSynProber: a SYN-ACK
// is up, a RST is refused, silence is left to the checker's
// connect_timeout. Never used with bind_port, bind_if or fwmark (see
// probe_factory.cpp); bindto is the SYN's source address.
namespace vigil::check {

class TcpSynProbe final : public Probe, private TcpSynProber::Client {
 public:
  // `prober` outlives the probe (the worker's probe factory holds it).
  TcpSynProbe(TcpSynProber& prober, const config::ProbeTarget& target);
  ~TcpSynProbe() override;

  void start(Done done) override;
  void abort() override;

 private:
  void onSynVerdict(SynVerdict verdict, int sendError) override;

  TcpSynProber& prober_;
  config::ProbeTarget target_;
  TcpSynProber::Handle inFlight_;
  Done done_;
};

}  // namespace vigil::check
