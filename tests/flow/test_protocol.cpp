// Encodings both the wallet and the host rely on: canonical JSON, RFC 3339
// times, base32, the presentation code and signed wallet messages.
#include <catch2/catch.hpp>
#include <zhaoyin/protocol/canonical_json.h>
#include <zhaoyin/protocol/grant.h>
#include <zhaoyin/protocol/presentation_code.h>
#include <zhaoyin/protocol/wallet_messages.h>
#include <zhaoyin/render/qr.h>
#include <zhaoyin/trust/sm2.h>

using namespace zhaoyin;
using nlohmann::json;

namespace {
protocol::PresentationCode sample_code() {
  protocol::PresentationCode c;
  c.serial_hex = "5A1B2C3D4E5F60718293A4B5C6D7E8F9";
  c.issued_at = 1795000000;
  c.validity = 120;
  c.nonce = trust::random_bytes(12);
  c.grant_digest = trust::Bytes(8, 0);
  return c;
}
}  // namespace

TEST_CASE("canonical JSON sorts keys, drops whitespace and keeps UTF-8", "[protocol]") {
  const json j = json::parse(R"({ "b": 1, "a": {"z": "电子政务/税务", "c": [1, 2]} })");
  CHECK(protocol::canonical_json(j) == R"({"a":{"c":[1,2],"z":"电子政务/税务"},"b":1})");
}

TEST_CASE("RFC 3339 times round-trip and malformed ones are refused", "[protocol]") {
  const auto t = protocol::parse_rfc3339("2026-11-23T09:58:00Z");
  REQUIRE(t);
  CHECK(protocol::rfc3339(*t) == "2026-11-23T09:58:00Z");
  CHECK(protocol::parse_rfc3339("2026-11-23T09:58:00.250Z") == t);
  for (const char* bad : {"2026-11-23 09:58:00Z", "2026-11-23T09:58:00", "2026-02-31T00:00:00Z",
                          "2026-11-23T09:58:00+08:00", "", "2026-13-01T00:00:00Z"})
    CHECK_FALSE(protocol::parse_rfc3339(bad));
}

TEST_CASE("RFC 3339 times the clock cannot hold are refused, not overflowed", "[protocol]") {
  // Found by fuzz/targets/canonical_json.cpp (UBSan: signed overflow in
  // from_time_t): system_clock's nanoseconds end in 2262 and begin in 1677.
  CHECK_FALSE(protocol::parse_rfc3339("3026-11-23T10:00:20.123Z"));
  CHECK_FALSE(protocol::parse_rfc3339("9999-12-31T23:59:59Z"));
  CHECK_FALSE(protocol::parse_rfc3339("1600-01-01T00:00:00Z"));
  CHECK(protocol::parse_rfc3339("2262-01-01T00:00:00Z"));
  CHECK(protocol::parse_rfc3339("1700-01-01T00:00:00Z"));
}

TEST_CASE("base32 follows RFC 4648 and refuses stray characters", "[protocol]") {
  CHECK(protocol::base32_encode(trust::to_bytes("foobar")) == "MZXW6YTBOI");
  CHECK(protocol::base32_encode(trust::to_bytes("f")) == "MY");
  CHECK(protocol::base32_decode("MZXW6YTBOI") == trust::to_bytes("foobar"));
  CHECK_FALSE(protocol::base32_decode("MZXW6YTBO1"));  // 1 is not in the alphabet
  CHECK_FALSE(protocol::base32_decode("MZ"));          // non-zero padding bits
}

TEST_CASE("a presentation code round-trips, verifies and fits a version-10-M QR code", "[protocol]") {
  const auto key = trust::Sm2Key::generate();
  auto code = sample_code();
  const std::string text = protocol::encode_presentation_code(code, key);
  CHECK(text.rfind("ZY1", 0) == 0);
  CHECK(text.size() < 311);  // alphanumeric capacity of version 10-M
  for (const char c : text) CHECK(((c >= 'A' && c <= 'Z') || (c >= '2' && c <= '7') || c == '1'));
  CHECK(render::encode_qr(text, render::QrLevel::M).version <= 10);

  const auto back = protocol::decode_presentation_code(text);
  CHECK(back.serial_hex == code.serial_hex);
  CHECK(back.issued_at == code.issued_at);
  CHECK(back.validity == 120);
  CHECK(back.nonce == code.nonce);
  CHECK(back.grant_digest == code.grant_digest);
  CHECK(protocol::verify_presentation_signature(back, key));
  CHECK_FALSE(protocol::verify_presentation_signature(back, trust::Sm2Key::generate()));

  // A scanner gun with Caps Lock inverted, and a trailing Enter, still read the same code.
  std::string lower = text;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  CHECK(protocol::decode_presentation_code(lower + "\r\n").nonce == code.nonce);
}

