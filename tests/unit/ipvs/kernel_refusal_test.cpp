#include "ipvs/kernel/kernel_refusal.h"

#include <gtest/gtest.h>

#include <cerrno>

#include "unit/ipvs/ipvs_test_support.h"

namespace vigil::ipvs::kernel {
namespace {

using test::dest;
using test::scheduler;
using test::tcp;
using test::udp;
using test::weighted;

Error refused(int code) { return Error{code, "kernel IPVS: the op"}; }

TEST(KernelRefusal, MissingSchedulerModuleIsNamed) {
  Op add = AddService{tcp("10.0.0.1", 80), scheduler("twos")};
  Error e = explainRefusal(add, refused(ENOENT));
  EXPECT_EQ(e.code, ENOENT);
  EXPECT_EQ(e.message, "kernel IPVS: the op: this kernel has no \"twos\" scheduler (ip_vs_twos)");
  Op edit = EditService{tcp("10.0.0.1", 80), scheduler("twos")};
  EXPECT_EQ(explainRefusal(edit, refused(ENOENT)).message, e.message);
}

TEST(KernelRefusal, ServiceWithAnEngineNamesBothModules) {
  Service sip = scheduler("rr");
  sip.persistenceTimeout = 60;
  sip.persistenceEngine = "sip";
  Error e = explainRefusal(AddService{udp("10.0.0.1", 5060), sip}, refused(ENOENT));
  EXPECT_EQ(e.message,
            "kernel IPVS: the op: this kernel has no \"rr\" scheduler or no \"sip\" persistence "
            "engine (ip_vs_rr, ip_vs_pe_sip)");
}

TEST(KernelRefusal, OtherRefusalsAreUnchanged) {
  Op addService = AddService{tcp("10.0.0.1", 80), scheduler("rr")};
  EXPECT_EQ(explainRefusal(addService, refused(EEXIST)).message, "kernel IPVS: the op");
  Op addDest = AddDestination{tcp("10.0.0.1", 80), dest("10.0.0.2", 80), weighted(1)};
  Error e = explainRefusal(addDest, refused(ENOENT));
  EXPECT_EQ(e.message, "kernel IPVS: the op");
  EXPECT_EQ(e.code, ENOENT);
  Op del = DeleteService{tcp("10.0.0.1", 80)};
  EXPECT_EQ(explainRefusal(del, refused(ENOENT)).message, "kernel IPVS: the op");
}

}  // namespace
}  // namespace vigil::ipvs::kernel
