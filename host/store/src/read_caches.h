#pragma once
// The store's per-process caches of hot reads (recent_reads.h), one set per
// Database. Extension bindings always keep theirs for 1 s; bearer tokens and
// applications for store.credential_cache_ms (default 1000, 0 = off).
#include <chrono>
#include <string>
#include <vector>
#include <zhaoyin/store/application_repository.h>
#include <zhaoyin/store/token_repository.h>
#include "recent_reads.h"

namespace zhaoyin::store {

struct ReadCaches {
  explicit ReadCaches(std::chrono::milliseconds credential_ttl)
      : extension_bindings(std::chrono::milliseconds(1000)), tokens(credential_ttl), applications(credential_ttl) {}

  RecentReads<std::vector<std::string>> extension_bindings;  // key: kind \n client_id
  RecentReads<AccessToken> tokens;                           // key: the token's hash
  RecentReads<Application> applications;                     // key: client_id

  // After a committed change to an application or to tokens (a status, a
  // secret, a revocation): both, since rotating or revoking deletes tokens.
  void credentials_changed() {
    tokens.changed();
    applications.changed();
  }
};

}  // namespace zhaoyin::store
