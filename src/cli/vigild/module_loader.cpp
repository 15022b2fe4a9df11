#include "cli/vigild/module_loader.h"

#include <dlfcn.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <string_view>

#include "module_build.h"

namespace vigil::cli {

std::vector<std::string> moduleCandidates(const std::string& executable, const std::string& file) {
  const std::filesystem::path dir = std::filesystem::path(executable).parent_path();
  return {(dir / file).string(), (dir.parent_path() / "lib" / "vigil" / file).string()};
}

const char* moduleBuild() { return VIGIL_MODULE_BUILD; }

Status checkModuleBuild(const ModuleSpec& module, const std::string& path, const char* build) {
  if (build == nullptr) {
    return Error{ELIBBAD, fmt::format("{} exports no {}: it is from another build than this vigild "
                                      "(build {}), not loaded",
                                      path, module.buildSymbol, moduleBuild())};
  }
  if (std::string_view(build) != moduleBuild()) {
    return Error{ELIBBAD, fmt::format("{} is from build {}, this vigild from build {}: not loaded "
                                      "(install the {} built with this vigild)",
                                      path, build, moduleBuild(), module.file)};
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

}  // namespace

Result<void*> loadModuleAt(const ModuleSpec& module, const std::string& path) {
  void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) return Error{ELIBBAD, fmt::format("cannot load {}: {}", path, dlerror())};
  // Before the entry is called: a module from another build may lay out
  // vigil's classes differently, and would crash rather than fail.
  const auto* build = static_cast<const char*>(::dlsym(handle, module.buildSymbol));
  void* entry = ::dlsym(handle, module.entrySymbol);
  Status usable = checkModuleBuild(module, path, build);
  if (usable && entry == nullptr) {
    usable = Error{ELIBBAD, fmt::format("{} has no {}", path, module.entrySymbol)};
  }
  if (!usable) {
    // Refused, but deliberately not dlclose()d: dlopen() already ran the
    // module's constructors and those of its libraries (net-snmp, libperl,
    // krb5; libcurl, GnuTLS), which may have registered atexit or
    // thread-exit handlers; unmapping them would leave those pointing at
    // nothing and crash the daemon later. The handle is leaked: the caller
    // caches the failure and never loads the module again, so this happens
    // at most once per module per process.
    return usable.error();
  }
  return entry;
}

Result<void*> loadModuleEntry(const ModuleSpec& module) {
  auto exe = ownExecutable();
  if (!exe) return exe.error();
  const std::vector<std::string> candidates = moduleCandidates(*exe, module.file);
  for (const std::string& path : candidates) {
    if (::access(path.c_str(), F_OK) == 0) return loadModuleAt(module, path);
  }
  return Error{ENOENT, fmt::format("{} is neither at {} nor at {}", module.file, candidates[0],
                                   candidates[1])};
}

}  // namespace vigil::cli
