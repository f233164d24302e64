#pragma once
// The relying party a flow verifies for, as the stored application describes
// it (one place, for login, presentation and signing alike).
#include <zhaoyin/store/application_repository.h>
#include <zhaoyin/verification/subject_verifier.h>

namespace zhaoyin::verification {

inline RelyingParty relying_party_of(const store::Application& app) {
  RelyingParty rp;
  rp.client_id = app.client_id;
  rp.name = app.name;
  rp.department = app.department;
  rp.scope = app.scope;
  rp.province = app.province;
  rp.matters = app.matters;
  return rp;
}

}  // namespace zhaoyin::verification
