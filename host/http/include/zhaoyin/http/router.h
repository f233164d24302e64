#pragma once
// Maps method + path pattern to a handler factory.
//
//   router.add("GET", "/api/v1/login-sessions/{id}", [ctx] { return std::make_unique<GetLoginSession>(ctx); });
//   router.add<HealthHandler>("GET", "/healthz", ctx);
//
// A pattern is '/'-separated segments; a segment is literal text, or a
// parameter "{name}" optionally with a literal prefix/suffix ("{id}.pdf"). A
// parameter matches one non-empty, percent-decoded segment. When several
// patterns match, the most literal one wins ("/x/{id}.pdf" beats "/x/{id}").
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>
#include <zhaoyin/http/exchange.h>

namespace zhaoyin::http {

class Router {
 public:
  using Factory = std::function<std::unique_ptr<Handler>()>;

  struct Route {
    std::string method;   // upper case, e.g. "GET"
    std::string pattern;  // as registered; also the "route" metrics label
    Factory factory;
  };

  enum class Outcome { Found, NotFound, MethodNotAllowed };
  struct Match {
    Outcome outcome = Outcome::NotFound;
    const Route* route = nullptr;          // when Found
    PathParams params;                     // when Found
    std::vector<std::string> allowed;      // when MethodNotAllowed: methods of the matching path
  };

  // Throws std::invalid_argument on a malformed pattern or a duplicate method+pattern.
  void add(std::string method, std::string pattern, Factory factory);

  // Registers H constructed from `args` (copied into the factory) per request.
  template <class H, class... Args>
  void add(std::string method, std::string pattern, Args... args) {
    add(std::move(method), std::move(pattern),
        Factory([args...]() -> std::unique_ptr<Handler> { return std::make_unique<H>(args...); }));
  }

  // `path` is the raw request path (no query).
  Match match(std::string_view method, std::string_view path) const;

  const std::vector<Route>& routes() const { return routes_; }

 private:
  struct Segment {
    bool is_param = false;
    std::string literal;  // literal segment, or the parameter's prefix
    std::string suffix;   // parameter's suffix
    std::string name;     // parameter name
  };
  struct Compiled {
    std::vector<Segment> segments;
    int specificity = 0;
  };
  static Compiled compile(const std::string& pattern);
  static bool match_segments(const Compiled& c, const std::vector<std::string>& raw, PathParams& params);

  std::vector<Route> routes_;
  std::vector<Compiled> compiled_;
};

}  // namespace zhaoyin::http
