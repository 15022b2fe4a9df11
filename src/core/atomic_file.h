#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>

#include "core/result.h"

namespace vigil {

// Replaces `path` with `text` so that a reader (or the next run after a
// crash) sees either the old content or the new, never a part: the text is
// written to a new temporary file in the same directory (mkstemp: a unique
// name, created O_EXCL, so a stale or planted file is never followed or
// reused), fsync'd, then renamed over `path`. On any failure the temporary
// file is removed and `path` is left as it was. The file is created with
// `mode` (0600 unless said) less the process umask, as open(O_CREAT) would
// give it, set before any byte is written.
Status writeFileAtomically(const std::string& path, std::string_view text, mode_t mode = 0600);

}  // namespace vigil
