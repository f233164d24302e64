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
