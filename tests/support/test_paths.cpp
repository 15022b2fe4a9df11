#include "support/test_paths.h"

namespace vigil::test {

const char* sourceDir() { return VIGIL_SOURCE_PATH; }
const char* binDir() { return VIGIL_BIN_PATH; }
const char* testDataDir() { return VIGIL_TEST_DATA_PATH; }

}  // namespace vigil::test
