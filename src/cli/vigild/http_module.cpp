#include "cli/vigild/http_module.h"

#include <dlfcn.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <string_view>

#include "check/unavailable_probe.h"
#include "core/log.h"
#include "http_module_build.h"

namespace vigil::cli {

std::vector<std::string> httpModuleCandidates(const std::string& executable) {
  const std::filesystem::path dir = std::filesystem::path(executable).parent_path();
  return {(dir / kHttpModuleFile).string(),
          (dir.parent_path() / "lib" / "vigil" / kHttpModuleFile).string()};
}

const char* httpModuleBuild() { return VIGIL_HTTP_MODULE_BUILD; }

Status checkHttpModuleBuild(const std::string& path, const char* moduleBuild) {
  if (moduleBuild == nullptr) {
    return Error{ELIBBAD, fmt::format("{} exports no {}: it is from another build than this vigild "
                                      "(build {}), not loaded",
                                      path, check::kHttpModuleBuildName, httpModuleBuild())};
  }
  if (std::string_view(moduleBuild) != httpModuleBuild()) {
    return Error{ELIBBAD, fmt::format("{} is from build {}, this vigild from build {}: not loaded "
                                      "(install the vigil-http.so built with this vigild)",
                                      path, moduleBuild, httpModuleBuild())};
  }
  return {};
}

namespace {

Result<std::string> ownExecutable() {
  std::error_code error;
  std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", error);
  if (error) return Error{error.value(), "cannot read /proc/self/exe: " + error.message()};
  return exe.string();
}

Result<std::unique_ptr<check::HttpProbeMaker>> loadFrom(const std::string& path, EventLoop& loop) {
  // Never closed: the maker's code, and libcurl's global state, live there
  // for as long as the worker does.
  void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) return Error{ELIBBAD, fmt::format("cannot load {}: {}", path, dlerror())};
  // Before the entry is called: a module from another build may lay out
  // vigil's classes differently, and would crash rather than fail.
  const auto* build = static_cast<const char*>(::dlsym(handle, check::kHttpModuleBuildName));
  if (Status same = checkHttpModuleBuild(path, build); !same) return same.error();
  auto entry =
      reinterpret_cast<check::HttpModuleEntry>(::dlsym(handle, check::kHttpModuleEntryName));
  if (entry == nullptr) {
    return Error{ELIBBAD, fmt::format("{} has no {}", path, check::kHttpModuleEntryName)};
  }
  return std::unique_ptr<check::HttpProbeMaker>(entry(loop));
}

}  // namespace

Result<std::unique_ptr<check::HttpProbeMaker>> loadHttpModule(EventLoop& loop) {
  auto exe = ownExecutable();
  if (!exe) return exe.error();
  const std::vector<std::string> candidates = httpModuleCandidates(*exe);
  for (const std::string& path : candidates) {
    if (::access(path.c_str(), F_OK) == 0) return loadFrom(path, loop);
  }
  return Error{ENOENT, fmt::format("{} is neither at {} nor at {}", kHttpModuleFile, candidates[0],
                                   candidates[1])};
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

}  // namespace vigil::cli
