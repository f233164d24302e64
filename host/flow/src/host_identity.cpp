#include <zhaoyin/flow/host_identity.h>

#include <fstream>
#include <sstream>
#include <zhaoyin/protocol/wallet_messages.h>
#include <zhaoyin/trust/error.h>

namespace zhaoyin::flow {

namespace {
std::string read_all(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw HostIdentityError("cannot read " + file.string());
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}
}  // namespace

HostIdentity::HostIdentity(trust::Sm2Key key, std::vector<trust::Certificate> chain)
    : key_(std::move(key)), chain_(std::move(chain)) {
  if (chain_.empty()) throw HostIdentityError("the host identity needs a certificate");
  if (!key_.valid() || !key_.has_private()) throw HostIdentityError("the host identity needs a private key");
  if (!key_.same_public_key(chain_.front().public_key()))
    throw HostIdentityError("the host key does not belong to the host certificate " + chain_.front().subject_line());
}

HostIdentity HostIdentity::load(const std::filesystem::path& certificate_file, const std::filesystem::path& key_file) {
  std::vector<trust::Certificate> chain;
  trust::Sm2Key key;
  try {
    chain = trust::Certificate::bundle_from_pem(read_all(certificate_file));
  } catch (const trust::TrustError& e) {
    throw HostIdentityError(certificate_file.string() + " is not a PEM certificate: " + e.what());
  }
  try {
    key = trust::Sm2Key::from_pem(read_all(key_file));
  } catch (const trust::TrustError& e) {
    throw HostIdentityError(key_file.string() + " is not an SM2 private key: " + e.what());
  }
  return HostIdentity(std::move(key), std::move(chain));
}

nlohmann::json HostIdentity::sign(const std::string& member, const nlohmann::json& message) const {
  nlohmann::json certificates = nlohmann::json::array();
  for (const auto& c : chain_) certificates.push_back(c.pem());
  return {{member, message},
          {"signature", protocol::sign_message(message, key_)},
          {"host_certificates", certificates}};
}

}  // namespace zhaoyin::flow
