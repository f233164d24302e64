// SM2 keys and signatures: round trips, refusals, and interoperability with
// the openssl command line (an implementation that is not ours).
#include <catch2/catch.hpp>
#include <pki_fixture.h>
#include <test_support.h>
#include <zhaoyin/trust/error.h>
#include <zhaoyin/trust/sm2.h>

using namespace zhaoyin::trust;
using namespace zhaoyin::test;

namespace {

const Bytes kMessage = to_bytes("照印 SM2 test message: 统一社会信用代码 91420100MA4K2XYZ0X");

}  // namespace

TEST_CASE("a generated SM2 key signs and verifies with the default ID", "[sm2]") {
  const Sm2Key key = Sm2Key::generate();
  REQUIRE(key.valid());
  CHECK(key.has_private());
  const Bytes signature = key.sign(kMessage);
  CHECK(signature.front() == 0x30);  // DER SEQUENCE { r, s }
  CHECK(key.verify(kMessage, signature));
  CHECK(key.verify(kMessage, signature, kSm2DefaultId));
  // SM2 signatures are randomised: two signatures differ, both verify.
  const Bytes again = key.sign(kMessage);
  CHECK(again != signature);
  CHECK(key.verify(kMessage, again));
}

TEST_CASE("a signature made with an explicit ID verifies with that ID", "[sm2]") {
  const Sm2Key key = Sm2Key::generate();
  const Bytes signature = key.sign(kMessage, "ALICE123@YAHOO.COM");
  CHECK(key.verify(kMessage, signature, "ALICE123@YAHOO.COM"));
}

TEST_CASE("SM2 keys round-trip through PEM and DER", "[sm2]") {
  const Sm2Key key = Sm2Key::generate();
  const Bytes signature = key.sign(kMessage);

  const Sm2Key from_private_pem = Sm2Key::from_pem(key.private_pem());
  CHECK(from_private_pem.has_private());
  CHECK(from_private_pem.same_public_key(key));
  CHECK(key.verify(kMessage, from_private_pem.sign(kMessage)));

  const Sm2Key from_public_pem = Sm2Key::from_pem(key.public_pem());
  CHECK_FALSE(from_public_pem.has_private());
  CHECK(from_public_pem.verify(kMessage, signature));

  CHECK(Sm2Key::from_public_der(key.public_der()).verify(kMessage, signature));
  CHECK(Sm2Key::from_private_der(key.private_der()).same_public_key(key));

  const Bytes point = key.public_point();
  CHECK(point.size() == 65);
  CHECK(point[0] == 0x04);
  CHECK(from_public_pem.public_point() == point);

  CHECK(key.private_pem().find("-----BEGIN PRIVATE KEY-----") == 0);
  CHECK(key.public_pem().find("-----BEGIN PUBLIC KEY-----") == 0);
}

TEST_CASE("an encrypted private key decrypts with its password", "[sm2]") {
  const Sm2Key key = Sm2Key::generate();
  const std::string pem = key.private_pem_encrypted("correct horse 电池");
  CHECK(pem.find("-----BEGIN ENCRYPTED PRIVATE KEY-----") == 0);
  const Sm2Key loaded = Sm2Key::from_pem(pem, "correct horse 电池");
  CHECK(loaded.has_private());
  CHECK(loaded.same_public_key(key));
}

TEST_CASE("refusal: a wrong password for an encrypted key is bad_password", "[sm2][refusal]") {
  const Sm2Key key = Sm2Key::generate();
  const std::string pem = key.private_pem_encrypted("right password");
  CHECK(error_code_of([&] { Sm2Key::from_pem(pem, "wrong password"); }) == "bad_password");
  CHECK(error_code_of([&] { Sm2Key::from_pem(pem, ""); }) == "bad_password");
  CHECK(error_code_of([&] { Sm2Key::from_pem(pem, "right passwor"); }) == "bad_password");
  // The message never carries key material: it is the same fixed text each time.
  try {
    Sm2Key::from_pem(pem, "wrong password");
  } catch (const TrustError& e) {
    CHECK(std::string(e.what()) == "the password does not decrypt the key");
  }
}

TEST_CASE("refusal: a signature does not verify under a different distinguishing ID", "[sm2][refusal]") {
  const Sm2Key key = Sm2Key::generate();
  const Bytes signature = key.sign(kMessage);
  CHECK_FALSE(key.verify(kMessage, signature, "1234567812345679"));
  CHECK_FALSE(key.verify(kMessage, signature, ""));
  const Bytes with_other_id = key.sign(kMessage, "another id");
  CHECK_FALSE(key.verify(kMessage, with_other_id));
}

