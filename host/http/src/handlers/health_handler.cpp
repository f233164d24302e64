#include <zhaoyin/http/handlers/health_handler.h>

namespace zhaoyin::http {

void HealthHandler::handle(Exchange& ex) {
  nlohmann::json body = {{"status", "ok"},
                         {"store", "ok"},
                         {"authority", ctx_->authority_name()},
                         {"version", ctx_->settings.version}};
  if (ctx_->authority) {
    // ok, degraded (cached answers within the grace period) or unavailable
    // (verifications are refused with authority_unavailable). The host itself
    // stays up: it still serves what needs no authority.
    const auto authority = ctx_->authority->health();
    body["authority_state"] = authority.state;
    if (!authority.last_error.empty()) body["authority_error"] = authority.last_error;
    if (!authority.last_success_at.empty()) body["authority_last_answer_at"] = authority.last_success_at;
  }
  int status = 200;
  try {
    ctx_->db->check();
    body["schema_version"] = ctx_->db->schema_version();
  } catch (const std::exception& e) {
    ctx_->log->error("health check: store unavailable", {{"request_id", ex.request_id()}, {"error", e.what()}});
    body["status"] = "unavailable";
    body["store"] = "unavailable";
    status = 503;
  }
  ex.response().set("Cache-Control", "no-store");
  ex.send_json(status, body);
}

}  // namespace zhaoyin::http
