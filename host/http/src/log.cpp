#include <zhaoyin/http/log.h>

#include <Poco/Message.h>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <ostream>
#include <utility>

namespace zhaoyin::http {

std::string to_string(LogLevel level) {
  switch (level) {
    case LogLevel::Debug: return "debug";
    case LogLevel::Info: return "info";
    case LogLevel::Warn: return "warn";
    case LogLevel::Error: return "error";
    case LogLevel::Off: break;
  }
  return "off";
}

std::optional<LogLevel> log_level_from(std::string_view s) {
  if (s == "debug") return LogLevel::Debug;
  if (s == "info") return LogLevel::Info;
  if (s == "warn" || s == "warning") return LogLevel::Warn;
  if (s == "error") return LogLevel::Error;
  if (s == "off" || s == "none") return LogLevel::Off;
  return std::nullopt;
}

std::string utc_timestamp_now() {
  const auto now = std::chrono::system_clock::now();
  const auto secs = std::chrono::time_point_cast<std::chrono::seconds>(now);
  const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(now - secs).count();
  const std::time_t t = std::chrono::system_clock::to_time_t(secs);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  const std::size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::string out(buf, n);
  char ms[8];
  std::snprintf(ms, sizeof ms, ".%03dZ", static_cast<int>(millis));
  return out + ms;
}

namespace {
thread_local std::string t_request_id;
thread_local std::string t_trace_id;
}  // namespace

LogScope::LogScope(std::string request_id, std::string trace_id)
    : outer_request_id_(std::exchange(t_request_id, std::move(request_id))),
      outer_trace_id_(std::exchange(t_trace_id, std::move(trace_id))) {}

LogScope::~LogScope() {
  t_request_id = std::move(outer_request_id_);
  t_trace_id = std::move(outer_trace_id_);
}

const std::string& LogScope::request_id() { return t_request_id; }
const std::string& LogScope::trace_id() { return t_trace_id; }

JsonLog::JsonLog(std::ostream& out, LogLevel level) : out_(&out), level_(level) {}

void JsonLog::log(LogLevel level, std::string_view msg, const nlohmann::json& fields) {
  if (enabled(level)) write(level, msg, fields);
}

void JsonLog::write(LogLevel level, std::string_view msg, const nlohmann::json& fields) {
  nlohmann::ordered_json line;
  line["ts"] = utc_timestamp_now();
  line["level"] = to_string(level);
  line["msg"] = std::string(msg);
  if (fields.is_object()) {
    for (const auto& [key, value] : fields.items()) {
      if (key != "ts" && key != "level" && key != "msg") line[key] = value;
    }
  }
  if (!t_request_id.empty() && !line.contains("request_id")) line["request_id"] = t_request_id;
  if (!t_trace_id.empty() && !line.contains("trace_id")) line["trace_id"] = t_trace_id;
  // Invalid UTF-8 (say, a path from a client) is replaced, never thrown.
  const std::string text = line.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  std::lock_guard lock(mutex_);
  *out_ << text << '\n';
  out_->flush();
}

void JsonLogChannel::log(const Poco::Message& msg) {
  LogLevel level = LogLevel::Info;
  switch (msg.getPriority()) {
    case Poco::Message::PRIO_FATAL:
    case Poco::Message::PRIO_CRITICAL:
    case Poco::Message::PRIO_ERROR: level = LogLevel::Error; break;
    case Poco::Message::PRIO_WARNING: level = LogLevel::Warn; break;
    case Poco::Message::PRIO_NOTICE:
    case Poco::Message::PRIO_INFORMATION: level = LogLevel::Info; break;
    case Poco::Message::PRIO_DEBUG:
    case Poco::Message::PRIO_TRACE: level = LogLevel::Debug; break;
  }
  nlohmann::json fields = nlohmann::json::object();
  if (!msg.getSource().empty()) fields["source"] = msg.getSource();
  log_->log(level, msg.getText(), fields);
}

}  // namespace zhaoyin::http
