#pragma once
// One callback POST, over http or https, to addresses the policy has already
// checked (callback_policy.h). The transport never resolves a name: it
// connects to the given addresses in order, so what was checked is what is
// reached. TLS trusts the system CA store, or only the application's pinned CA
// when one is configured, and checks that the certificate names the URL's
// host. Redirects are never followed (the status is returned as it is), and
// connect, handshake, send and receive are each bounded by the settings'
// timeouts — and the attempt as a whole by reap_overdue(), so a receiver
// that answers one byte just inside each read timeout cannot hold a worker
// (and outlive the delivery's lease) indefinitely.
#include <Poco/Net/Context.h>
#include <Poco/Net/StreamSocket.h>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <mutex>
#include <string>
#include <utility>
#include <vector>
#include <zhaoyin/http/callback_policy.h>

namespace zhaoyin::http {

// Thrown by post() when abort_all() cut the attempt short: the host is
// stopping, and the delivery has neither failed nor succeeded.
class CallbackAborted : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct CallbackReply {
  int status = 0;
  std::string location;  // of a 3xx answer, for the log only
};

class CallbackTransport {
 public:
  explicit CallbackTransport(const CallbackSettings& settings);

  // Throws on connection, TLS and protocol errors.
  CallbackReply post(const CallbackTarget& target, const std::vector<IpAddress>& addresses,
                     const std::vector<std::pair<std::string, std::string>>& headers, const std::string& body,
                     const std::filesystem::path& pinned_ca);

  // Shuts down the connections of attempts that have run past their budget
  // (3 read timeouts after connecting); their post() then fails. The
  // dispatcher's scheduler calls it about once a second.
  void reap_overdue();
  // Shuts down every connection in flight, and any opened later (the host is
  // stopping: it should not wait for slow receivers).
  void abort_all();

 private:
  struct InFlight {
    Poco::Net::StreamSocket socket;  // shares the connection (and its descriptor) with the attempt
    std::chrono::steady_clock::time_point deadline;
    bool reaped = false;
    bool aborted = false;
  };
  class FlightGuard;
  Poco::Net::Context::Ptr context(const std::filesystem::path& pinned_ca);
  CallbackReply exchange(Poco::Net::StreamSocket& socket, const CallbackTarget& target,
                         const std::vector<std::pair<std::string, std::string>>& headers, const std::string& body,
                         const std::filesystem::path& pinned_ca);

  CallbackSettings settings_;
  std::mutex mutex_;
  // One TLS context per trust anchor (system store: ""), rebuilt when the
  // pinned file changes, so a replaced CA takes effect without a restart.
  std::map<std::string, std::pair<std::filesystem::file_time_type, Poco::Net::Context::Ptr>> contexts_;
  std::mutex flights_mutex_;
  std::map<std::uint64_t, InFlight> flights_;
  std::uint64_t next_flight_ = 0;
  bool aborting_ = false;
};

}  // namespace zhaoyin::http