TEST_CASE("a presentation code with any field changed no longer verifies", "[protocol]") {
  const auto key = trust::Sm2Key::generate();
  auto code = sample_code();
  protocol::encode_presentation_code(code, key);
  auto later = code;
  later.issued_at += 600;  // someone stretches the validity window
  CHECK_FALSE(protocol::verify_presentation_signature(later, key));
  auto other = code;
  other.serial_hex = "5A1B2C3D4E5F60718293A4B5C6D7E8FA";
  CHECK_FALSE(protocol::verify_presentation_signature(other, key));
}

TEST_CASE("malformed presentation codes are refused with a reason", "[protocol]") {
  const auto key = trust::Sm2Key::generate();
  auto code = sample_code();
  const std::string text = protocol::encode_presentation_code(code, key);
  using protocol::PresentationCodeError;
  CHECK_THROWS_AS(protocol::decode_presentation_code("XY1" + text.substr(3)), PresentationCodeError);
  CHECK_THROWS_AS(protocol::decode_presentation_code(text.substr(0, text.size() - 8)), PresentationCodeError);
  CHECK_THROWS_AS(protocol::decode_presentation_code(text + "AAAAAAAA"), PresentationCodeError);
  CHECK_THROWS_AS(protocol::decode_presentation_code(text.substr(0, 40) + "0" + text.substr(41)),
                  PresentationCodeError);
  CHECK_THROWS_AS(protocol::decode_presentation_code(""), PresentationCodeError);
  CHECK_THROWS_AS(protocol::decode_presentation_code(std::string(1000, 'A')), PresentationCodeError);
  auto bad = sample_code();
  bad.validity = 0;
  CHECK_THROWS_AS(protocol::encode_presentation_code(bad, key), std::invalid_argument);
}

TEST_CASE("wallet messages are signed over their canonical form", "[protocol]") {
  const auto key = trust::Sm2Key::generate();
  json message = {{"type", "login"}, {"nonce", protocol::new_nonce()}, {"matter", "电子政务/税务/发票申领"}};
  const std::string sig = protocol::sign_message(message, key);
  // Key order in the sender's object does not matter: the canonical bytes are signed.
  const json reordered = json::parse(R"({"matter":"电子政务/税务/发票申领","type":"login","nonce":)" +
                                     json(message["nonce"]).dump() + "}");
  CHECK(protocol::verify_message(reordered, sig, key));
  message["matter"] = "电子政务/税务";
  CHECK_FALSE(protocol::verify_message(message, sig, key));
  CHECK_FALSE(protocol::verify_message(message, "not base64!", key));
  CHECK_FALSE(protocol::verify_message(reordered, sig, trust::Sm2Key::generate()));
}

TEST_CASE("the ticket is read from a wallet request URL only", "[protocol]") {
  CHECK(protocol::ticket_from_qr_text("http://127.0.0.1:8080/wallet/v1/requests/AbC-_12") == "AbC-_12");
  CHECK(protocol::ticket_from_qr_text("https://rp.example/wallet/v1/requests/xyz\n") == "xyz");
  CHECK_FALSE(protocol::ticket_from_qr_text("http://h/wallet/v1/requests/"));
  CHECK_FALSE(protocol::ticket_from_qr_text("http://h/wallet/v1/requests/a/b"));
  CHECK_FALSE(protocol::ticket_from_qr_text("http://h/wallet/v1/requests/a?b=1"));
  CHECK_FALSE(protocol::ticket_from_qr_text("ZY1ABCDEF"));
  CHECK(protocol::new_ticket() != protocol::new_ticket());
  CHECK(protocol::new_ticket().size() == 22);
}

TEST_CASE("the grant digest of no grant is eight zero bytes", "[protocol]") {
  CHECK(protocol::grant_digest(json(nullptr)) == trust::Bytes(8, 0));
  const json grant = {{"payload", trust::base64url_encode(trust::to_bytes("{}"))}};
  CHECK(protocol::grant_digest(grant).size() == 8);
  CHECK(protocol::grant_digest(grant) != trust::Bytes(8, 0));
  CHECK_THROWS(protocol::grant_digest(json::object()));
}
