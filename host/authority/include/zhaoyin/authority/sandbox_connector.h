#pragma once
// The sandbox authority as a connector: reads a sandbox folder created by
// `zhaoyin sandbox init DIR` (format in docs/SANDBOX.md): sandbox.json,
// authority/*.pem, authority/crl-*.pem, authority/registry.json,
// authority/certs/<SERIAL>.pem and seals/.
//
// Everything is loaded and cross-checked when the connector is built (and on
// reload()), so a broken sandbox is refused at start-up with an AuthorityError
// naming the file, not discovered in the middle of a login.
#include <filesystem>
#include <mutex>
#include <zhaoyin/authority/connector.h>

namespace zhaoyin::authority {

// A demo relying-party application listed in sandbox.json ("applications").
// The secret is in clear text there because the sandbox hands it to the operator;
// the host stores only a hash of it.
struct SandboxApplication {
  std::string client_id;
  std::string client_secret;
  std::string name;
  std::string department;           // tax | social_insurance | real_estate | banking
  std::string scope;                // province | national
  std::string province;             // e.g. "42"
  std::vector<std::string> needs;   // login | presentation | signature
  std::vector<std::string> channels;
  std::vector<std::string> matters;
  std::int64_t annual_volume = 0;
  std::int64_t peak_rate = 0;
  std::vector<std::string> redirect_uris;  // OpenID Connect redirect URIs (optional in sandbox.json)
  std::vector<std::string> plugins;        // department plugin ids the demo app runs (optional)
  std::vector<std::string> scripts;        // Lua scripts under scripts.dir the demo app runs (optional)
};

class SandboxConnector final : public AuthorityConnector {
 public:
  // Loads the sandbox in `dir`; throws AuthorityError naming the file at fault.
  explicit SandboxConnector(std::filesystem::path dir);
  ~SandboxConnector() override;

  std::string name() const override { return "sandbox"; }
  trust::TrustStore trust_store() const override;
  std::optional<trust::Certificate> find_certificate(const std::string& serial_hex) const override;
  RevocationStatus revocation_status(const std::string& serial_hex) const override;
  std::optional<domain::FaceInfo> find_license(const std::string& uscc) const override;
  std::optional<HolderRecord> find_holder(const std::string& cert_serial_hex) const override;
  std::vector<HolderRecord> holders_of(const std::string& uscc) const override;
  std::vector<SealRecord> seals_of(const std::string& uscc) const override;
  std::optional<SealChangePage> seal_changes(std::int64_t since, std::size_t limit) const override;
  std::vector<PermitRecord> permits_of(const std::string& uscc) const override;
  std::optional<std::string> find_uscc_by_name(const std::string& name) const override;
  void reload() override;

  // Sandbox-only extras.
  const std::filesystem::path& directory() const { return dir_; }
  std::vector<SandboxApplication> applications() const;
  std::vector<std::string> enterprise_usccs() const;  // in registry order
  trust::Certificate root_certificate() const;
  trust::Certificate seal_maker_certificate() const;

  struct State;  // the loaded records (defined in the .cpp)

 private:
  std::shared_ptr<const State> state() const;

  std::filesystem::path dir_;
  mutable std::mutex mutex_;
  std::shared_ptr<const State> state_;
};

}  // namespace zhaoyin::authority
