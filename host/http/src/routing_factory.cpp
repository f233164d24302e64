#include <zhaoyin/http/routing_factory.h>

#include <Poco/Data/DataException.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/NetException.h>
#include <Poco/String.h>
#include <chrono>
#include <cmath>
#include <zhaoyin/authority/connector.h>
#include <zhaoyin/http/api_error.h>
#include <zhaoyin/protocol/json_reader.h>
#include <zhaoyin/protocol/wallet_messages.h>
#include <zhaoyin/http/log.h>
#include <zhaoyin/http/security_headers.h>
#include <zhaoyin/http/trace_context.h>
#include <zhaoyin/store/database.h>
#include <zhaoyin/trust/bytes.h>
#include <zhaoyin/trust/error.h>

namespace zhaoyin::http {

namespace {

// Bounded label values: known methods, else "other".
std::string method_label(const std::string& method) {
  static const char* const known[] = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"};
  for (const char* k : known) {
    if (method == k) return method;
  }
  return "other";
}

class EdgeHandler final : public Poco::Net::HTTPRequestHandler {
 public:
  EdgeHandler(std::shared_ptr<const Router> router, std::shared_ptr<HostContext> ctx, Counter& requests,
              Histogram& durations, Counter& refusals)
      : router_(std::move(router)),
        ctx_(std::move(ctx)),
        requests_(requests),
        durations_(durations),
        refusals_(refusals) {}

  void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override {
    const auto started = std::chrono::steady_clock::now();
    const std::string request_id = make_request_id(request);
    const TraceParent trace = request_trace(request);
    LogScope log_scope(request_id, trace.trace_id);
    TraceScope trace_scope(trace);
    response.set("X-Request-Id", request_id);
    set_default_security_headers(response);
    Exchange ex(request, response, request_id, ctx_->settings.max_body_bytes);
    std::string route = "unmatched";
    bool counted = false;
    ex.on_send([&](int status) {
      ensure_frame_protection(ex.response());  // whatever CSP the handler chose
      record(ex, route, started, status);
      counted = true;
    });
    try {
      dispatch(ex, route);
    } catch (const ApiError& e) {
      refuse(ex, e.status(), e.code(), e.what(), e.headers());
    } catch (const trust::TrustError& e) {
      const int status = e.code() == "crypto_failure" ? 500 : 400;
      if (status == 500) log_exception(ex, "trust failure", e.what());
      refuse(ex, status, e.code(), status == 500 ? "a cryptographic operation failed" : e.what(), {});
    } catch (const authority::AuthorityUnavailable& e) {
      // The authority cannot be asked and no cached answer is within its
      // freshness plus the grace period: fail closed, and say why.
      log_exception(ex, "authority unavailable", e.what());
      refuse(ex, 503, "authority_unavailable", "the issuing authority cannot be reached to verify this now; try again later", {});
    } catch (const store::StoreError& e) {
      log_exception(ex, "store failure", e.what());
      refuse(ex, 503, "store_unavailable", "the store is unavailable; try again later", {});
    } catch (const Poco::Data::DataException& e) {
      // A database error that escaped a repository unwrapped: on PostgreSQL a
      // lost or refused connection surfaces this way. The store, not the
      // caller, is at fault, and retrying later may work.
      log_exception(ex, "store failure", e.displayText());
      refuse(ex, 503, "store_unavailable", "the store is unavailable; try again later", {});
    } catch (const Poco::Net::MessageException& e) {
      refuse(ex, 400, "bad_request", "malformed HTTP request: " + e.message(), {});
    } catch (const protocol::AnswerFormatError& e) {
      // A wallet answer that does not have exactly the documented shape
      // (docs/PROTOCOL.md §3.2, "Answer format").
      refuse(ex, 400, e.code(), e.what(), {});
    } catch (const protocol::JsonInputError& e) {
      // JSON from the caller read somewhere below the handler (a grant, a
      // document inside a field): the caller's mistake, with its own code.
      refuse(ex, 400, e.code(), e.what(), {});
    } catch (const nlohmann::json::type_error& e) {
      // A field of the wrong JSON type that a handler read without checking.
      // Logged, since a handler should have refused it with a clearer message.
      log_exception(ex, "unchecked JSON field type", e.what());
      refuse(ex, 400, "invalid_request", "a field of the request has the wrong JSON type", {});
    } catch (const Poco::Exception& e) {
      log_exception(ex, "unexpected exception", e.displayText());
      refuse(ex, 500, "internal_error", "internal error (request id " + request_id + ")", {});
    } catch (const std::exception& e) {
      log_exception(ex, "unexpected exception", e.what());
      refuse(ex, 500, "internal_error", "internal error (request id " + request_id + ")", {});
    } catch (...) {
      log_exception(ex, "unexpected exception", "non-standard exception");
      refuse(ex, 500, "internal_error", "internal error (request id " + request_id + ")", {});
    }
    if (!counted) record(ex, route, started, static_cast<int>(ex.response().getStatus()));
    finish(ex, route, started);
  }

