#include <zhaoyin/oidc/signing_key.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>
#include <zhaoyin/protocol/json_reader.h>
#include <zhaoyin/trust/sm3.h>

namespace zhaoyin::oidc {

namespace {

constexpr std::size_t kCoordinateBytes = 32;  // P-256

[[noreturn]] void fail(const std::string& what) {
  const unsigned long code = ERR_get_error();
  std::string message = "ES256 signing key: " + what;
  if (code != 0) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof buf);
    message += " (" + std::string(buf) + ")";
  }
  ERR_clear_error();
  throw SigningKeyError(message);
}

struct BioFree { void operator()(BIO* b) const { BIO_free(b); } };
struct BnFree { void operator()(BIGNUM* b) const { BN_free(b); } };
struct MdCtxFree { void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); } };
struct SigFree { void operator()(ECDSA_SIG* s) const { ECDSA_SIG_free(s); } };
using BioPtr = std::unique_ptr<BIO, BioFree>;
using BnPtr = std::unique_ptr<BIGNUM, BnFree>;

std::shared_ptr<EVP_PKEY> own(EVP_PKEY* key) { return std::shared_ptr<EVP_PKEY>(key, EVP_PKEY_free); }

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(n));
}

std::string coordinate(const EVP_PKEY* key, const char* name) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &raw) != 1) fail("cannot read the public key");
  BnPtr bn(raw);
  trust::Bytes out(kCoordinateBytes);
  if (BN_bn2binpad(bn.get(), out.data(), static_cast<int>(out.size())) != static_cast<int>(out.size()))
    fail("a public key coordinate does not fit 32 bytes");
  return trust::base64url_encode(out);
}

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw SigningKeyError("cannot read the OIDC signing key " + path.string());
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

SigningKey::SigningKey(std::shared_ptr<EVP_PKEY> key) : key_(std::move(key)) {
  char group[64] = {0};
  size_t len = 0;
  if (EVP_PKEY_get_base_id(key_.get()) != EVP_PKEY_EC ||
      EVP_PKEY_get_utf8_string_param(key_.get(), OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &len) != 1 ||
      std::string(group) != "prime256v1")
    throw SigningKeyError("the OIDC signing key must be an EC P-256 key");
  x_ = coordinate(key_.get(), OSSL_PKEY_PARAM_EC_PUB_X);
  y_ = coordinate(key_.get(), OSSL_PKEY_PARAM_EC_PUB_Y);
  // RFC 7638 §3.2: the required members only, in lexicographic order, no whitespace.
  const std::string canonical = R"({"crv":"P-256","kty":"EC","x":")" + x_ + R"(","y":")" + y_ + R"("})";
  kid_ = trust::base64url_encode(trust::sha256(trust::to_bytes(canonical)));
}

SigningKey SigningKey::generate() {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  if (!key) fail("cannot generate a P-256 key");
  return SigningKey(own(key));
}

SigningKey SigningKey::from_pem(std::string_view pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) fail("out of memory");
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr);
  if (!key) fail("not a PEM private key");
  return SigningKey(own(key));
}

SigningKey SigningKey::load_or_create(const std::filesystem::path& path) {
  if (std::filesystem::exists(path)) return from_pem(read_text(path));
  SigningKey fresh = generate();
  const std::string pem = fresh.private_pem();
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0) {
    if (errno == EEXIST) return from_pem(read_text(path));  // another process made it first
    throw SigningKeyError("cannot create the OIDC signing key " + path.string() + ": " + std::strerror(errno));
  }
  std::size_t written = 0;
  while (written < pem.size()) {
    const ssize_t n = ::write(fd, pem.data() + written, pem.size() - written);
    if (n <= 0) {
      ::close(fd);
      std::filesystem::remove(path);
      throw SigningKeyError("cannot write the OIDC signing key " + path.string());
    }
    written += static_cast<std::size_t>(n);
  }
  ::fsync(fd);
  ::close(fd);
  return fresh;
}

std::string SigningKey::private_pem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), key_.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1)
    fail("cannot encode the private key");
  return bio_text(bio.get());
}

std::string SigningKey::public_pem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), key_.get()) != 1) fail("cannot encode the public key");
  return bio_text(bio.get());
}

nlohmann::json SigningKey::public_jwk() const {
  return {{"kty", "EC"}, {"crv", "P-256"}, {"x", x_}, {"y", y_}, {"kid", kid_}, {"use", "sig"}, {"alg", "ES256"}};
}

