#pragma once
// Structured logs: one JSON object per line, {"ts":..., "level":..., "msg":..., <fields>}.
// Thread-safe; the host writes to stderr, tests may write to a stringstream.
#include <Poco/Channel.h>
#include <atomic>
#include <iosfwd>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace zhaoyin::http {

enum class LogLevel { Debug = 0, Info = 1, Warn = 2, Error = 3, Off = 4 };
std::string to_string(LogLevel level);                       // debug | info | warn | error | off
std::optional<LogLevel> log_level_from(std::string_view s);  // accepts the same (and "warning")

class JsonLog {
 public:
  explicit JsonLog(std::ostream& out, LogLevel level = LogLevel::Info);

  void set_level(LogLevel level) { level_.store(level); }
  LogLevel level() const { return level_.load(); }
  bool enabled(LogLevel level) const { return level >= level_.load() && level != LogLevel::Off; }

  // `fields` must be a JSON object (or null); its members follow ts, level and msg.
  void log(LogLevel level, std::string_view msg, const nlohmann::json& fields = nullptr);
  void debug(std::string_view msg, const nlohmann::json& fields = nullptr) { log(LogLevel::Debug, msg, fields); }
  void info(std::string_view msg, const nlohmann::json& fields = nullptr) { log(LogLevel::Info, msg, fields); }
  void warn(std::string_view msg, const nlohmann::json& fields = nullptr) { log(LogLevel::Warn, msg, fields); }
  void error(std::string_view msg, const nlohmann::json& fields = nullptr) { log(LogLevel::Error, msg, fields); }
  // An "info" line written whatever the level (the one "ready" line operators and scripts wait for).
  void announce(std::string_view msg, const nlohmann::json& fields = nullptr) { write(LogLevel::Info, msg, fields); }

 private:
  void write(LogLevel level, std::string_view msg, const nlohmann::json& fields);
  std::ostream* out_;
  std::atomic<LogLevel> level_;
  std::mutex mutex_;
};

// The request this thread is serving. While a scope lives, every line the
// thread logs carries its request_id and trace_id (a line that names its own
// keeps it), and error bodies carry the request id (Exchange::error_body), so
// an operator can go from a client's error to the host's lines and on to the
// relying party's trace. Scopes nest; the outer one is restored.
class LogScope {
 public:
  LogScope(std::string request_id, std::string trace_id);
  ~LogScope();
  LogScope(const LogScope&) = delete;
  LogScope& operator=(const LogScope&) = delete;

  static const std::string& request_id();  // "" outside any scope
  static const std::string& trace_id();    // "" outside any scope

 private:
  std::string outer_request_id_;
  std::string outer_trace_id_;
};

// Routes Poco's own loggers (Poco::Util::Application, Poco::Net) into a JsonLog,
// with the logger name as "source".
class JsonLogChannel : public Poco::Channel {
 public:
  explicit JsonLogChannel(std::shared_ptr<JsonLog> log) : log_(std::move(log)) {}
  void log(const Poco::Message& msg) override;

 private:
  std::shared_ptr<JsonLog> log_;
};

// Current UTC time as 2026-11-23T10:00:00.123Z.
std::string utc_timestamp_now();

}  // namespace zhaoyin::http
