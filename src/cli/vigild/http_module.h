#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "check/check_worker.h"
#include "check/http_probe_maker.h"
#include "cli/vigild/module_loader.h"
#include "core/event_loop.h"
#include "core/result.h"

// vigild's HTTP_GET and SSL_GET probes live in a module, vigil-http.so,
// built with vigild: the only code that needs libcurl, OpenSSL's TLS and
// PCRE2. vigild does not link them, so the supervisor, the VRRP worker and a
// check worker without HTTP checkers never map libcurl's dependency chain
// (doc/checkers.md, "The HTTP module"). A check worker loads the module the
// first time its configuration has such a checker, and keeps it loaded.
namespace vigil::cli {

// The module, found and checked as cli/vigild/module_loader.h says.
inline constexpr ModuleSpec kHttpModule{"vigil-http.so", check::kHttpModuleBuildName,
                                        check::kHttpModuleEntryName};

// Loads the module (loadModuleEntry) and returns its maker for probes on
// `loop`; or loadModuleEntry's error.
Result<std::unique_ptr<check::HttpProbeMaker>> loadHttpModule(EventLoop& loop);

// The maker a check worker hands its probe factory: loads the module on the
// first HTTP probe asked of it (`load`, once). When that fails it logs why
// once, and every HTTP probe it makes fails each attempt as Internal with
// that reason; nothing else stops.
class LazyHttpModule final : public check::HttpProbeMaker {
 public:
  using Loader = std::function<Result<std::unique_ptr<check::HttpProbeMaker>>()>;

  LazyHttpModule(EventLoop& loop, Loader load) : loop_(loop), load_(std::move(load)) {}

  std::unique_ptr<check::Probe> makeHttpProbe(
      const config::Checker& checker, std::shared_ptr<const config::SslContext> ssl) override;

  // Whether the module loaded, once a probe asked for it; none before.
  std::optional<check::ModuleLoad> load() const;

 private:
  EventLoop& loop_;
  Loader load_;
  std::unique_ptr<check::HttpProbeMaker> loaded_;
  std::optional<std::string> failure_;  // set once loading failed
};

}  // namespace vigil::cli
