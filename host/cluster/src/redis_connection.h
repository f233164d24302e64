#pragma once
// What the Redis event bus and the Redis rate window share: opening one
// connection with the configured timeouts, building commands, and a host
// instance id that tells this process's own messages apart.
#include <Poco/Redis/Array.h>
#include <Poco/Redis/Client.h>
#include <initializer_list>
#include <memory>
#include <string>
#include <zhaoyin/cluster/redis.h>

namespace zhaoyin::cluster::detail {

// Connects (bounded by settings.timeout_ms) and sets the same receive timeout.
// Throws Poco::Exception when Redis cannot be reached.
std::unique_ptr<Poco::Redis::Client> connect_redis(const RedisSettings& settings);

// A command as Redis reads it: every part a bulk string.
Poco::Redis::Array redis_command(std::initializer_list<std::string> parts);

// 16 random hex digits, fresh for every process (and every bus).
std::string random_instance_id();

// "host:port" for logs.
std::string redis_address(const RedisSettings& settings);

}  // namespace zhaoyin::cluster::detail
