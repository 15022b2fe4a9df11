#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>

#include "support/netns.h"
#include "support/vrrp_lab.h"

namespace vigil::test {

// One director (a LabVigild or a subclass) in its own namespace on a bridge,
// with a veth pair sx0/sx1 beside eth0 that static entries go on: the setup
// the static_ipaddress and static_routes tests share. Each test names its
// own namespaces, so tests run side by side do not collide.
template <class Director>
class StaticEntriesLab : public ::testing::Test {
 protected:
  // `sx0Address`: an address for sx0 (a static route's gateway subnet), or
  // empty for none.
  StaticEntriesLab(const char* bridgeName, const char* directorName, const LabAddresses& lab,
                   std::string sx0Address = "")
      : bridge_(bridgeName), d1_(directorName), lab_(lab), sx0Address_(std::move(sx0Address)) {}

  void SetUp() override {
    if (!runningAsRoot()) GTEST_SKIP() << "needs root for network namespaces";
    ASSERT_TRUE(bridge_.ok() && d1_.ok());
    char pattern[] = "/tmp/vigil-static-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
    ASSERT_TRUE(plugIntoBridge(bridge_, d1_, "p1", lab_.first));
    std::string sx0 =
        "ip link add sx0 type veth peer name sx1 && ip link set sx1 up && "
        "ip link set sx0 up";
    if (!sx0Address_.empty()) sx0 += " && ip addr add " + sx0Address_ + " dev sx0";
    ASSERT_EQ(d1_.exec(sx0).exitCode, 0);
    director_ = std::make_unique<Director>(d1_, dir_, "d1");
  }
  void TearDown() override {
    director_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  NetNs bridge_;
  NetNs d1_;
  LabAddresses lab_;
  std::string sx0Address_;
  std::string dir_;
  std::unique_ptr<Director> director_;
};

}  // namespace vigil::test
