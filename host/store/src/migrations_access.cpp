#include "feature_migrations.h"

namespace zhaoyin::store {

// Released once it lands on main: change it only by adding a new migration.
//
// access_applications holds one 接入申请 each (host/access): the form as JSON
// (AccessForm, access::to_json), the owner (the applicant's username), the
// status of the review, and the client_id of the relying-party application
// it became on approval. client_id has no foreign key: the step that sets it
// lands before ApplicationRepository::create (and is taken back if that
// fails). access_trail is the append-only review trail; every step updates
// the status with "... WHERE status = <expected>" and appends here in the
// same transaction. Times are epoch seconds.
Migration access_migration() {
  return {11,
          "access applications and their review trail",
          {
              "CREATE TABLE access_applications ("
              " id VARCHAR(64) PRIMARY KEY,"
              " owner VARCHAR(128) NOT NULL,"
              " status VARCHAR(16) NOT NULL CHECK (status IN ('draft', 'submitted', 'accepted', 'returned',"
              " 'rejected', 'active', 'suspended', 'revoked')),"
              " form_json TEXT NOT NULL,"
              " client_id VARCHAR(128),"
              " created_at BIGINT NOT NULL,"
              " updated_at BIGINT NOT NULL)",
              "CREATE INDEX access_applications_owner ON access_applications (owner, created_at)",
              "CREATE INDEX access_applications_status ON access_applications (status, created_at)",
              "CREATE TABLE access_trail ("
              " application_id VARCHAR(64) NOT NULL REFERENCES access_applications(id) ON DELETE CASCADE,"
              " seq INTEGER NOT NULL,"
              " action VARCHAR(32) NOT NULL,"
              " from_status VARCHAR(16) NOT NULL,"
              " to_status VARCHAR(16) NOT NULL,"
              " actor VARCHAR(128) NOT NULL,"
              " role VARCHAR(16) NOT NULL,"
              " opinion TEXT NOT NULL,"
              " at BIGINT NOT NULL,"
              " PRIMARY KEY (application_id, seq))",
          }};
}

// Released once it lands on main: change it only by adding a new migration.
//
// 附件1's 办事系统 an application was approved for, as a JSON list of
// "host:port" (access::declared_endpoints, redirect/declared_hosts.h): OIDC
// redirect URIs, return URLs and callback URLs outside them are refused at
// use. Existing applications get '[]' and stay unchecked: their registered
// redirect URIs were never declared as systems, and refusing them now would
// break working relying parties. An amendment through the access review
// declares them.
Migration declared_systems_migration() {
  return {26,
          "applications: the declared business systems (办事系统) their URLs must lie on",
          {
              "ALTER TABLE applications ADD COLUMN declared_systems TEXT NOT NULL DEFAULT '[]'",
          }};
}

// Released once it lands on main: change it only by adding a new migration.
//
// The purpose (用途) an access application declared for the data interface
// (数据接口), carried into the application so every data-interface call can be
// audited and answered with it. Existing applications get '' (their purpose
// is in their access application; an amendment carries it over).
Migration data_purpose_migration() {
  return {28,
          "applications: the declared purpose of their data-interface use",
          {
              "ALTER TABLE applications ADD COLUMN data_purpose TEXT NOT NULL DEFAULT ''",
          }};
}

}  // namespace zhaoyin::store

namespace zhaoyin::store {

// Released once it lands on main: change it only by adding a new migration.
//
// The review as configurable stages, and amendments (host/access,
// review_stages.h). access_applications gains the stages of the current
// review round (review_plan, a JSON snapshot taken at submission; '' for
// applications from before, which use the configured stages), the stage it
// is at, the number of submissions, and the approved version in force.
// Applications accepted under the two-step review are past the first stage
// (受理); approved ones are version 1 of access_versions. Trail entries say
// which amendment (0: the application) and which stage they decided.
// access_amendments holds each 变更申请 with its own round; the partial
// unique index keeps at most one open per application, whatever races.
// access_provider_links are the 技术服务方确认 one-time links (only their
// SM3 is kept), tied to one review round and stage.
Migration review_stages_migration() {
  return {27,
          "access review stages, amendments, approved versions, provider sign-off links",
          {
              "ALTER TABLE access_applications ADD COLUMN review_plan TEXT NOT NULL DEFAULT ''",
              "ALTER TABLE access_applications ADD COLUMN review_stage INTEGER NOT NULL DEFAULT 0",
              "ALTER TABLE access_applications ADD COLUMN review_round INTEGER NOT NULL DEFAULT 0",
              "ALTER TABLE access_applications ADD COLUMN version INTEGER NOT NULL DEFAULT 0",
              "UPDATE access_applications SET review_stage = 1 WHERE status = 'accepted'",
              "UPDATE access_applications SET review_round = 1 WHERE status <> 'draft'",
              "UPDATE access_applications SET version = 1 WHERE client_id IS NOT NULL",
              "ALTER TABLE access_trail ADD COLUMN amendment INTEGER NOT NULL DEFAULT 0",
              "ALTER TABLE access_trail ADD COLUMN stage VARCHAR(32) NOT NULL DEFAULT ''",
              "ALTER TABLE access_trail ADD COLUMN stage_label VARCHAR(64) NOT NULL DEFAULT ''",
              "CREATE TABLE access_amendments ("
              " application_id VARCHAR(64) NOT NULL REFERENCES access_applications(id) ON DELETE CASCADE,"
              " number INTEGER NOT NULL,"
              " state VARCHAR(16) NOT NULL CHECK (state IN ('draft', 'submitted', 'returned', 'approved', 'rejected')),"
              " form_json TEXT NOT NULL,"
              " review_plan TEXT NOT NULL,"
              " review_stage INTEGER NOT NULL,"
              " review_round INTEGER NOT NULL,"
              " created_by VARCHAR(128) NOT NULL,"
              " created_at BIGINT NOT NULL,"
              " updated_at BIGINT NOT NULL,"
              " PRIMARY KEY (application_id, number))",
              "CREATE UNIQUE INDEX access_amendments_open ON access_amendments (application_id)"
              " WHERE state IN ('draft', 'submitted', 'returned')",
              "CREATE TABLE access_versions ("
              " application_id VARCHAR(64) NOT NULL REFERENCES access_applications(id) ON DELETE CASCADE,"
              " version INTEGER NOT NULL,"
              " amendment INTEGER NOT NULL,"
              " form_json TEXT NOT NULL,"
              " approved_by VARCHAR(128) NOT NULL,"
              " approved_at BIGINT NOT NULL,"
              " PRIMARY KEY (application_id, version))",
              "INSERT INTO access_versions (application_id, version, amendment, form_json, approved_by, approved_at)"
              " SELECT id, 1, 0, form_json, '', updated_at FROM access_applications WHERE client_id IS NOT NULL",
              "CREATE TABLE access_provider_links ("
              " token_hash VARCHAR(64) PRIMARY KEY,"
              " application_id VARCHAR(64) NOT NULL REFERENCES access_applications(id) ON DELETE CASCADE,"
              " amendment INTEGER NOT NULL,"
              " review_round INTEGER NOT NULL,"
              " stage VARCHAR(32) NOT NULL,"
              " minted_by VARCHAR(128) NOT NULL,"
              " created_at BIGINT NOT NULL,"
              " expires_at BIGINT NOT NULL,"
              " used_at BIGINT)",
              "CREATE INDEX access_provider_links_application ON access_provider_links (application_id)",
          }};
}

}  // namespace zhaoyin::store
