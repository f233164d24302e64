#pragma once
// The holders of each license: their SM2 keys and license certificates,
// their authorisations (with the seals they may use), the grants signed by
// the legal representative, license passwords, and revocations.
#include <string>
#include "ca_hierarchy.h"
#include "model.h"

namespace zhaoyin::sandbox {

// Fills enterprise.holders from the plan: a key and license certificate each,
// the authorisation (the legal representative's covers everything and every
// seal), a fresh license password and the wallet's path. Needs face.uscc.
void make_holders(Enterprise& enterprise, CaHierarchy& ca, TimePoint now);

// Signs the grant of every holder but the legal representative with the legal
// representative's key.
void sign_grants(Enterprise& enterprise);

// Puts on the CRL the certificates the plan says are revoked.
void apply_revocations(Enterprise& enterprise, CaHierarchy& ca, TimePoint now);

// Eight random digits: typeable on a phone, different for every holder.
std::string new_license_password();

}  // namespace zhaoyin::sandbox