TEST_CASE("refusal: a flipped bit in the message breaks the signature", "[sm2][refusal]") {
  const Sm2Key key = Sm2Key::generate();
  const Bytes signature = key.sign(kMessage);
  for (std::size_t i : {std::size_t{0}, kMessage.size() / 2, kMessage.size() - 1}) {
    Bytes tampered = kMessage;
    tampered[i] ^= 0x01;
    CHECK_FALSE(key.verify(tampered, signature));
  }
  Bytes longer = kMessage;
  longer.push_back(0);
  CHECK_FALSE(key.verify(longer, signature));
}

TEST_CASE("refusal: a flipped bit anywhere in the signature breaks it", "[sm2][refusal]") {
  const Sm2Key key = Sm2Key::generate();
  const Bytes signature = key.sign(kMessage);
  for (std::size_t i = 0; i < signature.size(); ++i) {
    Bytes tampered = signature;
    tampered[i] ^= 0x80;
    INFO("byte " << i);
    CHECK_FALSE(key.verify(kMessage, tampered));
  }
}

TEST_CASE("refusal: malformed signature bytes are rejected without throwing", "[sm2][refusal]") {
  const Sm2Key key = Sm2Key::generate();
  const Bytes signature = key.sign(kMessage);
  Bytes trailing = signature;
  trailing.push_back(0x00);
  const Bytes truncated(signature.begin(), signature.end() - 1);
  const Bytes junk(72, 0xAB);
  const Bytes zeroes = {0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00};  // r = s = 0
  for (const Bytes& bad : {Bytes{}, Bytes{0x30}, trailing, truncated, junk, zeroes}) {
    CHECK_NOTHROW(key.verify(kMessage, bad));
    CHECK_FALSE(key.verify(kMessage, bad));
  }
  CHECK_FALSE(Sm2Key().verify(kMessage, signature));  // an empty key verifies nothing
}

TEST_CASE("refusal: another key's signature does not verify", "[sm2][refusal]") {
  const Sm2Key signer = Sm2Key::generate();
  const Sm2Key other = Sm2Key::generate();
  CHECK_FALSE(other.verify(kMessage, signer.sign(kMessage)));
}

TEST_CASE("refusal: signing needs a private key", "[sm2][refusal]") {
  const Sm2Key public_only = Sm2Key::from_pem(Sm2Key::generate().public_pem());
  CHECK(error_code_of([&] { public_only.sign(kMessage); }) == "crypto_failure");
  CHECK(error_code_of([&] { Sm2Key().sign(kMessage); }) == "crypto_failure");
}

TEST_CASE("refusal: non-SM2 keys and garbage are malformed", "[sm2][refusal]") {
  TempDir dir;
  const auto gen = run_command(openssl("genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out " +
                                       quote(dir / "p256.pem")));
  REQUIRE(gen.exit_code == 0);
  CHECK(error_code_of([&] { Sm2Key::from_pem(read_file(dir / "p256.pem")); }) == "malformed");
  CHECK(error_code_of([&] { Sm2Key::from_pem("not a key"); }) == "malformed");
  CHECK(error_code_of([&] { Sm2Key::from_public_der(Bytes{0x30, 0x00}); }) == "malformed");
  CHECK(error_code_of([&] { Sm2Key::from_private_der(to_bytes("junk")); }) == "malformed");
  Bytes spki = Sm2Key::generate().public_der();
  spki.push_back(0x00);  // trailing garbage after the SPKI
  CHECK(error_code_of([&] { Sm2Key::from_public_der(spki); }) == "malformed");
}

TEST_CASE("interop: a signature made by openssl pkeyutl verifies with Sm2Key::verify", "[sm2][interop]") {
  TempDir dir;
  REQUIRE(run_command(openssl("genpkey -algorithm SM2 -out " + quote(dir / "key.pem"))).exit_code == 0);
  write_file(dir / "msg.bin", to_string(kMessage));
  const auto sign = run_command(openssl("pkeyutl -sign -inkey " + quote(dir / "key.pem") +
                                        " -rawin -in " + quote(dir / "msg.bin") +
                                        " -digest sm3 -pkeyopt distid:1234567812345678 -out " +
                                        quote(dir / "msg.sig")));
  INFO(sign.output);
  REQUIRE(sign.exit_code == 0);
  // The key openssl generated loads as an SM2 key with its private part.
  const Sm2Key key = Sm2Key::from_pem(read_file(dir / "key.pem"));
  CHECK(key.has_private());
  const Bytes signature = to_bytes(read_file(dir / "msg.sig"));
  CHECK(key.verify(kMessage, signature));
  CHECK_FALSE(key.verify(kMessage, signature, "1234567812345679"));
}

