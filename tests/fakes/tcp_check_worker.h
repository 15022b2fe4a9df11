#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "check/check_worker.h"
#include "check/tcp_socket_pool.h"
#include "core/event_loop.h"

namespace vigil::fakes {

// check_scale's configuration (tests/bench/check_scale): one virtual server,
// every real server with a TCP_CHECK of its own.
std::string tcpCheckConfigText(size_t servers);

// A CheckWorker over `configText` built as vigild builds it: the
// configuration loaded, TcpProbes from the worker's probe factory sharing
// `pool`. Null when the text does not load.
std::unique_ptr<check::CheckWorker> makeTcpCheckWorker(EventLoop& loop, check::TcpSocketPool& pool,
                                                       const std::string& configText);

}  // namespace vigil::fakes
