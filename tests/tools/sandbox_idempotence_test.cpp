// `zhaoyin sandbox init` twice leaves the sandbox alone; --force makes a new one.
#include <catch2/catch.hpp>
#include <map>
#include <nlohmann/json.hpp>
#include <zhaoyin/trust/bytes.h>
#include <zhaoyin/trust/der.h>
#include <zhaoyin/trust/seal.h>
#include <zhaoyin/trust/sm2.h>
#include "test_support.h"

using namespace zhaoyin::test;

namespace {

struct FileState {
  std::string content;
  fs::file_time_type mtime;
};

std::map<std::string, FileState> snapshot(const fs::path& dir) {
  std::map<std::string, FileState> files;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) {
      files[fs::relative(entry.path(), dir).string()] = {read_file(entry.path()), entry.last_write_time()};
    }
  }
  return files;
}

CommandResult init(const fs::path& dir, const std::string& extra = "") {
  return run_command(quote(bin("zhaoyin")) + " sandbox init " + quote(dir.string()) + extra);
}

}  // namespace

TEST_CASE("a second sandbox init changes nothing and says so — --force recreates") {
  TempDir tmp;
  const fs::path dir = tmp.path() / "sandbox";
  const auto first = init(dir);
  INFO(first.output);
  REQUIRE(first.exit_code == 0);
  CHECK(first.output.find("created") != std::string::npos);
  const auto before = snapshot(dir);
  REQUIRE(before.count("sandbox.json") == 1);

  const auto second = init(dir);
  CHECK(second.exit_code == 0);
  CHECK(second.output.find("already") != std::string::npos);
  const auto after = snapshot(dir);
  REQUIRE(after.size() == before.size());
  for (const auto& [name, state] : before) {
    INFO(name);
    REQUIRE(after.count(name) == 1);
    CHECK(after.at(name).content == state.content);
    CHECK(after.at(name).mtime == state.mtime);
  }

  // Files of the operator's own in DIR survive a forced re-creation.
  write_file(dir / "operator-notes.txt", "keep me");
  const auto forced = init(dir, " --force");
  CHECK(forced.exit_code == 0);
  CHECK(forced.output.find("recreated") != std::string::npos);
  const auto recreated = snapshot(dir);
  CHECK(recreated.at("operator-notes.txt").content == "keep me");
  CHECK(recreated.at("authority/root.pem").content != before.at("authority/root.pem").content);  // a new root key
  CHECK(recreated.at("sandbox.json").content != before.at("sandbox.json").content);  // new passwords and secrets
  // Nothing of the old sandbox is left behind: old certificates are gone.
  for (const auto& [name, state] : before) {
    if (name.rfind("authority/certs/", 0) == 0) CHECK(recreated.count(name) == 0);
  }
}

TEST_CASE("a half-written sandbox (no sandbox.json) is replaced by init") {
  TempDir tmp;
  const fs::path dir = tmp.path() / "sandbox";
  fs::create_directories(dir / "authority");
  write_file(dir / "authority" / "root.pem", "left over from an interrupted init");
  const auto r = init(dir);
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK(read_file(dir / "authority" / "root.pem").find("BEGIN CERTIFICATE") != std::string::npos);
  CHECK(fs::exists(dir / "sandbox.json"));
}

TEST_CASE("init re-issues seals signed the pre-GB/T 38540 §6.1 way (over SEQUENCE { eSealInfo, cert, signAlgID }) and says so") {
  namespace trust = zhaoyin::trust;
  namespace der = zhaoyin::trust::der;
  TempDir tmp;
  const fs::path dir = tmp.path() / "sandbox";
  REQUIRE(init(dir).exit_code == 0);

  // Turn one seal back into what Zhaoyin made before issue 18, in its file and every wallet.
  fs::path seal_file;
  for (const auto& entry : fs::directory_iterator(dir / "seals"))
    if (entry.path().extension() == ".seal") { seal_file = entry.path(); break; }
  REQUIRE_FALSE(seal_file.empty());
  const std::string current_text = read_file(seal_file);
  const trust::Bytes current(current_text.begin(), current_text.end());
  const auto maker_key = trust::Sm2Key::from_pem(read_file(dir / "authority" / "seal-maker.key"));
  const auto parts = der::parse(current).children();
  const trust::Bytes info = parts[0].raw_bytes();
  const trust::Bytes old_seal = der::sequence(
      {info, parts[1].raw_bytes(), parts[2].raw_bytes(),
       der::bit_string(maker_key.sign(der::sequence({info, parts[1].raw_bytes(), parts[2].raw_bytes()})))});
  const auto rewrite_wallets = [&](const trust::Bytes& from, const trust::Bytes& to) {
    int copies = 0;
    for (const auto& entry : fs::recursive_directory_iterator(dir / "wallets")) {
      if (entry.path().extension() != ".json") continue;
      auto wallet = nlohmann::json::parse(read_file(entry.path()));
      for (auto& seal : wallet["seals"])
        if (seal["seal"] == trust::base64_encode(from)) { seal["seal"] = trust::base64_encode(to); ++copies; }
      write_file(entry.path(), wallet.dump(2));
    }
    return copies;
  };
  REQUIRE(rewrite_wallets(current, old_seal) > 0);
  write_file(seal_file, std::string(old_seal.begin(), old_seal.end()));
  {
    const auto parsed = trust::parse_seal(old_seal);
    REQUIRE_FALSE(parsed.maker_cert.public_key().verify(parsed.signed_data, parsed.signature));
  }

  const auto upgrade = init(dir);
  INFO(upgrade.output);
  REQUIRE(upgrade.exit_code == 0);
  CHECK(upgrade.output.find("re-issued 1 seals") != std::string::npos);
  const std::string fresh_text = read_file(seal_file);
  const trust::Bytes fresh(fresh_text.begin(), fresh_text.end());
  const auto parsed = trust::parse_seal(fresh);
  CHECK(parsed.maker_cert.public_key().verify(parsed.signed_data, parsed.signature));
  CHECK(der::parse(fresh).children()[0].raw_bytes() == info);  // the same SES_SealInfo, byte for byte
  CHECK(rewrite_wallets(fresh, fresh) > 0);                      // every wallet copy was replaced
  CHECK(rewrite_wallets(old_seal, old_seal) == 0);

  // Now current: a further init changes nothing.
  const auto again = init(dir);
  CHECK(again.output.find("nothing changed") != std::string::npos);

  // A seal no form of the maker's signature covers is not silently kept.
  trust::Bytes broken = fresh;
  broken[broken.size() - 3] ^= 0x01;
  write_file(seal_file, std::string(broken.begin(), broken.end()));
  const auto refused = init(dir);
  CHECK(refused.exit_code != 0);
  CHECK(refused.output.find("--force") != std::string::npos);
}
