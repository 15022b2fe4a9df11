// vigil-http.so: vigild's HTTP_GET and SSL_GET probes, the only code that
// needs libcurl (cli/vigild/http_module.h says why they live apart). What
// else the probes call (logging, the event loop, the checker plumbing) is
// vigild's own, which it exports to this module (CMakeLists.txt).
#include "check/curl_http_probe_maker.h"
#include "module_build.h"

// check::kHttpModuleBuildName: vigild checks it before calling the entry.
extern "C" __attribute__((visibility("default"))) const char vigil_http_module_build[] =
    VIGIL_MODULE_BUILD;

extern "C" __attribute__((visibility("default"))) vigil::check::HttpProbeMaker*
vigil_http_module_create(vigil::EventLoop& loop) {
  return new vigil::check::CurlHttpProbeMaker(loop);
}
