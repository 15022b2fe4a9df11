#pragma once

#include <string>
#include <string_view>

#include "core/result.h"
#include "monitor/monitor_view.h"

namespace vigil::monitor {

// keepalived writes /tmp/keepalived.data on SIGUSR1 and
// /tmp/keepalived.stats on SIGUSR2; vigild keeps the signals and the habit.
inline constexpr const char* kDataDumpPath = "/tmp/vigil.data";
inline constexpr const char* kStatsDumpPath = "/tmp/vigil.stats";

// SIGUSR1: what /status holds, for a person: the generation, the health
// verdict, each worker and the scalar fields of each VRRP instance, sync
// group, virtual server and real server its snapshot lists.
std::string renderDataDump(const MonitorView& view);

// SIGUSR2: the counters of the same objects (adverts, transitions,
// rejections, checker attempts and outcomes), one "name = value" a line.
std::string renderStatsDump(const MonitorView& view);

// Replaces the dump at `path` with `content` through core's
// writeFileAtomically, so a reader sees the old dump or the new one, never
// half of one, and a symlink planted at a /tmp path is replaced, not
// followed. The dump is 0644: an operator reads it without root, as
// keepalived's.
[[nodiscard]] Status writeStateDump(const std::string& path, std::string_view content);

}  // namespace vigil::monitor
