#pragma once
// A plain TCP client for the edge tests: it can bind its own loopback source
// address (127.0.0.0/8 is all local on Linux, so 127.0.0.2 is "another
// client" to the host), send arbitrary bytes, and read until the host closes.
// Waits are bounded generously and never asserted on: a slow machine only
// makes them longer.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>
#include <string>
#include <string_view>

namespace zhaoyin::test {

class RawClient {
 public:
  RawClient(int port, const std::string& source = "127.0.0.1") {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) throw std::runtime_error("socket failed");
    sockaddr_in local{};
    local.sin_family = AF_INET;
    ::inet_pton(AF_INET, source.c_str(), &local.sin_addr);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0)
      throw std::runtime_error("cannot bind " + source);
    sockaddr_in remote{};
    remote.sin_family = AF_INET;
    remote.sin_port = htons(static_cast<std::uint16_t>(port));
    ::inet_pton(AF_INET, "127.0.0.1", &remote.sin_addr);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&remote), sizeof remote) != 0)
      throw std::runtime_error("cannot connect to port " + std::to_string(port));
  }
  ~RawClient() { if (fd_ >= 0) ::close(fd_); }
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  // False once the host has closed (or reset) the connection.
  bool send(std::string_view bytes) {
    while (!bytes.empty()) {
      const auto n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  // Ends what this client sends (the host reads an end of stream).
  void finish_sending() { ::shutdown(fd_, SHUT_WR); }

  // Whether bytes (or the end of the stream) arrive within `wait`.
  bool readable(std::chrono::milliseconds wait) {
    pollfd p{fd_, POLLIN, 0};
    return ::poll(&p, 1, static_cast<int>(wait.count())) > 0;
  }

  // Reads until the host closes the connection; `closed()` tells whether it
  // did within `bound`.
  std::string read_until_closed(std::chrono::seconds bound = std::chrono::seconds(120)) {
    std::string data;
    const auto until = std::chrono::steady_clock::now() + bound;
    char buffer[4096];
    while (std::chrono::steady_clock::now() < until) {
      if (!readable(std::chrono::milliseconds(200))) continue;
      const auto n = ::recv(fd_, buffer, sizeof buffer, 0);
      if (n <= 0) {
        closed_ = true;
        break;
      }
      data.append(buffer, static_cast<std::size_t>(n));
    }
    return data;
  }

  // Reads until `data` holds `count` whole responses with Content-Length bodies.
  std::string read_responses(int count, std::chrono::seconds bound = std::chrono::seconds(120)) {
    std::string data;
    const auto until = std::chrono::steady_clock::now() + bound;
    char buffer[4096];
    while (std::chrono::steady_clock::now() < until && complete_responses(data) < count) {
      if (!readable(std::chrono::milliseconds(200))) continue;
      const auto n = ::recv(fd_, buffer, sizeof buffer, 0);
      if (n <= 0) {
        closed_ = true;
        break;
      }
      data.append(buffer, static_cast<std::size_t>(n));
    }
    return data;
  }

  bool closed() const { return closed_; }

 private:
  static int complete_responses(const std::string& data) {
    int count = 0;
    std::size_t at = 0;
    while (true) {
      const auto end = data.find("\r\n\r\n", at);
      if (end == std::string::npos) return count;
      const auto head = data.substr(at, end - at);
      const auto cl = head.find("Content-Length: ");
      const std::size_t length = cl == std::string::npos ? 0 : std::stoul(head.substr(cl + 16));
      if (data.size() < end + 4 + length) return count;
      ++count;
      at = end + 4 + length;
    }
  }

  int fd_ = -1;
  bool closed_ = false;
};

// The status code of the first response in `raw` (0 if none).
inline int status_of(const std::string& raw) {
  if (raw.rfind("HTTP/1.", 0) != 0 || raw.size() < 12) return 0;
  return std::atoi(raw.substr(9, 3).c_str());
}

// The body of the first response in `raw` (everything after its head).
inline std::string body_of(const std::string& raw) {
  const auto end = raw.find("\r\n\r\n");
  return end == std::string::npos ? std::string() : raw.substr(end + 4);
}

}  // namespace zhaoyin::test
