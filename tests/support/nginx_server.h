#pragma once
// A private nginx in front of test hosts: 127.0.0.1 on a free port (chosen at
// construction, so hosts can be told their public URL before nginx starts),
// round-robin over the upstream ports, everything (prefix, pid, logs, temp
// paths) in a TempDir, run as a non-daemon child and stopped in the
// destructor. Buffering is off and read timeouts are long so long-polls and
// SSE streams pass through as they are.
#include <csignal>
#include <fcntl.h>
#include <stdexcept>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include "host_process.h"
#include "test_support.h"

namespace zhaoyin::test {

class NginxServer {
 public:
  NginxServer() : port_(free_loopback_port()) {}
  ~NginxServer() { stop(); }
  NginxServer(const NginxServer&) = delete;
  NginxServer& operator=(const NginxServer&) = delete;

  int port() const { return port_; }
  int pid() const { return pid_; }  // the master (its workers are its children); -1 when stopped
  std::string url(const std::string& path = "") const { return "http://127.0.0.1:" + std::to_string(port_) + path; }
  const fs::path& prefix() const { return dir_.path(); }
  std::string error_log() const { return read_file(dir_.path() / "logs" / "error.log"); }
  std::string access_log() const { return read_file(dir_.path() / "logs" / "access.log"); }

  // The configuration nginx runs with (also what docs/DEPLOY.md shows).
  std::string config(const std::vector<int>& upstream_ports) const {
    const std::string p = dir_.path().string();
    std::string c;
    if (::geteuid() == 0) c += "user root;\n";  // workers must reach the temp paths in the TempDir
    c += "daemon off;\nmaster_process on;\nworker_processes 1;\n";
    c += "pid " + p + "/nginx.pid;\nerror_log " + p + "/logs/error.log warn;\n";
    c += "events { worker_connections 1024; }\n";
    c += "http {\n";
    c += "  access_log " + p + "/logs/access.log;\n";
    c += "  client_body_temp_path " + p + "/temp/body;\n  proxy_temp_path " + p + "/temp/proxy;\n";
    c += "  fastcgi_temp_path " + p + "/temp/fastcgi;\n  uwsgi_temp_path " + p + "/temp/uwsgi;\n";
    c += "  scgi_temp_path " + p + "/temp/scgi;\n";
    c += "  upstream zhaoyin {\n";
    for (int up : upstream_ports) c += "    server 127.0.0.1:" + std::to_string(up) + " max_fails=1 fail_timeout=2s;\n";
    c += "    keepalive 32;\n  }\n";
    c += "  server {\n    listen 127.0.0.1:" + std::to_string(port_) + ";\n    server_name zhaoyin.test;\n";
    c += "    client_max_body_size 64m;\n";
    c += "    location / {\n";
    c += "      proxy_pass http://zhaoyin;\n";
    c += "      proxy_http_version 1.1;\n      proxy_set_header Connection \"\";\n";
    c += "      proxy_set_header Host $server_name;\n";  // never the client's Host (config/deploy/nginx.conf)
    c += "      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n";
    c += "      proxy_set_header X-Forwarded-Proto $scheme;\n";
    c += "      proxy_buffering off;\n      proxy_request_buffering off;\n";
    c += "      proxy_read_timeout 3600s;\n      proxy_send_timeout 3600s;\n";
    c += "      proxy_connect_timeout 2s;\n";
    c += "    }\n  }\n}\n";
    return c;
  }

  // Writes the configuration and starts nginx; waits until it accepts connections.
  void start(const std::vector<int>& upstream_ports) { start_with(config(upstream_ports)); }

  // The same with a configuration of the caller's (it must listen on port(),
  // stay in the foreground and keep its files under prefix()).
  void start_with(const std::string& configuration) {
    if (pid_ > 0) return;
    for (const char* sub : {"logs", "temp", "conf"}) fs::create_directories(dir_.path() / sub);
    const auto conf = dir_.path() / "conf" / "nginx.conf";
    write_file(conf, configuration);
    const std::vector<std::string> args = {"/usr/sbin/nginx", "-p", dir_.path().string() + "/", "-c", conf.string()};
    pid_ = ::fork();
    if (pid_ == 0) {
      int fd = ::open((dir_.path() / "logs" / "stderr.log").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      ::dup2(fd, 1);
      ::dup2(fd, 2);
      std::vector<char*> argv;
      for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    for (int i = 0; i < 600; ++i) {
      if (accepts()) return;
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        throw std::runtime_error("nginx did not start:\n" + read_file(dir_.path() / "logs" / "stderr.log") +
                                 error_log());
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    throw std::runtime_error("nginx does not accept connections on port " + std::to_string(port_));
  }

  // SIGQUIT: graceful stop of master and workers.
  void stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGQUIT);
    int status = 0;
    for (int i = 0; i < 100; ++i) {
      if (::waitpid(pid_, &status, WNOHANG) == pid_) { pid_ = -1; return; }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ::kill(pid_, SIGTERM);  // long-polls still open: fast shutdown
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }

 private:
  bool accepts() const {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<std::uint16_t>(port_));
    const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    return ok;
  }

  TempDir dir_{"zhaoyin-nginx"};
  int port_;
  pid_t pid_ = -1;
};

}  // namespace zhaoyin::test
