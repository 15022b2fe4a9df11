#pragma once

#include "core/result.h"
#include "ipvs/model.h"

namespace vigil::ipvs::kernel {

// The kernel's refusal of `op` (`error`, carrying its errno) with what it
// means added to the message where the errno alone would mislead: the kernel
// answers NEW_SERVICE and SET_SERVICE with ENOENT when it has no module for
// the scheduler (e.g. twos before Linux 6.2) or the persistence engine asked
// for, which strerror calls "No such file or directory". Any other refusal
// is returned unchanged.
Error explainRefusal(const Op& op, Error error);

}  // namespace vigil::ipvs::kernel
