// `zhaoyin sandbox init` twice leaves the sandbox alone; --force makes a new one.
#include <catch2/catch.hpp>
#include <map>
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

TEST_CASE("a second sandbox init changes nothing and says so; --force recreates") {
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
