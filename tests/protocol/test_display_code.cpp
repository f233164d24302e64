// The display code's text and layout (docs/PROTOCOL.md §6.1): round trip,
// what a reader must tolerate (lower case, whitespace) and everything it must
// refuse, the label's rules, and the separation from presentation codes.
#include <catch2/catch.hpp>
#include <zhaoyin/protocol/display_code.h>
#include <zhaoyin/protocol/presentation_code.h>
#include <zhaoyin/trust/sm2.h>

using namespace zhaoyin;
using protocol::DisplayCodeError;

namespace {

protocol::DisplayCode fields(const std::string& label = "武汉市江汉区解放大道 1 号") {
  protocol::DisplayCode c;
  c.serial_hex = "6AC523ED2478EA9A2C7351E9018089FF";
  c.issued_at = 1796650000;
  c.display_id = trust::random_bytes(12);
  c.grant_digest = trust::Bytes(8, 0);
  c.label = label;
  return c;
}

}  // namespace

TEST_CASE("display code: refusals of the label") {
  CHECK_FALSE(protocol::valid_display_label(std::string(65, 'a')));
  CHECK(protocol::valid_display_label(std::string(64, 'a')));
  CHECK(protocol::valid_display_label(""));
  CHECK_FALSE(protocol::valid_display_label("a\nb"));               // C0
  CHECK_FALSE(protocol::valid_display_label("a\x7f"));              // DEL
  CHECK_FALSE(protocol::valid_display_label("a\xc2\x85"));          // C1 (NEL)
  CHECK_FALSE(protocol::valid_display_label("\xc0\xaf"));           // overlong '/'
  CHECK_FALSE(protocol::valid_display_label("\xed\xa0\x80"));       // surrogate
  CHECK_FALSE(protocol::valid_display_label("\xe7\xbd"));           // truncated 网
  CHECK_FALSE(protocol::valid_display_label("\xf4\x90\x80\x80"));   // beyond U+10FFFF
  CHECK(protocol::valid_display_label("网店 https://shop.example.cn/店"));
  auto c = fields(std::string(65, 'a'));
  const auto key = trust::Sm2Key::generate();
  CHECK_THROWS_AS(protocol::encode_display_code(c, key), std::invalid_argument);
}

TEST_CASE("display code: round trip, lower case and whitespace, and what a reader refuses") {
  const auto key = trust::Sm2Key::generate();
  auto c = fields();
  const std::string text = protocol::encode_display_code(c, key);
  CHECK(text.rfind("ZYD1", 0) == 0);
  CHECK(text.size() <= protocol::kMaxDisplayCodeText);
  const auto back = protocol::decode_display_code(text);
  CHECK(back.serial_hex == c.serial_hex);
  CHECK(back.issued_at == c.issued_at);
  CHECK(back.display_id == c.display_id);
  CHECK(back.label == c.label);
  CHECK(protocol::verify_display_signature(back, key));
  CHECK_FALSE(protocol::verify_display_signature(back, trust::Sm2Key::generate()));
  std::string lower = text;
  for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  CHECK(protocol::decode_display_code(" " + lower + "\r\n").display_id == c.display_id);

  CHECK_THROWS_AS(protocol::decode_display_code(""), DisplayCodeError);
  CHECK_THROWS_AS(protocol::decode_display_code("ZY1" + text.substr(4)), DisplayCodeError);
  CHECK_THROWS_AS(protocol::decode_display_code(text.substr(0, text.size() - 8)), DisplayCodeError);
  CHECK_THROWS_AS(protocol::decode_display_code(text + "AAAAAAAA"), DisplayCodeError);
  CHECK_THROWS_AS(protocol::decode_display_code(text.substr(0, 30) + "1" + text.substr(31)), DisplayCodeError);
  CHECK_THROWS_AS(protocol::decode_display_code("ZYD1" + std::string(500, 'A')), DisplayCodeError);
  // A label with a control character, signed or not, does not decode.
  auto bad = fields("ok");
  bad.signature = trust::Bytes(64, 1);
  std::string t = bad.text();
  auto raw = *protocol::base32_decode(t.substr(4));
  raw[raw.size() - 64 - 1] = '\n';  // the label's last byte
  CHECK_THROWS_AS(protocol::decode_display_code("ZYD1" + protocol::base32_encode(raw)), DisplayCodeError);
}

TEST_CASE("display code: a presentation code's signature does not verify as a display code and the kinds do not decode as each other") {
  const auto key = trust::Sm2Key::generate();
  auto d = fields("");
  const std::string display = protocol::encode_display_code(d, key);
  protocol::PresentationCode p;
  p.serial_hex = d.serial_hex;
  p.issued_at = d.issued_at;
  p.nonce = trust::random_bytes(12);
  p.grant_digest = d.grant_digest;
  const std::string presentation = protocol::encode_presentation_code(p, key);
  auto forged = d;
  forged.signature = p.signature;
  CHECK_FALSE(protocol::verify_display_signature(forged, key));
  CHECK_THROWS_AS(protocol::decode_display_code(presentation), DisplayCodeError);
  CHECK_THROWS_AS(protocol::decode_presentation_code(display), protocol::PresentationCodeError);
}
