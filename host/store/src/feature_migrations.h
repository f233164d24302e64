#pragma once
// Each feature's tables live in a file of their own, next to this one, and
// take a fixed place in the one ordered list (migrations.cpp). Version numbers
// are assigned here once and never change.
#include <zhaoyin/store/migrations.h>

namespace zhaoyin::store {

Migration login_migration();         // version 4: login sessions and their event log
Migration presentation_migration();  // version 5: presentation nonces, archives, public license display
Migration oidc_migration();          // version 6: OpenID Connect authorizations and codes
Migration signing_migration();       // version 8: sign tasks, seal signatures, seal usage records
Migration plugins_migration();       // version 9: plugin configuration
Migration admin_migration();         // version 10: staff accounts, sessions, audit log (migrations_admin.cpp)
Migration access_migration();        // version 11: access applications and their review trail (migrations_access.cpp)
Migration usage_migration();         // version 12: verifications counted per application and day (migrations_usage.cpp)
Migration login_renewal_migration();  // version 13: login sessions' page token and bounded renewals (migrations_login.cpp)
Migration callbacks_migration();     // version 14: callback deliveries waiting or given up (migrations_callbacks.cpp)
Migration signing_inbox_migration();  // version 16: sign tasks' bound holder, for the wallet inbox (migrations_signing.cpp)
Migration callbacks_outbox_migration();  // version 15: callbacks held in the state change's transaction (migrations_callbacks.cpp)
Migration callbacks_trace_migration();   // version 17: the trace a callback continues (migrations_callbacks.cpp)
Migration signature_evidence_migration();  // version 18: seal signatures' revocation evidence (migrations_evidence.cpp)
Migration login_same_device_migration();  // version 21: same-device logins and their return token (migrations_login.cpp)
Migration oidc_sso_migration();          // version 20: OpenID Connect provider sessions, single sign-on (migrations_oidc.cpp)
Migration catalogue_migration();         // version 19: the matters catalogue (migrations_catalogue.cpp)
Migration display_codes_migration();     // version 22: display code revocations (migrations_display.cpp)
Migration matter_functions_migration();  // version 23: functions approved per matter, 附件2 (migrations_scenarios.cpp)
Migration issued_copies_migration();     // version 24: printable copies issued, by digest (migrations_copies.cpp)
Migration seal_watch_migration();        // version 25: seal watches, seal-change feed cursor (migrations_seal_watch.cpp)
Migration declared_systems_migration();  // version 26: applications' declared 办事系统 (migrations_access.cpp)
Migration review_stages_migration();     // version 27: access review stages, amendments, versions (migrations_access.cpp)
Migration data_purpose_migration();      // version 28: applications' declared data-interface purpose (migrations_access.cpp)
Migration oidc_signing_key_migration();  // version 29: the ID-token signing key every host shares (migrations_oidc.cpp)

}  // namespace zhaoyin::store
