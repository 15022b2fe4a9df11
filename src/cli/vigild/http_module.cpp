#include "cli/vigild/http_module.h"

#include "check/unavailable_probe.h"
#include "core/log.h"

namespace vigil::cli {

Result<std::unique_ptr<check::HttpProbeMaker>> loadHttpModule(EventLoop& loop) {
  auto entry = loadModuleEntry(kHttpModule);
  if (!entry) return entry.error();
  auto create = reinterpret_cast<check::HttpModuleEntry>(*entry);
  return std::unique_ptr<check::HttpProbeMaker>(create(loop));
}

std::unique_ptr<check::Probe> LazyHttpModule::makeHttpProbe(
    const config::Checker& checker, std::shared_ptr<const config::SslContext> ssl) {
  if (!loaded_ && !failure_) {
    auto loaded = load_();
    if (loaded) {
      loaded_ = std::move(*loaded);
    } else {
      failure_ = loaded.error().message;
      log(LogLevel::Error,
          "check worker: HTTP_GET and SSL_GET cannot run: {}; they fail as internal errors",
          *failure_);
    }
  }
  if (loaded_) return loaded_->makeHttpProbe(checker, std::move(ssl));
  return std::make_unique<check::UnavailableProbe>(loop_, "HTTP module not loaded: " + *failure_);
}

std::optional<check::ModuleLoad> LazyHttpModule::load() const {
  if (!loaded_ && !failure_) return std::nullopt;
  return check::ModuleLoad{kHttpModule.file, loaded_ != nullptr, failure_.value_or("")};
}

}  // namespace vigil::cli
