#include <zhaoyin/http/edge/connection.h>

#include <Poco/Net/HTTPResponse.h>
#include <sys/socket.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

namespace zhaoyin::http::edge {

Connection::~Connection() {
  if (fd >= 0) ::close(fd);
  limiter_.release(peer);
}

std::string error_response(int status, const std::string& code, const std::string& message) {
  const std::string body = nlohmann::json{{"error", {{"code", code}, {"message", message}}}}.dump(
      -1, ' ', false, nlohmann::json::error_handler_t::replace);
  const auto reason = Poco::Net::HTTPResponse::getReasonForStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
  return "HTTP/1.1 " + std::to_string(status) + " " + reason +
         "\r\n"
         "Content-Type: application/json; charset=utf-8\r\n"
         "Content-Length: " +
         std::to_string(body.size()) +
         "\r\n"
         "Cache-Control: no-store\r\n"
         "Connection: close\r\n"
         "\r\n" +
         body;
}

void send_now(int fd, const std::string& bytes) {
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    const auto n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n <= 0) return;  // full or gone: the client loses the explanation, not the server a thread
    sent += static_cast<std::size_t>(n);
  }
}

}  // namespace zhaoyin::http::edge