trust::Bytes SigningKey::sign_es256(std::string_view data) const {
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key_.get()) != 1) fail("cannot start signing");
  size_t der_len = 0;
  const auto* bytes = reinterpret_cast<const unsigned char*>(data.data());
  if (EVP_DigestSign(ctx.get(), nullptr, &der_len, bytes, data.size()) != 1) fail("cannot size the signature");
  trust::Bytes der(der_len);
  if (EVP_DigestSign(ctx.get(), der.data(), &der_len, bytes, data.size()) != 1) fail("cannot sign");
  der.resize(der_len);

  const unsigned char* p = der.data();
  std::unique_ptr<ECDSA_SIG, SigFree> sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
  if (!sig) fail("cannot parse OpenSSL's DER signature");
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(sig.get(), &r, &s);
  trust::Bytes raw(2 * kCoordinateBytes);
  if (BN_bn2binpad(r, raw.data(), kCoordinateBytes) != kCoordinateBytes ||
      BN_bn2binpad(s, raw.data() + kCoordinateBytes, kCoordinateBytes) != kCoordinateBytes)
    fail("a signature half does not fit 32 bytes");
  return raw;
}

std::string SigningKey::sign_jwt(const nlohmann::json& claims) const {
  const nlohmann::json header = {{"alg", "ES256"}, {"typ", "JWT"}, {"kid", kid_}};
  const std::string signing_input =
      trust::base64url_encode(trust::to_bytes(header.dump())) + "." + trust::base64url_encode(trust::to_bytes(claims.dump()));
  return signing_input + "." + trust::base64url_encode(sign_es256(signing_input));
}

std::optional<nlohmann::json> SigningKey::verify_jwt(std::string_view compact) const {
  constexpr std::size_t kMaxJwt = 16 * 1024;  // our ID tokens are about 1.5 kB
  if (compact.size() > kMaxJwt) return std::nullopt;
  const auto first = compact.find('.');
  const auto second = first == std::string_view::npos ? first : compact.find('.', first + 1);
  if (second == std::string_view::npos || compact.find('.', second + 1) != std::string_view::npos) return std::nullopt;
  try {
    const auto header = protocol::read_json(trust::to_string(trust::base64url_decode(compact.substr(0, first))));
    if (!header.is_object() || header.value("alg", "") != "ES256" || header.value("kid", "") != kid_)
      return std::nullopt;
    const trust::Bytes raw = trust::base64url_decode(compact.substr(second + 1));
    if (raw.size() != 2 * kCoordinateBytes) return std::nullopt;
    const trust::Bytes der = es256_raw_to_der(raw);
    std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
    const std::string_view signing_input = compact.substr(0, second);
    const bool valid = ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key_.get()) == 1 &&
                       EVP_DigestVerify(ctx.get(), der.data(), der.size(),
                                        reinterpret_cast<const unsigned char*>(signing_input.data()),
                                        signing_input.size()) == 1;
    ERR_clear_error();
    if (!valid) return std::nullopt;
    auto claims = protocol::read_json(
        trust::to_string(trust::base64url_decode(compact.substr(first + 1, second - first - 1))));
    if (!claims.is_object()) return std::nullopt;
    return claims;
  } catch (const std::exception&) {  // malformed base64url or JSON: not ours
    ERR_clear_error();
    return std::nullopt;
  }
}

trust::Bytes es256_raw_to_der(const trust::Bytes& raw) {
  if (raw.size() != 2 * kCoordinateBytes) throw SigningKeyError("an ES256 signature is 64 bytes");
  std::unique_ptr<ECDSA_SIG, SigFree> sig(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(raw.data(), kCoordinateBytes, nullptr);
  BIGNUM* s = BN_bin2bn(raw.data() + kCoordinateBytes, kCoordinateBytes, nullptr);
  if (!sig || !r || !s || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    fail("cannot build the DER signature");
  }
  const int len = i2d_ECDSA_SIG(sig.get(), nullptr);
  if (len <= 0) fail("cannot encode the DER signature");
  trust::Bytes der(static_cast<std::size_t>(len));
  unsigned char* p = der.data();
  i2d_ECDSA_SIG(sig.get(), &p);
  return der;
}

}  // namespace zhaoyin::oidc
