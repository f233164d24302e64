#include "feature_migrations.h"

namespace zhaoyin::store {

// Long-term validation (docs/SEALS.md): the revocation evidence that proved a
// seal signature's certificates good when it was made — the certificates of
// the signer's and the seal maker's paths and their issuers' CRLs — kept with
// the signature so it can be validated at its time-stamp's genTime after the
// certificates expire and the CRLs are superseded. Keyed by SM3 of the
// SES_Signature's signature value (the bytes the RFC 3161 time-stamp covers).
Migration signature_evidence_migration() {
  return {18,
          "seal signatures: revocation evidence for validation at a past time",
          {
              "CREATE TABLE signature_evidence ("
              " signature_sm3 VARCHAR(64) PRIMARY KEY,"
              " task_id VARCHAR(64) NOT NULL,"
              " certificates TEXT NOT NULL,"
              " crls TEXT NOT NULL,"
              " captured_at BIGINT NOT NULL)",
          }};
}

}  // namespace zhaoyin::store
