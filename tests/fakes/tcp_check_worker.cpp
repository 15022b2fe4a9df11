#include "fakes/tcp_check_worker.h"

#include "check/probe_factory.h"
#include "config/loader.h"

namespace vigil::fakes {

std::string tcpCheckConfigText(size_t servers) {
  std::string text =
      "global_defs {\n dataplane none\n}\n"
      "virtual_server 10.79.0.100 9000 {\n delay_loop 1\n lb_algo rr\n lb_kind DR\n"
      " protocol TCP\n";
  for (size_t i = 0; i < servers; ++i) {
    text += " real_server 10.78." + std::to_string(i / 250) + "." + std::to_string(i % 250 + 1) +
            " 9000 {\n  TCP_CHECK {\n   connect_timeout 1\n   retry 0\n  }\n }\n";
  }
  return text + "}\n";
}

std::unique_ptr<check::CheckWorker> makeTcpCheckWorker(EventLoop& loop, check::TcpSocketPool& pool,
                                                       const std::string& configText) {
  auto loaded = config::loadConfigText("scale.conf", configText, config::LoadOptions{});
  if (loaded.config == nullptr) return nullptr;
  std::shared_ptr<const config::Config> config = std::move(loaded.config);
  check::CheckWorkerIo io;
  io.makeProbe = [&loop, &pool](const config::Checker& checker) {
    check::ProbeDeps deps;
    deps.tcpPool = &pool;
    auto probe = check::makeProbe(loop, checker, deps);
    if (!probe) return check::ProbeSpec{nullptr, {}, probe.error().describe()};
    return check::ProbeSpec{std::move(*probe), check::attemptTimeout(checker), {}};
  };
  return std::make_unique<check::CheckWorker>(
      loop, config, 1, [config](uint64_t) { return config; }, std::move(io));
}

}  // namespace vigil::fakes
