#pragma once
// Runs `zhaoyin authority serve DIR --port N` on a free loopback port for a
// test, waits for its "ready" log line, and stops it (SIGTERM) when the object
// dies; plus a small HTTP client for it.
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>

#include <map>
#include <sstream>
#include "host_process.h"

namespace zhaoyin::test {

class AuthorityProcess {
 public:
  // sandbox_port: the port of the sandbox's authority URL, which the service
  // then listens on by itself (no --port); 0 picks a free one and passes it.
  // extra: further arguments for serve (e.g. --tls-cert FILE --tls-key FILE).
  explicit AuthorityProcess(const fs::path& sandbox_dir, int sandbox_port = 0, const std::vector<std::string>& extra = {})
      : port_(sandbox_port != 0 ? sandbox_port : free_loopback_port()) {
    log_path_ = sandbox_dir.parent_path() / ("authority-" + std::to_string(port_) + ".log");
    std::vector<std::string> args = {bin("zhaoyin"), "authority", "serve", sandbox_dir.string()};
    args.insert(args.end(), extra.begin(), extra.end());
    if (sandbox_port == 0) {
      args.push_back("--port");
      args.push_back(std::to_string(port_));
    }
    // A restart on the same port: the previous run's log (with its "ready"
    // line) must not be read as this one's before the child truncates it.
    std::error_code ec;
    if (fs::exists(log_path_, ec)) fs::rename(log_path_, fs::path(log_path_.string() + ".previous"), ec);
    pid_ = ::fork();
    if (pid_ == 0) {
      const int fd = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      ::dup2(fd, 1);
      ::dup2(fd, 2);
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    // Bounded by count, not a time assertion: a slow machine only loops longer.
    for (int i = 0; i < 600; ++i) {
      if (log().find("\"msg\":\"ready\"") != std::string::npos) return;
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  ~AuthorityProcess() { stop(); }
  AuthorityProcess(const AuthorityProcess&) = delete;
  AuthorityProcess& operator=(const AuthorityProcess&) = delete;

  bool ready() const { return pid_ > 0 && log().find("\"msg\":\"ready\"") != std::string::npos; }
  int port() const { return port_; }
  int pid() const { return pid_; }
  std::string url(const std::string& path = "") const { return "http://127.0.0.1:" + std::to_string(port_) + path; }
  std::string log() const { return read_file(log_path_); }
  void stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    check_no_sanitizer_report("zhaoyin authority serve (" + log_path_.string() + ")", log());
  }

 private:
  int port_;
  pid_t pid_ = -1;
  fs::path log_path_;
};

struct HttpAnswer {
  int status = 0;
  std::string content_type;
  std::string body;
  std::map<std::string, std::string> headers;
  std::string header(const std::string& name) const {
    const auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
};

inline HttpAnswer http_exchange(int port, const std::string& method, const std::string& target,
                                const std::map<std::string, std::string>& headers = {}, const std::string& body = {},
                                const std::string& content_type = {}) {
  Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
  Poco::Net::HTTPRequest request(method, target, Poco::Net::HTTPMessage::HTTP_1_1);
  for (const auto& [name, value] : headers) request.set(name, value);
  if (!content_type.empty()) request.setContentType(content_type);
  if (!body.empty() || method == "POST") request.setContentLength64(static_cast<Poco::Int64>(body.size()));
  session.sendRequest(request) << body;
  Poco::Net::HTTPResponse response;
  std::istream& in = session.receiveResponse(response);
  HttpAnswer answer;
  answer.status = response.getStatus();
  answer.content_type = response.getContentType();
  for (const auto& [name, value] : response) answer.headers[name] = value;
  std::ostringstream out;
  out << in.rdbuf();
  answer.body = out.str();
  return answer;
}

}  // namespace zhaoyin::test
