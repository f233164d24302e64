// SigningKey::verify_jwt (host/oidc/src/signing_key.cpp): the id_token_hint
// anyone can send to /oidc/logout. The harness holds one fixed P-256 key and
// one token it signed. Input byte 0 even: the rest is the compact JWS as
// sent; odd: the signed token with the input's bytes written over it at the
// offset given by bytes 1-2 (so the fuzzer explores near-valid tokens).
// Properties, from RFC 7515 §5.2 and RFC 7518 §3.4 rather than the code:
//   - it never throws and never accepts more than 16 KiB;
//   - whatever it accepts has exactly the signed token's signing input
//     (header.payload as signed: any other bytes there would be a forgery)
//     and yields exactly the signed claims.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <zhaoyin/oidc/signing_key.h>

using namespace zhaoyin::oidc;

namespace {

void require(bool condition) {
  if (!condition) std::abort();
}

// A key for this harness only (made with `openssl ecparam -name prime256v1 -genkey | openssl pkcs8 -topk8 -nocrypt`).
constexpr const char* kKeyPem =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgpw5Gq4uZUOKpAASW\n"
    "4yqgG3/0Js2jzGCLLejvHtcjEiChRANCAAToCVhIWE+1DYpVFbfoF2qa9YyLhqvO\n"
    "TND4zUoop09cp7vFQh+d1bTpAx/Vr/gOH3oWUGKhScxYrSUFXDeDKaHs\n"
    "-----END PRIVATE KEY-----\n";

struct Fixture {
  SigningKey key = SigningKey::from_pem(kKeyPem);
  nlohmann::json claims = {{"iss", "https://op.example"}, {"sub", "enterprise"}, {"aud", "client"},
                           {"exp", 1700000000}, {"sid", "s1"}};
  std::string token = key.sign_jwt(claims);
  std::string signing_input = token.substr(0, token.rfind('.'));
};

const Fixture& fixture() {
  static const Fixture f;
  return f;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const Fixture& f = fixture();
  if (size == 0) return 0;
  std::string compact;
  if ((data[0] & 1) == 0) {
    compact.assign(reinterpret_cast<const char*>(data) + 1, size - 1);
  } else {
    compact = f.token;
    const std::size_t at = size >= 3 ? (static_cast<std::size_t>(data[1]) << 8 | data[2]) % (compact.size() + 1) : 0;
    for (std::size_t i = 3; i < size; ++i) {
      const std::size_t pos = at + i - 3;
      if (pos < compact.size())
        compact[pos] = static_cast<char>(data[i]);
      else
        compact += static_cast<char>(data[i]);
    }
  }
  const auto claims = f.key.verify_jwt(compact);
  if (!claims) return 0;
  require(compact.size() <= 16 * 1024);
  const auto second_dot = compact.rfind('.');
  require(second_dot != std::string::npos && compact.substr(0, second_dot) == f.signing_input);
  require(*claims == f.claims);
  return 0;
}
