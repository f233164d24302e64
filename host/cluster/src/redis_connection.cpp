#include "redis_connection.h"

#include <Poco/Timespan.h>
#include <random>

namespace zhaoyin::cluster::detail {

std::unique_ptr<Poco::Redis::Client> connect_redis(const RedisSettings& settings) {
  const Poco::Timespan timeout(static_cast<Poco::Timespan::TimeDiff>(settings.timeout_ms) * 1000);
  auto client = std::make_unique<Poco::Redis::Client>();
  client->connect(settings.host, settings.port, timeout);
  client->setReceiveTimeout(timeout);
  return client;
}

Poco::Redis::Array redis_command(std::initializer_list<std::string> parts) {
  Poco::Redis::Array command;
  for (const auto& part : parts) command.add(part);
  return command;
}

std::string random_instance_id() {
  std::random_device rd;
  std::uniform_int_distribution<int> digit(0, 15);
  std::string id;
  for (int i = 0; i < 16; ++i) id += "0123456789abcdef"[digit(rd)];
  return id;
}

std::string redis_address(const RedisSettings& settings) { return settings.host + ":" + std::to_string(settings.port); }

}  // namespace zhaoyin::cluster::detail