 private:
  void dispatch(Exchange& ex, std::string& route) {
    const auto m = router_->match(ex.method(), ex.path());
    if (m.outcome == Router::Outcome::NotFound)
      throw ApiError(404, "not_found", "no resource at " + ex.path());
    if (m.outcome == Router::Outcome::MethodNotAllowed) {
      std::string allow;
      for (const auto& a : m.allowed) allow += (allow.empty() ? "" : ", ") + a;
      throw ApiError(405, "method_not_allowed", ex.method() + " is not allowed on " + ex.path(), {{"Allow", allow}});
    }
    route = m.route->pattern;
    ex.set_route(m.route->pattern, m.params);
    const auto& req = ex.request();
    if (req.hasContentLength() && req.getContentLength64() > static_cast<Poco::Int64>(ctx_->settings.max_body_bytes))
      throw ApiError(413, "payload_too_large",
                     "the request body is larger than " + std::to_string(ctx_->settings.max_body_bytes) + " bytes");
    auto handler = m.route->factory();
    handler->handle(ex);
    if (!ex.sent()) throw std::logic_error("handler for " + route + " sent no response");
  }

  void refuse(Exchange& ex, int status, const std::string& code, const std::string& message,
              const ApiError::Headers& headers) {
    if (ex.sent()) {
      ctx_->log->warn("error after the response was sent",
                      {{"request_id", ex.request_id()}, {"code", code}, {"message", message}});
      return;
    }
    count_refusal(status, code);
    for (const auto& [name, value] : headers) ex.response().set(name, value);
    if (status == 401 || status == 403) ex.response().set("Cache-Control", "no-store");
    try {
      ex.send_json(status, Exchange::error_body(code, message));
    } catch (const std::exception& e) {  // the client went away
      ctx_->log->debug("cannot send error response", {{"request_id", ex.request_id()}, {"error", e.what()}});
    }
  }

  void count_refusal(int status, const std::string& code) {
    try {
      refusals_.inc({std::to_string(status), code});
    } catch (const std::exception& e) {
      ctx_->log->error("metrics failure", {{"error", e.what()}});
    }
  }

  void log_exception(Exchange& ex, const std::string& what, const std::string& detail) {
    ctx_->log->error(what, {{"request_id", ex.request_id()},
                            {"method", ex.method()},
                            {"path", ex.path()},
                            {"error", detail}});
  }

  // Counts the request and its time to the response's first byte.
  void record(Exchange& ex, const std::string& route, std::chrono::steady_clock::time_point started, int status) {
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    const std::string method = method_label(ex.method());
    try {
      requests_.inc({method, route, std::to_string(status)});
      durations_.observe({method, route}, seconds);
    } catch (const std::exception& e) {
      ctx_->log->error("metrics failure", {{"error", e.what()}});
    }
  }

  void finish(Exchange& ex, const std::string& route, std::chrono::steady_clock::time_point started) {
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    const int status = static_cast<int>(ex.response().getStatus());
    ctx_->log->info("request", {{"method", ex.method()},
                                {"path", ex.path()},
                                {"route", route},
                                {"status", status},
                                {"duration_ms", std::round(seconds * 1e6) / 1e3},
                                {"request_id", ex.request_id()}});
  }

  std::shared_ptr<const Router> router_;
  std::shared_ptr<HostContext> ctx_;
  Counter& requests_;
  Histogram& durations_;
  Counter& refusals_;
};

}  // namespace

TraceParent request_trace(const Poco::Net::HTTPServerRequest& request) {
  // W3C Trace Context §3.2: several traceparent headers, like an invalid
  // one, mean none — the host then starts a trace of its own (§4.3).
  const std::string* given = nullptr;
  int count = 0;
  for (const auto& [name, value] : request) {
    if (Poco::icompare(name, "traceparent") == 0) {
      given = &value;
      ++count;
    }
  }
  if (count == 1) {
    if (auto parent = TraceParent::parse(*given)) return parent->child();
  }
  return TraceParent::start();
}

std::string make_request_id(const Poco::Net::HTTPServerRequest& request) {
  if (request.has("X-Request-Id")) {
    const std::string& given = request.get("X-Request-Id");
    bool ok = !given.empty() && given.size() <= 64;
    for (char c : given) {
      ok = ok && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                  c == '_' || c == '.');
    }
    if (ok) return given;
  }
  return trust::hex_encode(trust::random_bytes(8));
}

RoutingFactory::RoutingFactory(std::shared_ptr<const Router> router, std::shared_ptr<HostContext> ctx)
    : router_(std::move(router)), ctx_(std::move(ctx)) {
  requests_ = &ctx_->metrics->counter("zhaoyin_http_requests_total", "HTTP requests served, by route and status.",
                                      {"method", "route", "status"});
  durations_ = &ctx_->metrics->histogram("zhaoyin_http_request_duration_seconds",
                                         "Time to serve an HTTP request, by route.", {"method", "route"});
  // Error codes are a closed set (the literals in ApiError throws, plus the
  // codes of the operator's loaded plugins), so the label stays bounded.
  refusals_ = &ctx_->metrics->counter("zhaoyin_http_refusals_total",
                                      "Requests answered with an error body, by status and error code.",
                                      {"status", "code"});
}

Poco::Net::HTTPRequestHandler* RoutingFactory::createRequestHandler(const Poco::Net::HTTPServerRequest&) {
  return new EdgeHandler(router_, ctx_, *requests_, *durations_, *refusals_);
}

}  // namespace zhaoyin::http
