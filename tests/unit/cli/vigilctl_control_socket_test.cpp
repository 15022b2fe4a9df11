#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include "cli/vigild/control_socket.h"
#include "core/posix_event_loop.h"

namespace vigil::cli {
namespace {

monitor::HttpRequest request(std::string method, std::string target) {
  monitor::HttpRequest r;
  r.method = std::move(method);
  r.target = std::move(target);
  return r;
}

monitor::HttpResponse routes(const monitor::HttpRequest&) {
  return monitor::HttpResponse::text(200, "routes\n");
}

class TempDir {
 public:
  TempDir() {
    char name[] = "/tmp/h11-ctl-XXXXXX";
    path_ = ::mkdtemp(name);
  }
  ~TempDir() {
    ::unlink((path_ + "/run/vigild.sock").c_str());
    ::rmdir((path_ + "/run").c_str());
    ::rmdir(path_.c_str());
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(VigilctlControlSocketTest, ReloadRunsOnPostAndReportsItsOutcome) {
  auto good = controlRoute(request("POST", "/reload"), routes, [] { return Result<uint64_t>(7); });
  EXPECT_EQ(good.status, 200);
  EXPECT_EQ(good.body, "{\"generation\":7,\"reloaded\":true}\n");
  auto bad = controlRoute(request("POST", "/reload"), routes, [] {
    return Result<uint64_t>(Error{0, "not loaded"});
  });
  EXPECT_EQ(bad.status, 500);
  EXPECT_EQ(bad.body, "{\"error\":\"not loaded\",\"reloaded\":false}\n");
  int reloads = 0;
  auto get = controlRoute(request("GET", "/reload"), routes, [&] {
    ++reloads;
    return Result<uint64_t>(1);
  });
  EXPECT_EQ(get.status, 405);
  EXPECT_EQ(reloads, 0);
  EXPECT_EQ(controlRoute(request("GET", "/status"), routes, {}).body, "routes\n");
}

TEST(VigilctlControlSocketTest, SocketIsPrivateReplacesAStaleOneAndGoesAway) {
  TempDir dir;
  const std::string path = dir.path() + "/run/vigild.sock";
  PosixEventLoop loop;
  {
    // A stale socket file: bound once, nobody listening any more.
    auto first = ControlSocket::open(loop, path, routes, {});
    ASSERT_TRUE(first) << first.error().describe();
  }
  EXPECT_NE(::access(path.c_str(), F_OK), 0) << "removed when closed";
  int stale = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::memcpy(address.sun_path, path.c_str(), path.size());
  ASSERT_EQ(::bind(stale, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ::close(stale);

  auto socket = ControlSocket::open(loop, path, routes, {});
  ASSERT_TRUE(socket) << socket.error().describe();
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat((dir.path() + "/run").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0755u);

  auto second = ControlSocket::open(loop, path, routes, {});
  EXPECT_FALSE(second) << "a live socket is not stolen";
  EXPECT_EQ(::access(path.c_str(), F_OK), 0);
}

}  // namespace
}  // namespace vigil::cli