TEST_CASE("interop: our signature verifies with openssl pkeyutl -verify", "[sm2][interop]") {
  TempDir dir;
  const Sm2Key key = Sm2Key::generate();
  write_file(dir / "pub.pem", key.public_pem());
  write_file(dir / "msg.bin", to_string(kMessage));
  write_file(dir / "msg.sig", to_string(key.sign(kMessage)));
  auto verify_with = [&](const std::string& id) {
    return run_command(openssl("pkeyutl -verify -pubin -inkey " + quote(dir / "pub.pem") +
                               " -rawin -in " + quote(dir / "msg.bin") + " -sigfile " +
                               quote(dir / "msg.sig") + " -digest sm3 -pkeyopt distid:" + id));
  };
  const auto good = verify_with("1234567812345678");
  INFO(good.output);
  CHECK(good.exit_code == 0);
  CHECK(good.output.find("Signature Verified Successfully") != std::string::npos);
  // openssl agrees that the ID matters.
  CHECK(verify_with("1234567812345679").exit_code != 0);
}

TEST_CASE("interop: our encrypted PEM decrypts with openssl pkey", "[sm2][interop]") {
  TempDir dir;
  const Sm2Key key = Sm2Key::generate();
  write_file(dir / "enc.pem", key.private_pem_encrypted("s3cret 口令"));
  write_file(dir / "pass.txt", "s3cret 口令");

  const auto decrypt = run_command(openssl("pkey -in " + quote(dir / "enc.pem") + " -passin " +
                                           quote("file:" + (dir / "pass.txt")) + " -pubout"));
  INFO(decrypt.output);
  REQUIRE(decrypt.exit_code == 0);
  CHECK(Sm2Key::from_pem(decrypt.output).same_public_key(key));

  // PBES2 with scrypt and AES-256-CBC, as documented.
  const auto structure = run_command(openssl("asn1parse -in " + quote(dir / "enc.pem")));
  CHECK(structure.output.find("PBES2") != std::string::npos);
  CHECK(structure.output.find(":scrypt") != std::string::npos);
  CHECK(structure.output.find("aes-256-cbc") != std::string::npos);

  CHECK(run_command(openssl("pkey -in " + quote(dir / "enc.pem") + " -passin pass:wrong -noout"))
            .exit_code != 0);
}

TEST_CASE("interop: a key encrypted by openssl loads with the password, refuses without", "[sm2][interop]") {
  TempDir dir;
  REQUIRE(run_command(openssl("genpkey -algorithm SM2 -aes-256-cbc -pass pass:openssl-pw -out " +
                              quote(dir / "enc.pem")))
              .exit_code == 0);
  const std::string pem = read_file(dir / "enc.pem");
  REQUIRE(pem.find("ENCRYPTED PRIVATE KEY") != std::string::npos);
  CHECK(Sm2Key::from_pem(pem, "openssl-pw").has_private());
  CHECK(error_code_of([&] { Sm2Key::from_pem(pem, "nope"); }) == "bad_password");
}

TEST_CASE("SM2 signatures convert between DER and raw r||s without losing validity", "[sm2]") {
  const Sm2Key key = Sm2Key::generate();
  const Bytes message = to_bytes("presentation code body");
  for (int i = 0; i < 20; ++i) {  // short r or s values (leading zero bytes) come up among 20
    const Bytes der = key.sign(message);
    const Bytes raw = sm2_signature_to_raw(der);
    REQUIRE(raw.size() == 64);
    const Bytes back = sm2_signature_from_raw(raw);
    CHECK(back == der);
    CHECK(key.verify(message, back));
  }
  Bytes raw = sm2_signature_to_raw(key.sign(message));
  raw[10] ^= 1;
  CHECK_FALSE(key.verify(message, sm2_signature_from_raw(raw)));
  CHECK_THROWS_AS(sm2_signature_from_raw(Bytes(63, 1)), TrustError);
  CHECK_THROWS_AS(sm2_signature_from_raw(Bytes(64, 0)), TrustError);
  CHECK_THROWS_AS(sm2_signature_to_raw(to_bytes("not der")), TrustError);
}
