#pragma once
// Imports the sandbox's demo relying-party applications (sandbox.json
// "applications") into the store, so the credentials the sandbox prints work
// against this host. Upserts by client_id; secrets are stored hashed; an
// application an operator suspended or revoked keeps that status.
#include <cstddef>
#include <stdexcept>
#include <zhaoyin/authority/sandbox_connector.h>
#include <zhaoyin/store/application_repository.h>
#include <zhaoyin/store/extension_bindings.h>

namespace zhaoyin::app {

struct ImportResult {
  std::size_t inserted = 0;
  std::size_t updated = 0;
};

// Checks every application first (scope, needs, province) and changes nothing
// if one is invalid: throws std::invalid_argument naming it.
ImportResult import_sandbox_applications(const authority::SandboxConnector& sandbox,
                                         store::ApplicationRepository& repository);

// Binds each demo application to the plugins and scripts sandbox.json lists
// for it, unless the application already has bindings of that kind (an
// operator's choice is kept). Returns how many lists it wrote.
std::size_t import_sandbox_bindings(const authority::SandboxConnector& sandbox,
                                   store::ExtensionBindingRepository& bindings);

// The store's view of one sandbox application (validated as above).
store::Application to_application(const authority::SandboxApplication& a);

}  // namespace zhaoyin::app
