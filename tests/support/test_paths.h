#pragma once

// Where the tests find the source tree, the built binaries and their data.
// The paths are compiled into one object (test_paths.cpp) and nowhere else,
// so no other test object depends on where the tree is checked out, and
// ccache shares those objects between checkouts and worktrees.

namespace vigil::test {

const char* sourceDir();    // the top of the source tree
const char* binDir();       // where vigild, vigilctl and the modules are built
const char* testDataDir();  // tests/data

}  // namespace vigil::test

#define VIGIL_SOURCE_DIR (::vigil::test::sourceDir())
#define VIGIL_BIN_DIR (::vigil::test::binDir())
#define VIGIL_TEST_DATA (::vigil::test::testDataDir())
