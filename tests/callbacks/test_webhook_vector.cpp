// The shared webhook test vector (tests/callbacks/vectors/webhook-signature.json)
// against the host's own signing code: the key derivation that the store
// applies to a client secret and the header value the callback dispatcher
// sends. The browser SDK's Node helper (clients/js, verifyWebhook) is tested
// against the same file, so the two cannot drift apart unnoticed.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <test_support.h>
#include <zhaoyin/http/callback_dispatcher.h>
#include <zhaoyin/store/secrets.h>

using namespace zhaoyin;

namespace {

nlohmann::json vector_file() {
  return nlohmann::json::parse(test::read_file(test::source_dir() + "/tests/callbacks/vectors/webhook-signature.json"));
}

}  // namespace

TEST_CASE("the host signs the shared webhook vector exactly as stated", "[callbacks][webhook][sdk]") {
  const auto v = vector_file();
  const auto secret = v.at("client_secret").get<std::string>();
  const auto key = v.at("callback_key_hex").get<std::string>();
  const auto timestamp = v.at("timestamp").get<std::string>();
  const auto body = v.at("body").get<std::string>();
  REQUIRE(v.at("headers").at("X-Zhaoyin-Timestamp").get<std::string>() == timestamp);

  // The key the store keeps for an application with this secret.
  CHECK(store::callback_key_for(secret) == key);
  // The header the dispatcher sends for this body at this time.
  CHECK(http::CallbackDispatcher::signature(key, timestamp, body) == v.at("headers").at("X-Zhaoyin-Signature").get<std::string>());
  // The body has non-ASCII text: it is signed as its UTF-8 bytes, as sent.
  CHECK(body.find("电子政务") != std::string::npos);
}

TEST_CASE("the shared webhook vector's signature covers body, timestamp and key", "[callbacks][webhook][sdk]") {
  const auto v = vector_file();
  const auto key = v.at("callback_key_hex").get<std::string>();
  const auto timestamp = v.at("timestamp").get<std::string>();
  const auto body = v.at("body").get<std::string>();
  const auto header = v.at("headers").at("X-Zhaoyin-Signature").get<std::string>();
  CHECK(http::CallbackDispatcher::signature(key, timestamp, body + "\n") != header);
  CHECK(http::CallbackDispatcher::signature(key, std::to_string(std::stoll(timestamp) + 1), body) != header);
  CHECK(http::CallbackDispatcher::signature(store::callback_key_for(v.at("client_secret").get<std::string>() + "x"), timestamp, body) !=
        header);
}
