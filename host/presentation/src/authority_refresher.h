#pragma once
// Re-reads the authority's records (new CRLs above all) at a fixed interval,
// so a revocation reaches verifications and the public license pages without
// a restart. Nothing else in the host reloads the connector.
//
// The interval is the host's authority.refresh_seconds (default 60 s).
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <zhaoyin/authority/connector.h>
#include <zhaoyin/http/log.h>

namespace zhaoyin::presentation {

class AuthorityRefresher {
 public:
  AuthorityRefresher(std::weak_ptr<authority::AuthorityConnector> authority, std::shared_ptr<http::JsonLog> log,
                     std::chrono::seconds interval);
  ~AuthorityRefresher();  // stops and joins the thread
  AuthorityRefresher(const AuthorityRefresher&) = delete;
  AuthorityRefresher& operator=(const AuthorityRefresher&) = delete;

 private:
  void run();
  std::weak_ptr<authority::AuthorityConnector> authority_;
  std::shared_ptr<http::JsonLog> log_;
  std::chrono::seconds interval_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace zhaoyin::presentation
